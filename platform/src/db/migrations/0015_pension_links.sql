CREATE TABLE "pension_api_credentials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider_id" uuid NOT NULL,
	"secret_hash" text NOT NULL,
	"label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "pension_campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider_id" uuid NOT NULL,
	"title" text NOT NULL,
	"period" text NOT NULL,
	"deadline" timestamp with time zone NOT NULL,
	"reminder_dates" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pension_drafts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"device_id" uuid NOT NULL,
	"policy_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"document" text NOT NULL,
	"signed_attributes" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "pension_inbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"campaign_id" uuid,
	"policy_id" uuid,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"visible_from" timestamp with time zone DEFAULT now() NOT NULL,
	"opened_at" timestamp with time zone,
	"done_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pension_link_failures" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"device_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pension_policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider_id" uuid NOT NULL,
	"policy_ref" text NOT NULL,
	"due_month" integer NOT NULL,
	"link_code_hash" text,
	"link_code_expires_at" timestamp with time zone,
	"service_uid" text,
	"shares_basic4" boolean DEFAULT false NOT NULL,
	"basic4" jsonb,
	"linked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pension_submissions" ADD COLUMN "policy_id" uuid;--> statement-breakpoint
ALTER TABLE "pension_submissions" ADD COLUMN "campaign_id" uuid;--> statement-breakpoint
ALTER TABLE "pension_submissions" ADD COLUMN "changes_declared" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "pension_api_credentials" ADD CONSTRAINT "pension_api_credentials_provider_id_service_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."service_providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pension_campaigns" ADD CONSTRAINT "pension_campaigns_provider_id_service_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."service_providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pension_drafts" ADD CONSTRAINT "pension_drafts_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pension_drafts" ADD CONSTRAINT "pension_drafts_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pension_drafts" ADD CONSTRAINT "pension_drafts_policy_id_pension_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."pension_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pension_drafts" ADD CONSTRAINT "pension_drafts_campaign_id_pension_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."pension_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pension_inbox" ADD CONSTRAINT "pension_inbox_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pension_inbox" ADD CONSTRAINT "pension_inbox_provider_id_service_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."service_providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pension_inbox" ADD CONSTRAINT "pension_inbox_campaign_id_pension_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."pension_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pension_inbox" ADD CONSTRAINT "pension_inbox_policy_id_pension_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."pension_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pension_link_failures" ADD CONSTRAINT "pension_link_failures_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pension_policies" ADD CONSTRAINT "pension_policies_provider_id_service_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."service_providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "pension_campaigns_period_uq" ON "pension_campaigns" USING btree ("provider_id","period");--> statement-breakpoint
CREATE INDEX "pension_inbox_person_idx" ON "pension_inbox" USING btree ("person_id","visible_from");--> statement-breakpoint
CREATE UNIQUE INDEX "pension_inbox_campaign_uq" ON "pension_inbox" USING btree ("campaign_id","policy_id","kind","visible_from") WHERE "pension_inbox"."campaign_id" is not null;--> statement-breakpoint
CREATE INDEX "pension_link_failures_device_idx" ON "pension_link_failures" USING btree ("device_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "pension_policies_ref_uq" ON "pension_policies" USING btree ("provider_id","policy_ref");--> statement-breakpoint
CREATE UNIQUE INDEX "pension_policies_code_uq" ON "pension_policies" USING btree ("link_code_hash");--> statement-breakpoint
CREATE INDEX "pension_policies_uid_idx" ON "pension_policies" USING btree ("service_uid");--> statement-breakpoint
ALTER TABLE "pension_submissions" ADD CONSTRAINT "pension_submissions_policy_id_pension_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."pension_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pension_submissions" ADD CONSTRAINT "pension_submissions_campaign_id_pension_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."pension_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "pension_submissions_once_uq" ON "pension_submissions" USING btree ("campaign_id","policy_id");