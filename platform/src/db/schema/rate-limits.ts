import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The rate limits' counters, shared by every platform process (plugins/rate-limits.ts): one row per
 * route and caller, a fixed window each. The key is a hash (of the route, the kind of limit and the
 * client IP or the device credential's hash), so no address is stored. Rows past `endsAt` count for
 * nothing and are purged (identity/expiry-sweep.ts).
 */
export const rateLimitWindows = pgTable('rate_limit_windows', {
  key: text('key').primaryKey(),
  endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
  hits: integer('hits').notNull(),
});
