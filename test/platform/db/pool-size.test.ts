import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../platform/src/db/client.js';
import { freshDatabase } from '../../helpers/database.js';

/** DATABASE_POOL_SIZE reaches the pool: never more connections to PostgreSQL than it says (PGlite has one). */
const database = await freshDatabase();
afterAll(() => database.close());

describe('the database pool size', () => {
  it('opens at most poolSize connections however many queries run at once', async () => {
    const handle = await openDatabase({ databaseUrl: database.url, dataDir: null, poolSize: 2 });
    try {
      // Each query holds its connection a moment, so six at once would need six connections.
      const pids = await Promise.all(Array.from({ length: 6 }, async () => {
        const result = await handle.db.execute(sql`select pg_backend_pid() as pid, pg_sleep(0.2)`);
        return (result as unknown as { rows: { pid: number }[] }).rows[0]!.pid;
      }));
      expect(new Set(pids).size).toBeLessThanOrEqual(handle.kind === 'postgres' ? 2 : 1);
      expect(pids).toHaveLength(6);
    } finally {
      await handle.close();
    }
  });
});
