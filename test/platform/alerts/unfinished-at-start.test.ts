import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestAlert } from '../../../platform/src/alerts/ingest.js';
import { parseAlertDocument } from '../../../platform/src/alerts/parse.js';
import { alerts, alertTargets } from '../../../platform/src/alerts/schema.js';
import type { Db, DbHandle } from '../../../platform/src/db/client.js';
import { seedDemoWorld } from '../../../platform/src/demo/seed.js';
import { capXml } from '../../helpers/cap-messages.js';
import { databaseForProcess } from '../../helpers/database.js';
import { copyJpkiCenter } from '../../helpers/jpki-fixtures.js';
import { freePort, runTs, waitForOk } from '../../helpers/process.js';

const started: ReturnType<typeof runTs>[] = [];
const toClose: DbHandle[] = [];
afterEach(async () => {
  for (const run of started.splice(0)) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  for (const handle of toClose.splice(0)) await handle.close().catch(() => {});
});

/**
 * An evacuation order stored as a process that stopped right after the storing transaction leaves
 * it, a minute ago: not targeted, not announced, `published_at` null. Its sender never sent it again.
 */
async function storedButNeverPublished(db: Db): Promise<string> {
  await seedDemoWorld(db);
  const { xml } = capXml({ identifier: `never-published-${Date.now()}` });
  const out = await ingestAlert(db, { municipalityCode: '162108', alert: parseAlertDocument(Buffer.from(xml)), channel: 'cli', actor: 'operator:cli', defaultTtlSeconds: 3600 });
  await db.update(alerts).set({ publishedAt: null, receivedAt: new Date(Date.now() - 60_000) }).where(eq(alerts.id, out.alertId));
  await db.delete(alertTargets).where(eq(alertTargets.alertId, out.alertId));
  return out.alertId;
}

describe('a platform process starting after one stopped between storing an alert and publishing it', { timeout: 120_000 }, () => {
  it('publishes it: targeted and recorded published (its TVs get it), with nobody sending it again', async () => {
    const { shared, dataDir, prepared: alertId, reopen } = await databaseForProcess('unfinished-alert-', storedButNeverPublished);
    if (shared) toClose.push(shared);
    const port = await freePort();
    const run = runTs('platform/src/main.ts', [], {
      PORT: String(port), OPERATOR_PORT: '0', SHELTER_PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'warn',
      DATA_DIR: dataDir, DATABASE_URL: shared?.url ?? '', DATABASE_OWNER_URL: shared?.ownerUrl ?? '', JPKI_DEV_DIR: await copyJpkiCenter(),
    });
    started.push(run);
    await waitForOk(`http://127.0.0.1:${port}/healthz`, 60_000, run.child);
    // Stopping waits for a sweep in progress: afterwards it has run, whatever the machine's speed.
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const check = await reopen();
    if (!shared) toClose.push(check);
    const [row] = await check.db.select({ publishedAt: alerts.publishedAt }).from(alerts).where(eq(alerts.id, alertId));
    expect(row!.publishedAt).not.toBeNull();
    expect((await check.db.select().from(alertTargets).where(eq(alertTargets.alertId, alertId))).length).toBeGreaterThan(0);
  });
});
