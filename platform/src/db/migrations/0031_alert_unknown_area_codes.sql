-- The district codes an alert named that its municipality does not know, and whether an area
-- became the whole municipality because of them (alerts/targeting.ts areaCodeOutcome): shown to the
-- officers instead of a silent fallback to every household.
ALTER TABLE "alerts" ADD COLUMN "unknown_area_codes" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "widened_to_municipality" boolean DEFAULT false NOT NULL;