import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { eachRow } from '../../../platform/src/db/each-row.js';
import { freshDatabase, TEST_DB_KIND } from '../../helpers/database.js';

/** A statement's rows handed over one by one (db/each-row.ts): in order, as they arrive, failures kept apart. */
const database = await freshDatabase();
afterAll(() => database.close());
const { db } = database;

const series = (n: number) => sql`select g as n, to_json(array[g::text]) as names from generate_series(1, ${n}::int) g order by g`;

describe('eachRow', () => {
  it('hands over every row, in order, as the driver gives it (json parsed)', async () => {
    const rows: { n: number; names: string[] }[] = [];
    await eachRow<{ n: number; names: string[] }>(db, series(3000), (row) => rows.push(row));
    expect(rows).toHaveLength(3000);
    expect(rows[0]).toEqual({ n: 1, names: ['1'] });
    expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
  });

  it('rejects with what onRow threw, hands over nothing after it, and leaves the database usable', async () => {
    const seen: number[] = [];
    const thrown = new Error('bad row');
    await expect(eachRow<{ n: number }>(db, series(500), (row) => {
      seen.push(row.n);
      if (row.n === 10) throw thrown;
    })).rejects.toBe(thrown);
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const again: number[] = [];
    await eachRow<{ n: number }>(db, series(3), (row) => again.push(row.n));
    expect(again).toEqual([1, 2, 3]);
  });

  it('rejects with the server\'s error code for a statement it refuses, and the next statement runs', async () => {
    const refused = await eachRow(db, sql`select 1 / ${0}::int as n`, () => undefined).then(() => null, (e: unknown) => e);
    // PGlite's goes through drizzle, which wraps the driver's error.
    const { code } = ((refused as { cause?: unknown }).cause ?? refused) as { code?: string };
    expect(code).toBe('22012');
    const again: number[] = [];
    await eachRow<{ n: number }>(db, series(2), (row) => again.push(row.n));
    expect(again).toEqual([1, 2]);
  });

  if (TEST_DB_KIND === 'postgres') {
    it('on PostgreSQL, hands over the first rows while the server is still producing the last', async () => {
      // The last row waits for an advisory lock this test holds on a connection of its own: rows
      // handed over only once all are in would never come while it is held.
      const holder = new pg.Client({ connectionString: database.url! });
      await holder.connect();
      const key = 731_000 + Math.floor(Math.random() * 1000);
      try {
        await holder.query('select pg_advisory_lock($1)', [key]);
        let before = 0;
        let held = true;
        const reading = eachRow<{ n: number }>(db, sql`
          select g as n, case when g = 5000 then pg_advisory_xact_lock(${key}::bigint)::text end as waited
          from generate_series(1, 5000) g`, () => {
          if (held) before++;
        });
        reading.catch(() => undefined);
        await expect.poll(() => before, { timeout: 10_000 }).toBeGreaterThan(0);
        held = false;
        await holder.query('select pg_advisory_unlock($1)', [key]);
        await reading;
        expect(before).toBeLessThan(5000);
      } finally {
        await holder.end();
      }
    });
  }
});
