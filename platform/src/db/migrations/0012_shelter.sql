CREATE TABLE "shelter_events" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"device_id" uuid NOT NULL,
	"sequence" bigint NOT NULL,
	"municipality_id" uuid NOT NULL,
	"shelter_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"method" text NOT NULL,
	"person_id" uuid,
	"name" text,
	"birth_date" date,
	"subject" text NOT NULL,
	"to_shelter_id" uuid,
	"revocation" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"result" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "der_sha256" text;--> statement-breakpoint
ALTER TABLE "shelter_events" ADD CONSTRAINT "shelter_events_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shelter_events" ADD CONSTRAINT "shelter_events_municipality_id_organisations_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shelter_events" ADD CONSTRAINT "shelter_events_shelter_id_shelters_id_fk" FOREIGN KEY ("shelter_id") REFERENCES "public"."shelters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shelter_events" ADD CONSTRAINT "shelter_events_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shelter_events" ADD CONSTRAINT "shelter_events_to_shelter_id_shelters_id_fk" FOREIGN KEY ("to_shelter_id") REFERENCES "public"."shelters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "shelter_events_device_sequence_uq" ON "shelter_events" USING btree ("device_id","sequence");--> statement-breakpoint
CREATE INDEX "shelter_events_subject_idx" ON "shelter_events" USING btree ("municipality_id","subject","received_at");--> statement-breakpoint
CREATE INDEX "shelter_events_shelter_idx" ON "shelter_events" USING btree ("shelter_id","received_at");--> statement-breakpoint
-- Check-in events are immutable: who is where is a projection of them, never an edit.
CREATE OR REPLACE FUNCTION shelter_events_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'shelter_events are immutable (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER shelter_events_immutable
  BEFORE UPDATE OR DELETE ON shelter_events
  FOR EACH ROW EXECUTE FUNCTION shelter_events_refuse_change();
