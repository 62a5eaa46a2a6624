CREATE TABLE "shelter_tablet_health" (
	"device_id" uuid PRIMARY KEY NOT NULL,
	"waiting" bigint NOT NULL,
	"reported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "shelter_tablet_health" ADD CONSTRAINT "shelter_tablet_health_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;