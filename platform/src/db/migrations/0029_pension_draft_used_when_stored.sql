ALTER TABLE "pension_drafts" ADD COLUMN "signature_sha256" text;--> statement-breakpoint
ALTER TABLE "pension_submissions" ADD COLUMN "draft_id" uuid;--> statement-breakpoint
ALTER TABLE "pension_submissions" ADD CONSTRAINT "pension_submissions_draft_id_pension_drafts_id_fk" FOREIGN KEY ("draft_id") REFERENCES "public"."pension_drafts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "pension_submissions_draft_uq" ON "pension_submissions" USING btree ("draft_id");