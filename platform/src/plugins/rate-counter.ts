import { lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { rateLimitWindows } from '../db/schema/index.js';
import { preparedSql } from '../db/prepared.js';
import { WriteBatcher } from '../db/write-batcher.js';

/** One call counted: how many calls its key has had in the window so far, and when the window ends. */
export interface Count {
  hits: number;
  msLeft: number;
}

/**
 * Adds each key's hits and answers its count and time left: one prepared statement (parsed once per
 * connection), keys in sorted order.
 */
function countStatement(db: Db, windowMs: number) {
  const p = (name: string) => sql.placeholder(name);
  return preparedSql<{ key: string; hits: number; ms_left: number }>(db, `rate_limit_count_${windowMs}`, () => sql`
    insert into rate_limit_windows as w (key, ends_at, hits)
    select k, now() + make_interval(secs => ${windowMs / 1000}), n
    from unnest(${p('keys')}::text[], ${p('added')}::int[]) with ordinality as t(k, n, i)
    order by i
    on conflict (key) do update set
      hits = case when w.ends_at <= now() then excluded.hits else w.hits + excluded.hits end,
      ends_at = case when w.ends_at <= now() then excluded.ends_at else w.ends_at end
    returning key, hits, (extract(epoch from ends_at - now()) * 1000)::float8 as ms_left`);
}

/**
 * Fixed-window call counters in the database, so that every platform process behind a load balancer
 * counts against one limit (counters in each process's memory let N processes allow N times the
 * limit). Calls counted at the same moment share one statement (`WriteBatcher`): each key's hits of
 * the batch are added at once and every call gets its own place in them, so the counts are exact.
 * Keys are written in sorted order, so two statements (of two batches, or two processes) lock shared
 * rows in one order and never deadlock.
 */
export function rateCounter(db: Db, windowMs: number): (key: string) => Promise<Count> {
  const statement = countStatement(db, windowMs);
  const batcher = new WriteBatcher<string, Count>({
    maxInFlight: 2,
    maxBatch: 1000,
    run: async (keys) => {
      const added = new Map<string, number>();
      for (const key of keys) added.set(key, (added.get(key) ?? 0) + 1);
      const sorted = [...added.keys()].sort();
      const rows = await statement.execute({ keys: sorted, added: sorted.map((k) => added.get(k)!) });
      const after = new Map(rows.map((r) => [r.key, { hits: Number(r.hits), msLeft: Number(r.ms_left) }]));
      // Each call's place among its key's hits of this batch, in the order the calls came.
      const seen = new Map<string, number>();
      return keys.map((key) => {
        const { hits, msLeft } = after.get(key)!;
        const place = seen.get(key) ?? 0;
        seen.set(key, place + 1);
        return { hits: hits - added.get(key)! + place + 1, msLeft };
      });
    },
  });
  return (key) => batcher.submit(key);
}

/** Deletes the windows that ended before `now`. */
export async function purgeRateLimitWindows(db: Pick<Db, 'delete'>, now = new Date()): Promise<number> {
  return (await db.delete(rateLimitWindows).where(lt(rateLimitWindows.endsAt, now)).returning({ key: rateLimitWindows.key })).length;
}
