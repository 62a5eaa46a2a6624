-- Rate limits' counters shared by every platform process (plugins/rate-counter.ts). UNLOGGED: a
-- counter lost in a crash costs at most one minute's window, and no WAL is written per counted call.
CREATE UNLOGGED TABLE "rate_limit_windows" (
	"key" text PRIMARY KEY NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"hits" integer NOT NULL
);
