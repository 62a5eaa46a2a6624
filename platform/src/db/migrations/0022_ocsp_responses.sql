CREATE TABLE "ocsp_responses" (
	"sha256" text PRIMARY KEY NOT NULL,
	"der" "bytea" NOT NULL,
	"produced_at" timestamp with time zone NOT NULL,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Kept OCSP responses are evidence: never changed or removed (the platform role lacks the right too).
CREATE OR REPLACE FUNCTION ocsp_responses_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'ocsp_responses is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER ocsp_responses_append_only
  BEFORE UPDATE OR DELETE ON ocsp_responses
  FOR EACH ROW EXECUTE FUNCTION ocsp_responses_refuse_change();
