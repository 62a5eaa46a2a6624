import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, type DbHandle } from '../../../platform/src/db/client.js';
import { seedDemoWorld } from '../../../platform/src/demo/seed.js';
import { authenticateDevice } from '../../../platform/src/identity/devices.js';
import { buildCrl, buildPartitionedCrls } from '../../../platform/src/jpki/dev-center/index.js';
import { freshDatabase } from '../../helpers/database.js';
import { copyJpkiCenter } from '../../helpers/jpki-fixtures.js';
import { runTs } from '../../helpers/process.js';

const CLI = 'platform/src/cli/platform.ts';

/** The CLI's database: the test's PostgreSQL database, or (PGlite being one process's) its own folder. */
async function cliDatabase(dataDir: string): Promise<{ url: string | null; ownerUrl: string | null; open: () => Promise<DbHandle>; done: () => Promise<void> }> {
  const shared = await freshDatabase();
  if (shared.url) {
    await seedDemoWorld(shared.db);
    return { url: shared.url, ownerUrl: shared.ownerUrl, open: async () => shared, done: () => shared.close() };
  }
  await shared.close();
  const local = await openDatabase({ databaseUrl: null, dataDir });
  await local.migrate();
  await seedDemoWorld(local.db);
  await local.close();
  return { url: null, ownerUrl: null, open: async () => openDatabase({ databaseUrl: null, dataDir }), done: async () => {} };
}

/** A CLI data folder, its database and a private dev center, with the environment that names them. */
async function cliWorld() {
  const dataDir = mkdtempSync(join(tmpdir(), 'cli-'));
  const target = await cliDatabase(dataDir);
  const centerDir = await copyJpkiCenter();
  const env = { DATA_DIR: dataDir, DATABASE_URL: target.url ?? '', DATABASE_OWNER_URL: target.ownerUrl ?? '', JPKI_DEV_DIR: centerDir, LOG_LEVEL: 'silent' };
  return { dataDir, target, centerDir, env };
}

// Each case spawns tsx processes (a few seconds each on a busy 2-core machine).
describe('npm run platform', { timeout: 120_000 }, () => {
  it('provisions a household TV whose credential then authenticates, withdraws it, ingests a CRL and verifies the audit chain', async () => {
    const { dataDir, target, centerDir, env } = await cliWorld();
    try {
      const run = runTs(CLI, ['provision-device', '--kind', 'tv', '--household', 'CATV-0002', '--label', '居間のテレビ'], env);
      expect(await run.exited).toBe(0);
      const device = JSON.parse(run.output().slice(run.output().indexOf('{')));
      expect(device.credential).toMatch(/^Device [0-9a-f-]{36}:\S+$/);

      let check = await target.open();
      try {
        expect((await authenticateDevice(check.db, device.credential)).kind).toBe('tv');
      } finally {
        if (!target.url) await check.close();
      }

      const withdraw = runTs(CLI, ['withdraw-device', device.id], env);
      expect(await withdraw.exited).toBe(0);
      expect(withdraw.output()).toContain('"withdrawn": true');
      check = await target.open();
      try {
        await expect(authenticateDevice(check.db, device.credential)).rejects.toMatchObject({ code: 'AUTH_DEVICE_WITHDRAWN' });
      } finally {
        if (!target.url) await check.close();
      }

      const { der } = await buildCrl(centerDir, { which: 'auth', generation: '03', now: new Date() });
      const crlFile = join(dataDir, 'auth.crl');
      writeFileSync(crlFile, der);
      const ingest = runTs(CLI, ['ingest-crl', '--purpose', 'auth', crlFile], env);
      expect(await ingest.exited).toBe(0);
      expect(ingest.output()).toContain('"outcome": "installed"');

      const audit = runTs(CLI, ['verify-audit'], env);
      expect(await audit.exited).toBe(0);
      expect(audit.output()).toContain('"ok": true');
    } finally {
      await target.done();
    }
  });

  it('ingests a directory of partitioned CRLs, one DP each, listing a refused one beside the installed ones', async () => {
    const { dataDir, target, centerDir, env } = await cliWorld();
    try {
      const crls = await buildPartitionedCrls(centerDir, { which: 'auth', generation: '03', thisUpdate: new Date() });
      // The first partition alone: all installed, exit 0.
      const cleanDir = mkdtempSync(join(tmpdir(), 'cli-crls-'));
      writeFileSync(join(cleanDir, 'dp-000.crl'), crls[0]!.der);
      const clean = runTs(CLI, ['ingest-crl', '--purpose', 'auth', cleanDir], env);
      expect(await clean.exited).toBe(0);
      expect(JSON.parse(clean.output().slice(clean.output().indexOf('{')))).toMatchObject({ ingested: 1, refused: 0 });
      // The others beside a broken file: the others are installed, and the exit status (4) says one was not.
      const crlDir = mkdtempSync(join(tmpdir(), 'cli-crls-'));
      crls.slice(1).forEach((crl, i) => writeFileSync(join(crlDir, `dp-${String(i + 1).padStart(3, '0')}.crl`), crl.der));
      writeFileSync(join(crlDir, 'zz-broken.crl'), Buffer.from('not a CRL'));
      const ingest = runTs(CLI, ['ingest-crl', '--purpose', 'auth', crlDir], env);
      expect(await ingest.exited).toBe(4);
      // The JSON (stdout), then the warning (stderr): the object ends at the last line that is `}`.
      const text = ingest.output();
      const out = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('\n}') + 2));
      expect(out).toMatchObject({ ingested: crls.length - 1, refused: 1 });
      expect(out.results.at(-1)).toMatchObject({ file: 'zz-broken.crl', refused: 'PKI_MALFORMED' });
      expect(out.results.slice(0, -1).map((r: { distributionPoint: string }) => r.distributionPoint)).toEqual(crls.slice(1).map((c) => c.distributionPoint));
      expect(ingest.output()).toContain('1 CRL file(s) refused: zz-broken.crl (PKI_MALFORMED)');

      const single = join(cleanDir, 'dp-000.crl');
      const misfiled = runTs(CLI, ['ingest-crl', '--purpose', 'auth', '--dp', crls[1]!.distributionPoint, single], env);
      expect(await misfiled.exited).toBe(1);
      expect(misfiled.output()).toContain('PKI_CRL_PARTITION_MISMATCH');
    } finally {
      await target.done();
    }
  });

  it('says how to use it when the command is wrong', async () => {
    const run = runTs(CLI, ['provision-device', '--kind', 'toaster'], { DATA_DIR: mkdtempSync(join(tmpdir(), 'cli-')), DATABASE_URL: '' });
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('usage: npm run platform');
  });
});
