ALTER TABLE "alert_targets" ADD COLUMN "shelter_id" uuid;--> statement-breakpoint
ALTER TABLE "alert_targets" ADD CONSTRAINT "alert_targets_shelter_id_shelters_id_fk" FOREIGN KEY ("shelter_id") REFERENCES "public"."shelters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_targets_household_idx" ON "alert_targets" USING btree ("household_id");