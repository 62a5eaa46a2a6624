-- A submission the CRL found revoked while it waited (state certificate_revoked) no longer counts
-- as the campaign's one answer: the person renews the certificate and confirms again.
DROP INDEX "pension_submissions_once_uq";--> statement-breakpoint
CREATE UNIQUE INDEX "pension_submissions_once_uq" ON "pension_submissions" USING btree ("campaign_id","policy_id") WHERE "pension_submissions"."state" <> 'certificate_revoked';