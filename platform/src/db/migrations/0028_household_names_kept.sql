-- household_names: each household's current members' names, in the order they joined (empty names
-- left out), kept by triggers so that an alert's text for a whole town reads them by household id
-- (alerts/tv-views.ts) instead of grouping every membership per alert (issue 13 §5).
-- The household rows are locked first (FOR NO KEY UPDATE: not against the KEY SHARE a new membership's
-- foreign key takes), and in READ COMMITTED each statement below sees what committed meanwhile: two
-- members joining one household at once both end up in its names, whichever commits last.
CREATE OR REPLACE FUNCTION household_names_refresh(ids uuid[]) RETURNS void AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  PERFORM 1 FROM households WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
  INSERT INTO household_names (household_id, names)
    SELECT m.household_id, array_agg(p.name ORDER BY m.joined_at, m.id)
    FROM household_members m JOIN persons p ON p.id = m.person_id
    WHERE m.household_id = ANY(ids) AND m.left_at IS NULL AND p.name <> ''
    GROUP BY m.household_id
  ON CONFLICT (household_id) DO UPDATE SET names = EXCLUDED.names;
  DELETE FROM household_names n WHERE n.household_id = ANY(ids) AND NOT EXISTS (
    SELECT 1 FROM household_members m JOIN persons p ON p.id = m.person_id
    WHERE m.household_id = n.household_id AND m.left_at IS NULL AND p.name <> '');
END;
$$ LANGUAGE plpgsql VOLATILE;--> statement-breakpoint
-- One function for the three triggers below: each declares only the transition tables its event has
-- (a trigger's transition tables are for one event), and PL/pgSQL plans a branch only when it runs.
CREATE OR REPLACE FUNCTION household_members_names_changed() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM household_names_refresh(ARRAY(SELECT DISTINCT household_id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM household_names_refresh(ARRAY(SELECT DISTINCT household_id FROM old_rows));
  ELSE
    PERFORM household_names_refresh(ARRAY(SELECT household_id FROM new_rows UNION SELECT household_id FROM old_rows));
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE OR REPLACE FUNCTION persons_names_updated() RETURNS trigger AS $$
BEGIN
  PERFORM household_names_refresh(ARRAY(
    SELECT DISTINCT m.household_id FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN household_members m ON m.person_id = n.id
    WHERE n.name IS DISTINCT FROM o.name AND m.left_at IS NULL));
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE TRIGGER household_members_names_inserted AFTER INSERT ON "household_members"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION household_members_names_changed();--> statement-breakpoint
CREATE TRIGGER household_members_names_updated AFTER UPDATE ON "household_members"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION household_members_names_changed();--> statement-breakpoint
CREATE TRIGGER household_members_names_deleted AFTER DELETE ON "household_members"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION household_members_names_changed();--> statement-breakpoint
CREATE TRIGGER persons_names_updated AFTER UPDATE ON "persons"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION persons_names_updated();--> statement-breakpoint
-- The households there are already.
SELECT household_names_refresh(ARRAY(SELECT id FROM households));
