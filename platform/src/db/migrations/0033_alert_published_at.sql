-- When an alert's publishing (targeting, receipts carried over, NOTIFY) was done; null while it is
-- stored but not published, so that the same message sent again finishes it (alerts/ingest.ts).
ALTER TABLE "alerts" ADD COLUMN "published_at" timestamp with time zone;--> statement-breakpoint
-- The alerts stored before: published as they were stored.
UPDATE "alerts" SET "published_at" = "received_at";
