import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { openDatabase, type DbHandle } from './db/client.js';
import { ensureDevCenter, feedDevCrls } from './demo/dev-jpki.js';
import { seedDemoWorld } from './demo/seed.js';
import { loadStoredCrls } from './identity/crl-store.js';
import { createJpkiContext, type JpkiContext } from './jpki/index.js';

/** How often a process looks for CRLs other processes installed. */
const CRL_POLL_MS = 30_000;
/** How often dev mode asks the dev JPKI center for fresh CRLs (they are valid for a day). */
const DEV_CRL_FEED_MS = 6 * 3600_000;

/** A running platform process. */
export interface RunningPlatform {
  app: FastifyInstance;
  database: DbHandle;
  jpki: JpkiContext;
  /** The address it listens on, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

/** Opens the database, applies migrations, seeds the demo world if asked, and listens. */
export async function startPlatform(config: Readonly<Config>): Promise<RunningPlatform> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let app: FastifyInstance | undefined;
  const timers: ReturnType<typeof setInterval>[] = [];
  try {
    await database.migrate();
    if (config.seedDemo) await seedDemoWorld(database.db);
    if (config.jpkiMode === 'dev') await ensureDevCenter(config.jpkiDevDir);
    const jpki = await createJpkiContext(config);
    const identity = { db: database.db, jpki, config };
    let crlsSeen = await loadStoredCrls(identity, null);
    if (config.jpkiMode === 'dev') await feedDevCrls(identity, config.jpkiDevDir);
    let lastDevFeed = Date.now();
    // Other processes may install newer CRLs; pick them up (and, in dev, stand in for J-LIS daily).
    const crlTimer = setInterval(() => {
      void (async () => {
        crlsSeen = await loadStoredCrls(identity, crlsSeen);
        if (config.jpkiMode === 'dev' && Date.now() - lastDevFeed > DEV_CRL_FEED_MS) {
          lastDevFeed = Date.now();
          await feedDevCrls(identity, config.jpkiDevDir);
        }
      })().catch((err) => app?.log.warn({ err }, 'CRL refresh failed'));
    }, CRL_POLL_MS);
    crlTimer.unref();
    timers.push(crlTimer);
    app = await buildApp({ config, database, jpki });
    const url = await app.listen({ port: config.port, host: config.host });
    app.log.info({ database: database.kind }, 'platform ready');
    let closing: Promise<void> | undefined;
    const running: RunningPlatform = {
      app,
      database,
      jpki,
      url,
      close: () => (closing ??= (async () => {
        for (const t of timers) clearInterval(t);
        await running.app.close();
        await database.close();
      })()),
    };
    return running;
  } catch (err) {
    for (const t of timers) clearInterval(t);
    await app?.close().catch(() => {});
    await database.close().catch(() => {});
    throw err;
  }
}
