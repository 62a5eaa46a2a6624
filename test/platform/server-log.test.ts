import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { AppDeps } from '../../platform/src/app.js';
import { loadConfig } from '../../platform/src/config.js';
import { CRL_CHANNEL } from '../../platform/src/identity/crl-store.js';
import { startPlatform } from '../../platform/src/server.js';
import { freshDatabase, TEST_DATABASE_URL } from '../helpers/database.js';
import { copyJpkiCenter } from '../helpers/jpki-fixtures.js';

// startPlatform follows other processes' CRLs (LISTEN/NOTIFY) before it builds the app: a refresh
// that fails in between is logged through the process's logger, not lost for want of app.log.

const hooks = vi.hoisted(() => ({
  /** While set, loading the stored CRLs fails (as an unreadable store would); `refused` then settles. */
  crlsUnreadable: null as null | (() => void),
  /** Runs as the app is about to be built, with what it is built from. */
  beforeApp: async (_deps: AppDeps) => {},
}));

vi.mock('../../platform/src/identity/crl-store.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../platform/src/identity/crl-store.js')>();
  return {
    ...real,
    loadStoredCrls: async (...args: Parameters<typeof real.loadStoredCrls>) => {
      if (hooks.crlsUnreadable) {
        hooks.crlsUnreadable();
        throw new Error('stored CRLs unreadable');
      }
      return real.loadStoredCrls(...args);
    },
  };
});

vi.mock('../../platform/src/app.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../platform/src/app.js')>();
  return { ...real, buildApp: async (deps: AppDeps) => (await hooks.beforeApp(deps), real.buildApp(deps)) };
});

describe('platform start', { timeout: 90_000 }, () => {
  it('logs a CRL refresh that fails while the app is being built (a NOTIFY then) as a warning through the process logger', async () => {
    const shared = TEST_DATABASE_URL ? await freshDatabase() : null;
    afterAll(() => shared?.close());
    const config = loadConfig({
      PORT: '0', OPERATOR_PORT: '0', SHELTER_PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'silent',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'cap-server-log-')),
      DATABASE_URL: shared?.url ?? '', DATABASE_OWNER_URL: shared?.ownerUrl ?? '',
      JPKI_DEV_DIR: await copyJpkiCenter(),
    });
    let warn: MockInstance | undefined;
    hooks.beforeApp = async ({ database, logger }) => {
      warn = vi.spyOn(logger!, 'warn');
      // Another process stored a CRL; this one cannot read the store just now.
      const refused = new Promise<void>((resolve) => (hooks.crlsUnreadable = resolve));
      await database.db.execute(sql`select pg_notify(${CRL_CHANNEL}, 'auth')`);
      await refused;
      hooks.crlsUnreadable = null;
      // The refresh's rejection reaches its handler on the next turn.
      await new Promise((resolve) => setImmediate(resolve));
    };
    const platform = await startPlatform(config);
    try {
      const logged = warn!.mock.calls.filter((call) => call[1] === 'CRL refresh failed');
      expect(logged).toHaveLength(1);
      expect((logged[0]![0] as { err: Error }).err.message).toBe('stored CRLs unreadable');
      // The same logger the app logs with.
      expect(platform.app.log.warn).toBe(warn);
    } finally {
      await platform.close();
    }
  });
});
