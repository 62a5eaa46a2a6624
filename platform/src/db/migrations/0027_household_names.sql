CREATE TABLE "household_names" (
	"household_id" uuid PRIMARY KEY NOT NULL,
	"names" text[] NOT NULL
);
--> statement-breakpoint
ALTER TABLE "household_names" ADD CONSTRAINT "household_names_household_id_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."households"("id") ON DELETE cascade ON UPDATE no action;