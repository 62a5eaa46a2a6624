-- An alert's key (sender, identifier) is unique per municipality, not across them: a feed of one
-- municipality could otherwise store a neighbour's next message key first (an L-Alert document ID,
-- say), and the neighbour's real order would be refused as ALERT_CONFLICT (alerts/ingest.ts).
DROP INDEX "alerts_sender_identifier_uq";--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_municipality_sender_identifier_uq" ON "alerts" USING btree ("municipality_id","sender","identifier");