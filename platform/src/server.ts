import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { startAdminChannel } from './admin/channel.js';
import { publishUnfinished } from './alerts/ingest.js';
import { buildApp } from './app.js';
import { offerLapsedHolds } from './booking/bookings.js';
import type { Config } from './config.js';
import { openDatabase, type DbHandle } from './db/client.js';
import { ensureDevCenter, feedDevCrls, feedDevLinkage } from './demo/dev-jpki.js';
import { seedDemoWorld } from './demo/seed.js';
import { setAuditChainKey } from './identity/audit.js';
import { publishAuditCheckpoint } from './identity/audit-checkpoint.js';
import { followStoredCrls, loadStoredCrls } from './identity/crl-store.js';
import { completePendingSubmissions, hasPendingSubmissions } from './pension/submissions.js';
import { followDeviceWithdrawals } from './identity/devices.js';
import { startExpirySweep } from './identity/expiry-sweep.js';
import { createJpkiContext, type JpkiContext } from './jpki/index.js';
import { ownOriginHandler } from './plugins/ui-pages.js';
import { loggerOptions } from './shared/logger.js';
import { ensurePrivateDir } from './shared/private-fs.js';

/** Safety net behind LISTEN/NOTIFY: how often a process looks for CRLs other processes stored. */
const CRL_POLL_MS = 5 * 60_000;
/** How often used nonces and registrations in progress past their expiry are deleted. */
const EXPIRY_SWEEP_MS = 10 * 60_000;
const BOOKING_HOLD_SWEEP_MS = 60_000;
/**
 * Alerts stored but never published (the storing process stopped in between, and the message never
 * came again) are finished this often, once they are this old: an attempt publishing a town's alert
 * takes well under a second, so one still at work is nearly always left alone (and if not, the work
 * is only done twice). Of several processes sweeping at once, one takes each message on
 * (ingest.ts `publishUnfinished`).
 */
const UNPUBLISHED_ALERT_SWEEP_MS = 60_000;
const UNPUBLISHED_ALERT_AGE_MS = 30_000;
/** How often dev mode asks the dev JPKI center for fresh CRLs (they are valid for a day) and linkage. */
const DEV_CRL_FEED_MS = 6 * 3600_000;

/** A running platform process. */
export interface RunningPlatform {
  app: FastifyInstance;
  database: DbHandle;
  jpki: JpkiContext;
  /** The address it listens on, e.g. http://127.0.0.1:8080 */
  url: string;
  /** The operator console's own origin, e.g. http://127.0.0.1:8081 */
  operatorUrl: string;
  /** The shelter tablet page's own origin, e.g. http://127.0.0.1:8082 */
  shelterUrl: string;
  close(): Promise<void>;
}

