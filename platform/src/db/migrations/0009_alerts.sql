CREATE TABLE "alert_conflicts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"municipality_id" uuid NOT NULL,
	"alert_id" uuid NOT NULL,
	"body_hash" text NOT NULL,
	"document" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_feed_credentials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"municipality_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "alert_feed_credentials_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "alert_receipts" (
	"alert_id" uuid NOT NULL,
	"device_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"answer" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alert_receipts_alert_id_device_id_kind_pk" PRIMARY KEY("alert_id","device_id","kind")
);
--> statement-breakpoint
CREATE TABLE "alert_targets" (
	"alert_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"district_id" uuid,
	"matched_by" text NOT NULL,
	"shelter_distance_m" double precision,
	CONSTRAINT "alert_targets_alert_id_household_id_pk" PRIMARY KEY("alert_id","household_id")
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"municipality_id" uuid NOT NULL,
	"sender" text NOT NULL,
	"identifier" text NOT NULL,
	"sent" text NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	"body_hash" text NOT NULL,
	"format" text NOT NULL,
	"status" text NOT NULL,
	"msg_type" text NOT NULL,
	"state" text NOT NULL,
	"supersedes" uuid,
	"superseded_by" uuid,
	"level" text,
	"expires_at" timestamp with time zone NOT NULL,
	"expires_defaulted" integer DEFAULT 0 NOT NULL,
	"document_id" text,
	"revision" integer,
	"channel" text NOT NULL,
	"document" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "households" ADD COLUMN "latitude" double precision;--> statement-breakpoint
ALTER TABLE "households" ADD COLUMN "longitude" double precision;--> statement-breakpoint
ALTER TABLE "alert_conflicts" ADD CONSTRAINT "alert_conflicts_municipality_id_organisations_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_conflicts" ADD CONSTRAINT "alert_conflicts_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_feed_credentials" ADD CONSTRAINT "alert_feed_credentials_municipality_id_organisations_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_receipts" ADD CONSTRAINT "alert_receipts_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_receipts" ADD CONSTRAINT "alert_receipts_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_receipts" ADD CONSTRAINT "alert_receipts_household_id_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."households"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_targets" ADD CONSTRAINT "alert_targets_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_targets" ADD CONSTRAINT "alert_targets_household_id_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."households"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_targets" ADD CONSTRAINT "alert_targets_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_municipality_id_organisations_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_sender_identifier_uq" ON "alerts" USING btree ("sender","identifier");--> statement-breakpoint
CREATE INDEX "alerts_municipality_state_idx" ON "alerts" USING btree ("municipality_id","state");--> statement-breakpoint
CREATE INDEX "alerts_document_idx" ON "alerts" USING btree ("municipality_id","document_id");