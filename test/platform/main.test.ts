import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/database.js';
import { copyJpkiCenter } from '../helpers/jpki-fixtures.js';
import { freePort, runTs, waitForOk } from '../helpers/process.js';

const ENTRY = 'platform/src/main.ts';

describe('platform process', { timeout: 90_000 }, () => {
  it('refuses to start on a bad setting and lists every problem', async () => {
    const run = runTs(ENTRY, [], { PORT: 'x', JPKI_MODE: 'nope', DATABASE_URL: '' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('PORT must be an integer');
    expect(run.output()).toContain('JPKI_MODE must be');
  });

  it('refuses to seed the demo world in production (its TV secrets are public) and exits 1', async () => {
    const run = runTs(ENTRY, [], {
      JPKI_MODE: 'production', SEED_DEMO: 'true', CERT_LOOKUP_SECRET: 'l'.repeat(32), NONCE_SECRET: 'n'.repeat(32), DATABASE_URL: '',
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('SEED_DEMO must be false when JPKI_MODE=production');
  });

  it('serves /healthz within 30 s, seeds the demo world, and exits 0 on SIGTERM, even when asked twice', async () => {
    const database = await freshDatabase();
    afterAll(() => database.close());
    const [port, operatorPort] = [await freePort(), await freePort()];
    const run = runTs(ENTRY, [], {
      PORT: String(port),
      OPERATOR_PORT: String(operatorPort),
      SHELTER_PORT: '0',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'cap-main-')),
      DATABASE_URL: database.url ?? '',
      DATABASE_OWNER_URL: database.ownerUrl ?? '',
      // A ready dev JPKI center: this measures the platform's start, not the J-LIS simulator's key generation.
      JPKI_DEV_DIR: await copyJpkiCenter(),
      LOG_LEVEL: 'info',
    });
    const ms = await waitForOk(`http://127.0.0.1:${port}/healthz`, 30_000, run.child);
    expect(ms).toBeLessThan(30_000);
    const health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', database: { kind: database.url ? 'postgres' : 'pglite' } });
    // A supervisor that repeats itself must not cut the graceful stop short.
    run.child.kill('SIGTERM');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('shutting down');
  });
});
