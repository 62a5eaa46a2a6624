import { describe, expect, it, onTestFinished } from 'vitest';
import type { IdentityDeps } from '../../../platform/src/identity/deps.js';
import { CRL_CHANNEL, followStoredCrls, ingestCrl, loadStoredCrls } from '../../../platform/src/identity/crl-store.js';
import { buildCrl, buildPartitionedCrls } from '../../../platform/src/jpki/dev-center/index.js';
import { createJpkiContext } from '../../../platform/src/jpki/index.js';
import { testConfig } from '../../helpers/app.js';
import { freshDatabase } from '../../helpers/database.js';
import { copyJpkiCenter } from '../../helpers/jpki-fixtures.js';
import { listenThatGoesDeaf } from '../../helpers/listen.js';

/**
 * A fresh database, a private dev center and one process's JPKI state over them, for one test
 * (closed when it ends): no test sees a CRL another installed.
 */
async function processWorld() {
  const database = await freshDatabase();
  onTestFinished(() => database.close());
  const centerDir = await copyJpkiCenter();
  const config = testConfig({ jpkiDevDir: centerDir });
  const a: IdentityDeps = { db: database.db, jpki: await createJpkiContext(config), config };
  return { database, centerDir, config, a };
}

// Each test builds its own database, dev center and JPKI state: seconds, many more on a busy machine.
const OWN_WORLD = { timeout: 90_000 };

describe('CRLs shared between platform processes', OWN_WORLD, () => {
  it('a CRL one process installs reaches the others through NOTIFY, and later starters load it', async () => {
    // Two processes' worth of JPKI state over one database.
    const { database, centerDir, config, a } = await processWorld();
    const b: IdentityDeps = { db: database.db, jpki: await createJpkiContext(config), config };
    let seen: Date | null = null;
    let heard!: () => void;
    const loaded = new Promise<void>((resolve) => (heard = resolve));
    // Listening before the CRL is installed, so its NOTIFY cannot pass unheard.
    const unlisten = await database.listen(CRL_CHANNEL, () => {
      void loadStoredCrls(b, seen).then((newest) => {
        seen = newest;
        if (b.jpki.revocation.list().some((c) => c.purpose === 'auth')) heard();
      });
    });
    onTestFinished(() => unlisten());
    expect(b.jpki.revocation.list()).toEqual([]);
    const { der } = await buildCrl(centerDir, { which: 'auth', generation: '03', now: new Date() });
    const applied = await ingestCrl(a, 'auth', der);
    expect(applied.outcome).toBe('installed');
    await loaded;
    expect(b.jpki.revocation.list().map((c) => c.crlNumber)).toEqual([applied.crl.crlNumber]);

    const c: IdentityDeps = { db: database.db, jpki: await createJpkiContext(config), config };
    await loadStoredCrls(c, null);
    expect(c.jpki.revocation.list()).toHaveLength(1);
  });

  it('a process whose LISTEN was lost loads the CRL stored meanwhile once it listens again, though its NOTIFY never came', async () => {
    const { database, centerDir, config, a } = await processWorld();
    const b: IdentityDeps = { db: database.db, jpki: await createJpkiContext(config), config };
    const ears = await listenThatGoesDeaf(database);
    onTestFinished(() => ears.close());
    // Process b's refresh, as the platform's (server.ts): what is stored since the last one seen.
    let seen: Date | null = null;
    let refreshes = 0;
    let loaded!: () => void;
    const installed = new Promise<void>((resolve) => (loaded = resolve));
    const refresh = async () => {
      refreshes++;
      seen = await loadStoredCrls(b, seen);
      if (b.jpki.revocation.list().length) loaded();
    };
    const unlisten = await followStoredCrls(ears, refresh, (err) => expect.unreachable(String(err)));
    onTestFinished(() => unlisten());
    await ears.deafen(CRL_CHANNEL);
    const { der } = await buildCrl(centerDir, { which: 'auth', generation: '03', now: new Date() });
    const applied = await ingestCrl(a, 'auth', der);
    expect(applied.outcome).toBe('installed');
    await ears.hear(CRL_CHANNEL);
    // Resuming started the refresh: no NOTIFY did (it was sent while b was deaf).
    expect(refreshes).toBe(1);
    await installed;
    expect(b.jpki.revocation.list().map((c) => c.crlNumber)).toEqual([applied.crl.crlNumber]);
  });

  it('refuses an older CRL than the one in use, and stores nothing for it', async () => {
    const { database, centerDir, config, a } = await processWorld();
    const current = await buildCrl(centerDir, { which: 'auth', generation: '03', now: new Date() });
    expect((await ingestCrl(a, 'auth', current.der)).outcome).toBe('installed');
    const older = await buildCrl(centerDir, { which: 'auth', generation: '03', now: new Date(Date.now() - 3600_000) });
    await expect(ingestCrl(a, 'auth', older.der)).rejects.toMatchObject({ code: 'PKI_CRL_OUTDATED' });
    // A process starting now loads the current CRL only.
    const later: IdentityDeps = { db: database.db, jpki: await createJpkiContext(config), config };
    await loadStoredCrls(later, null);
    expect(later.jpki.revocation.list().map((c) => c.crlNumber)).toEqual(a.jpki.revocation.list().map((c) => c.crlNumber));
  });
});

describe('partitioned CRLs shared between platform processes', OWN_WORLD, () => {
  it('stores each DP\'s CRL on its own, refuses a mis-filed one, and a later starter loads every partition', async () => {
    const { database, centerDir, config, a } = await processWorld();
    const crls = await buildPartitionedCrls(centerDir, { which: 'auth', generation: '03', thisUpdate: new Date() });
    const [first, second] = crls;
    await expect(ingestCrl(a, 'auth', first!.der, undefined, { filedUnder: second!.distributionPoint })).rejects.toMatchObject({ code: 'PKI_CRL_PARTITION_MISMATCH' });
    expect(a.jpki.revocation.list()).toEqual([]);
    for (const crl of crls) expect((await ingestCrl(a, 'auth', crl.der, undefined, { filedUnder: crl.distributionPoint })).outcome).toBe('installed');
    const later: IdentityDeps = { db: database.db, jpki: await createJpkiContext(config), config };
    await loadStoredCrls(later, null);
    expect(later.jpki.revocation.list().map((c) => c.distributionPoint).sort()).toEqual(crls.map((c) => c.distributionPoint).sort());
  });
});
