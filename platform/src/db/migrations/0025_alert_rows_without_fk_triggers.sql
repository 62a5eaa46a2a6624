-- alert_targets and alert_receipts without foreign keys (issue 13 §5): both are written only by one
-- statement each, which takes its ids from joins on the referenced tables (targetAlert's INSERT … SELECT;
-- writeReceipts joins alert_targets), and nothing deletes alerts, households, districts, shelters,
-- devices or persons. The eight FK triggers were 0.9 s of targeting a 20,000-home town, on every TV's
-- delivery time, and four more per receipt while the TVs are still being reached.
ALTER TABLE "alert_receipts" DROP CONSTRAINT "alert_receipts_alert_id_alerts_id_fk";
--> statement-breakpoint
ALTER TABLE "alert_receipts" DROP CONSTRAINT "alert_receipts_device_id_devices_id_fk";
--> statement-breakpoint
ALTER TABLE "alert_receipts" DROP CONSTRAINT "alert_receipts_household_id_households_id_fk";
--> statement-breakpoint
ALTER TABLE "alert_receipts" DROP CONSTRAINT "alert_receipts_person_id_persons_id_fk";
--> statement-breakpoint
ALTER TABLE "alert_targets" DROP CONSTRAINT "alert_targets_alert_id_alerts_id_fk";
--> statement-breakpoint
ALTER TABLE "alert_targets" DROP CONSTRAINT "alert_targets_household_id_households_id_fk";
--> statement-breakpoint
ALTER TABLE "alert_targets" DROP CONSTRAINT "alert_targets_district_id_districts_id_fk";
--> statement-breakpoint
ALTER TABLE "alert_targets" DROP CONSTRAINT "alert_targets_shelter_id_shelters_id_fk";
