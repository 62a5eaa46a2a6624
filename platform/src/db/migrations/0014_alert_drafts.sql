CREATE TABLE "alert_drafts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"municipality_id" uuid NOT NULL,
	"action" text NOT NULL,
	"references_alert_id" uuid,
	"status" text NOT NULL,
	"level" text,
	"event" text DEFAULT '' NOT NULL,
	"headline" text DEFAULT '' NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"district_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"shelter_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"valid_minutes" integer NOT NULL,
	"state" text DEFAULT 'draft' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"composed_by" uuid NOT NULL,
	"approved_by" uuid,
	"published_alert_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_settings" (
	"municipality_id" uuid PRIMARY KEY NOT NULL,
	"approval_required" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alert_drafts" ADD CONSTRAINT "alert_drafts_municipality_id_organisations_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_drafts" ADD CONSTRAINT "alert_drafts_references_alert_id_alerts_id_fk" FOREIGN KEY ("references_alert_id") REFERENCES "public"."alerts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_drafts" ADD CONSTRAINT "alert_drafts_composed_by_staff_members_id_fk" FOREIGN KEY ("composed_by") REFERENCES "public"."staff_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_drafts" ADD CONSTRAINT "alert_drafts_approved_by_staff_members_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."staff_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_drafts" ADD CONSTRAINT "alert_drafts_published_alert_id_alerts_id_fk" FOREIGN KEY ("published_alert_id") REFERENCES "public"."alerts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_settings" ADD CONSTRAINT "alert_settings_municipality_id_organisations_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_drafts_municipality_state_idx" ON "alert_drafts" USING btree ("municipality_id","state");