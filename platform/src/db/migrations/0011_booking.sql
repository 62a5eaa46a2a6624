-- Bookings of one unit must never overlap while held or confirmed: the database itself refuses it
-- (exclusion constraint over unit = and tstzrange &&), so no race in application code can double-book.
CREATE EXTENSION IF NOT EXISTS btree_gist;--> statement-breakpoint
CREATE TABLE "booking_notices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"booking_id" uuid,
	"kind" text NOT NULL,
	"text" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"read_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "booking_waitlist" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unit_id" uuid NOT NULL,
	"day" date NOT NULL,
	"period" text NOT NULL,
	"person_id" uuid NOT NULL,
	"state" text DEFAULT 'waiting' NOT NULL,
	"booking_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bookings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"facility_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"day" date NOT NULL,
	"period" text NOT NULL,
	"during" "tstzrange" NOT NULL,
	"state" text NOT NULL,
	"person_id" uuid,
	"requested_by" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"source" text NOT NULL,
	"hold_expires_at" timestamp with time zone,
	"permit_no" text,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"confirmed_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	CONSTRAINT "bookings_permit_no_unique" UNIQUE("permit_no")
);
--> statement-breakpoint
CREATE TABLE "facility_blackouts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"facility_id" uuid NOT NULL,
	"day" date NOT NULL,
	"reason" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "facility_policies" (
	"facility_id" uuid PRIMARY KEY NOT NULL,
	"periods" jsonb NOT NULL,
	"resident_horizon_days" integer NOT NULL,
	"non_resident_horizon_days" integer NOT NULL,
	"cancel_deadline_days" integer NOT NULL,
	"monthly_quota" integer NOT NULL,
	"hold_minutes" integer NOT NULL,
	"fees" jsonb NOT NULL,
	"lottery" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "facility_units" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"facility_id" uuid NOT NULL,
	"name" text NOT NULL,
	"sort" smallint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lottery_applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"round_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"choices" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lottery_rounds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"facility_id" uuid NOT NULL,
	"month" text NOT NULL,
	"apply_until" timestamp with time zone NOT NULL,
	"seed" text NOT NULL,
	"entrants_hash" text,
	"drawn_at" timestamp with time zone,
	"confirm_by" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "booking_notices" ADD CONSTRAINT "booking_notices_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_notices" ADD CONSTRAINT "booking_notices_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_waitlist" ADD CONSTRAINT "booking_waitlist_unit_id_facility_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."facility_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_waitlist" ADD CONSTRAINT "booking_waitlist_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_waitlist" ADD CONSTRAINT "booking_waitlist_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_facility_id_facilities_id_fk" FOREIGN KEY ("facility_id") REFERENCES "public"."facilities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_unit_id_facility_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."facility_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "facility_blackouts" ADD CONSTRAINT "facility_blackouts_facility_id_facilities_id_fk" FOREIGN KEY ("facility_id") REFERENCES "public"."facilities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "facility_policies" ADD CONSTRAINT "facility_policies_facility_id_facilities_id_fk" FOREIGN KEY ("facility_id") REFERENCES "public"."facilities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "facility_units" ADD CONSTRAINT "facility_units_facility_id_facilities_id_fk" FOREIGN KEY ("facility_id") REFERENCES "public"."facilities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lottery_applications" ADD CONSTRAINT "lottery_applications_round_id_lottery_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."lottery_rounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lottery_applications" ADD CONSTRAINT "lottery_applications_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lottery_rounds" ADD CONSTRAINT "lottery_rounds_facility_id_facilities_id_fk" FOREIGN KEY ("facility_id") REFERENCES "public"."facilities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "booking_notices_person_idx" ON "booking_notices" USING btree ("person_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "booking_waitlist_once_uq" ON "booking_waitlist" USING btree ("unit_id","day","period","person_id") WHERE "booking_waitlist"."state" = 'waiting';--> statement-breakpoint
CREATE UNIQUE INDEX "bookings_idempotency_uq" ON "bookings" USING btree ("requested_by","idempotency_key");--> statement-breakpoint
CREATE INDEX "bookings_facility_day_idx" ON "bookings" USING btree ("facility_id","day");--> statement-breakpoint
CREATE INDEX "bookings_person_idx" ON "bookings" USING btree ("person_id","day");--> statement-breakpoint
CREATE UNIQUE INDEX "facility_blackouts_day_uq" ON "facility_blackouts" USING btree ("facility_id","day");--> statement-breakpoint
CREATE UNIQUE INDEX "facility_units_name_uq" ON "facility_units" USING btree ("facility_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "lottery_applications_once_uq" ON "lottery_applications" USING btree ("round_id","person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "lottery_rounds_month_uq" ON "lottery_rounds" USING btree ("facility_id","month");
--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_no_overlap" EXCLUDE USING gist ("unit_id" WITH =, "during" WITH &&) WHERE ("state" IN ('held', 'confirmed'));--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_during_half_open" CHECK (lower_inc("during") AND NOT upper_inc("during") AND NOT isempty("during"));
