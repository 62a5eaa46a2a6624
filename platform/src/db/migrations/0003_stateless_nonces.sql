CREATE TABLE "used_nonces" (
	"mac" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
DROP TABLE "nonces" CASCADE;