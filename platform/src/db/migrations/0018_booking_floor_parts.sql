-- Units that share floor space (全面 over A面 and B面) must block each other: each unit covers a set
-- of floor parts, a booking carries its unit's, and the exclusion constraint compares parts, not units.
CREATE SEQUENCE IF NOT EXISTS "facility_floor_parts";--> statement-breakpoint
CREATE OR REPLACE FUNCTION facility_floor_part() RETURNS int4multirange AS $$
  SELECT int4multirange(int4range(n, n + 1)) FROM (SELECT nextval('facility_floor_parts')::int AS n) AS next
$$ LANGUAGE sql VOLATILE;--> statement-breakpoint
ALTER TABLE "facility_units" ADD COLUMN "floor" "int4multirange" DEFAULT facility_floor_part() NOT NULL;--> statement-breakpoint
ALTER TABLE "facility_units" ADD CONSTRAINT "facility_units_floor_not_empty" CHECK (NOT isempty("floor"));--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "floor" "int4multirange" DEFAULT '{}' NOT NULL;--> statement-breakpoint
UPDATE "bookings" SET "floor" = u."floor" FROM "facility_units" u WHERE u."id" = "bookings"."unit_id";--> statement-breakpoint
CREATE OR REPLACE FUNCTION bookings_floor_of_unit() RETURNS trigger AS $$
BEGIN
  NEW.floor := (SELECT floor FROM facility_units WHERE id = NEW.unit_id);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE TRIGGER bookings_floor_of_unit BEFORE INSERT OR UPDATE OF unit_id, floor ON "bookings"
  FOR EACH ROW EXECUTE FUNCTION bookings_floor_of_unit();--> statement-breakpoint
CREATE OR REPLACE FUNCTION facility_units_floor_to_bookings() RETURNS trigger AS $$
BEGIN
  UPDATE bookings SET floor = NEW.floor WHERE unit_id = NEW.id;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE TRIGGER facility_units_floor_to_bookings AFTER UPDATE OF floor ON "facility_units"
  FOR EACH ROW WHEN (OLD.floor IS DISTINCT FROM NEW.floor) EXECUTE FUNCTION facility_units_floor_to_bookings();--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_floor_not_empty" CHECK (NOT isempty("floor"));--> statement-breakpoint
ALTER TABLE "bookings" DROP CONSTRAINT "bookings_no_overlap";--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_no_overlap" EXCLUDE USING gist ("floor" WITH &&, "during" WITH &&) WHERE ("state" IN ('held', 'confirmed'));
