CREATE TABLE "pension_submissions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider_id" uuid NOT NULL,
	"service_uid" text NOT NULL,
	"policy_ref" text NOT NULL,
	"state" text NOT NULL,
	"pending" jsonb,
	"bundle" text,
	"signed_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sealed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "pension_submissions" ADD CONSTRAINT "pension_submissions_provider_id_service_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."service_providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "pension_submissions_pending_idx" ON "pension_submissions" USING btree ("state");--> statement-breakpoint
CREATE INDEX "pension_submissions_provider_idx" ON "pension_submissions" USING btree ("provider_id","created_at");