/** Opens the database, applies migrations, seeds the demo world if asked, and listens. */
export async function startPlatform(config: Readonly<Config>): Promise<RunningPlatform> {
  setAuditChainKey(config.auditHmacSecret);
  // Holds the demo cards' keys and, by default, the dev center's and the embedded database.
  ensurePrivateDir(config.dataDir);
  // One logger per process: the database's LISTEN warnings and the app's requests share it.
  const logger = pino(loggerOptions(config.logLevel));
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    databaseOwnerUrl: config.databaseOwnerUrl,
    poolSize: config.databasePoolSize,
    listenHeartbeat: { intervalMs: config.databaseListenHeartbeatSeconds * 1000, timeoutMs: config.databaseListenHeartbeatTimeoutSeconds * 1000 },
    dataDir: config.dataDir,
    role: 'platform',
    log: logger,
  });
  let app: FastifyInstance | undefined;
  let operatorServer: Server | undefined;
  let shelterServer: Server | undefined;
  const timers: ReturnType<typeof setInterval>[] = [];
  // Stopped in this order on close: the admin channel first, then the database's listeners.
  const unlisteners: (() => Promise<void>)[] = [];
  try {
    await database.migrate();
    if (config.seedDemo) await seedDemoWorld(database.db);
    if (config.jpkiMode === 'dev') await ensureDevCenter(config.jpkiDevDir);
    const jpki = await createJpkiContext(config);
    const identity = { db: database.db, jpki, config };
    let crlsSeen = await loadStoredCrls(identity, null);
    if (config.jpkiMode === 'dev') {
      await feedDevCrls(identity, config.jpkiDevDir);
      await feedDevLinkage(identity, config.jpkiDevDir);
    }
    let lastDevFeed = Date.now();
    // Another process stored a newer CRL: load it now (NOTIFY), with a slow poll as a safety net.
    const refreshCrls = async () => {
      const before = crlsSeen;
      crlsSeen = await loadStoredCrls(identity, crlsSeen);
      // A newer CRL may complete submissions kept as "revocation pending" (never accepted without one).
      if (app && crlsSeen !== before && (await hasPendingSubmissions(database.db))) {
        const counts = await completePendingSubmissions(database.db, await app.pensionSeal.context());
        app.log.info(counts, 'pending pension submissions retried after a CRL');
      }
      if (config.jpkiMode === 'dev' && Date.now() - lastDevFeed > DEV_CRL_FEED_MS) {
        lastDevFeed = Date.now();
        await feedDevCrls(identity, config.jpkiDevDir);
        await feedDevLinkage(identity, config.jpkiDevDir);
      }
    };
    // These run before the app exists too (a NOTIFY while it is built): the process's logger, not app.log.
    const onError = (err: unknown) => logger.warn({ err }, 'CRL refresh failed');
    unlisteners.push(await followStoredCrls(database, refreshCrls, onError));
    unlisteners.push(await followDeviceWithdrawals(database));
    const crlTimer = setInterval(() => void refreshCrls().catch(onError), CRL_POLL_MS);
    crlTimer.unref();
    timers.push(crlTimer);
    const sweep = startExpirySweep(database.db, {
      everyMs: EXPIRY_SWEEP_MS,
      onSwept: (removed) => logger.debug(removed, 'expired nonces, registrations and rate-limit windows deleted'),
      onError: (err) => logger.warn({ err }, 'expiry sweep failed'),
    });
    unlisteners.push(sweep.stop);
    // Booking holds that ran out while someone waits for their slot go to the waitlist within a
    // minute (a hold lasts far longer), one run at a time; stop() waits for a run in progress.
    let offering: Promise<unknown> | null = null;
    const holdTimer = setInterval(() => {
      offering ??= offerLapsedHolds(database.db)
        .then((expired) => expired && logger.debug({ expired }, 'lapsed booking holds offered to their waitlist'), (err: unknown) => logger.warn({ err }, 'booking hold sweep failed'))
        .finally(() => (offering = null));
    }, BOOKING_HOLD_SWEEP_MS);
    holdTimer.unref();
    unlisteners.push(async () => {
      clearInterval(holdTimer);
      await offering;
    });
    // At start too: a process that stopped between storing an alert and announcing it may be this one.
    let finishing: Promise<unknown> | null = null;
    let stopping = false;
    const finishAlerts = () => {
      finishing ??= publishUnfinished(database.db, { olderThanMs: UNPUBLISHED_ALERT_AGE_MS, stopping: () => stopping })
        .then(({ finished, failed }) => {
          if (finished.length) logger.warn({ finished: finished.length }, 'alerts stored but never published: published now');
          for (const { alertId, err } of failed) logger.error({ err, alertId }, 'alert stored but never published: publishing it failed again');
        }, (err: unknown) => logger.warn({ err }, 'unpublished alert sweep failed'))
        .finally(() => (finishing = null));
    };
    finishAlerts();
    const alertTimer = setInterval(finishAlerts, UNPUBLISHED_ALERT_SWEEP_MS);
    alertTimer.unref();
    unlisteners.push(async () => {
      stopping = true;
      clearInterval(alertTimer);
      await finishing;
    });
    app = await buildApp({ config, database, jpki, logger });
    const log = app.log;
    // The audit chain head, signed, outside the database: cutting the newest entries shows.
    const checkpointAudit = async () => {
      const { published, verification } = await publishAuditCheckpoint(database.db, config);
      if (!verification.ok) log.error({ audit: verification }, 'audit log break: checkpoint not advanced');
      else if (published) log.debug({ seq: published.seq }, 'audit checkpoint published');
    };
    await checkpointAudit();
    const checkpointTimer = setInterval(() => void checkpointAudit().catch((err) => log.error({ err }, 'audit checkpoint failed')), config.auditCheckpointIntervalSeconds * 1000);
    checkpointTimer.unref();
    timers.push(checkpointTimer);
    if (database.kind === 'pglite') {
      // This process owns the embedded database: operator commands come here to run.
      const admin = await startAdminChannel(config.dataDir, { db: database.db, identity: async () => identity, audit: config, inviteTtlSeconds: config.staffInviteTtlSeconds, alertDefaultTtlSeconds: config.alertDefaultTtlSeconds }, app.log);
      unlisteners.unshift(() => admin.close());
    }
    const url = await app.listen({ port: config.port, host: config.host });
    operatorServer = createServer(ownOriginHandler(app, 'operator'));
    // The console's live channel (WebSocket) on its own origin: the same app takes the upgrade.
    const mainServer = app.server;
    operatorServer.on('upgrade', (req, socket, head) => mainServer.emit('upgrade', req, socket, head));
    const operatorUrl = await listenOn(operatorServer, config.operatorPort, config.host);
    shelterServer = createServer(ownOriginHandler(app, 'shelter'));
    const shelterUrl = await listenOn(shelterServer, config.shelterPort, config.host);
    app.log.info({ database: database.kind }, 'platform ready');
    let closing: Promise<void> | undefined;
    const running: RunningPlatform = {
      app,
      database,
      jpki,
      url,
      operatorUrl,
      shelterUrl,
      close: () => (closing ??= (async () => {
        for (const t of timers) clearInterval(t);
        for (const stop of unlisteners) await stop().catch(() => {});
        await closeServer(operatorServer);
        await closeServer(shelterServer);
        await running.app.close();
        // What was written since the last tick is vouched for too.
        await checkpointAudit().catch((err) => log.error({ err }, 'audit checkpoint failed'));
        await database.close();
      })()),
    };
    return running;
  } catch (err) {
    for (const t of timers) clearInterval(t);
    for (const stop of unlisteners) await stop().catch(() => {});
    await closeServer(operatorServer);
    await closeServer(shelterServer);
    await app?.close().catch(() => {});
    await database.close().catch(() => {});
    throw err;
  }
}

/** Listens and answers the base URL (`http://host:port`, IPv6 hosts in brackets). */
function listenOn(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      resolve(`http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`);
    });
  });
}

/** Stops a listener: no new connections, idle keep-alive ones closed, requests in flight finish. */
function closeServer(server: Server | undefined): Promise<void> {
  if (!server?.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
