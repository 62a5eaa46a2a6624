CREATE TABLE "ocsp_responses" (
	"sha256" text PRIMARY KEY NOT NULL,
	"der" "bytea" NOT NULL,
	"produced_at" timestamp with time zone NOT NULL,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL
);
