-- 'household:<id>' on the alert_stored channel: what an alert's targeting and text read of a household
-- changed — its district (so its municipality and code), its coordinates, its label, or its members'
-- names (household_names, kept by triggers, so a member joining or leaving and a name corrected are
-- all seen here); 'household:*' when a district's code or municipality changed. Every platform
-- process keeps these for the households of the TVs connected to it, so that pushing an alert reads
-- none of them (alerts/tv-homes.ts). On the channel stored alerts are announced on: one LISTEN
-- connection hears both in commit order, so an alert stored after a change is pushed after the
-- change is known. Triggers, not the writers: no writer can forget to say it, and NOTIFY is
-- delivered only if the change commits.
CREATE OR REPLACE FUNCTION households_alert_inputs_updated() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('alert_stored', 'household:' || c.id::text) FROM (
    SELECT DISTINCT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.district_id, n.label, n.latitude, n.longitude) IS DISTINCT FROM (o.district_id, o.label, o.latitude, o.longitude)) c;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE OR REPLACE FUNCTION household_names_changed_notify() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM pg_notify('alert_stored', 'household:' || c.household_id::text) FROM (SELECT DISTINCT household_id FROM new_rows) c;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('alert_stored', 'household:' || c.household_id::text) FROM (SELECT DISTINCT household_id FROM old_rows) c;
  ELSE
    PERFORM pg_notify('alert_stored', 'household:' || c.household_id::text) FROM (
      SELECT DISTINCT n.household_id FROM new_rows n JOIN old_rows o ON o.household_id = n.household_id
      WHERE n.names IS DISTINCT FROM o.names) c;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE OR REPLACE FUNCTION districts_alert_inputs_updated() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.code, n.municipality_id) IS DISTINCT FROM (o.code, o.municipality_id)) THEN
    PERFORM pg_notify('alert_stored', 'household:*');
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE TRIGGER households_alert_inputs_updated AFTER UPDATE ON "households"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION households_alert_inputs_updated();--> statement-breakpoint
CREATE TRIGGER household_names_inserted_notify AFTER INSERT ON "household_names"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION household_names_changed_notify();--> statement-breakpoint
CREATE TRIGGER household_names_updated_notify AFTER UPDATE ON "household_names"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION household_names_changed_notify();--> statement-breakpoint
CREATE TRIGGER household_names_deleted_notify AFTER DELETE ON "household_names"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION household_names_changed_notify();--> statement-breakpoint
CREATE TRIGGER districts_alert_inputs_updated AFTER UPDATE ON "districts"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION districts_alert_inputs_updated();
