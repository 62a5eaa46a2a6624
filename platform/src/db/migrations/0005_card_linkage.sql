CREATE TABLE "card_linkages" (
	"sign_lookup_key" text PRIMARY KEY NOT NULL,
	"auth_lookup_key" text NOT NULL,
	"ingested_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "card_linkages_auth_lookup_key_unique" UNIQUE("auth_lookup_key")
);
