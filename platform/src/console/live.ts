import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { and, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Db, DbHandle } from '../db/client.js';
import { AppError } from '../shared/errors.js';
import { MessageAllowance } from '../shared/message-allowance.js';
import { CONSOLE_PREFIX } from '../staff/access.js';
import { staffSessions } from '../staff/schema.js';
import { authenticateStaff, describe, type StaffContext, type StaffSessionPolicy } from '../staff/staff-login.js';
import { STAFF_CHANGED_CHANNEL } from '../staff/staff.js';
import type { LiveClientMessage, LiveServerMessage } from './console-schemas.js';
import { dashboardOf, type Dashboard } from './dashboard.js';
import type { FunnelView } from '../alerts/alert-console-schemas.js';
import type { ShelterOverview } from '../shelter/shelter-schemas.js';
import { isUuid } from '../shared/uuid.js';
import { coalesced, coalescedBy } from '../shared/coalesced.js';

/** How often the live numbers are recomputed (once per organisation, shared by its open consoles). */
export const LIVE_TICK_MS = 2_000;
/** A console that has not authenticated by then is dropped. */
const AUTH_WINDOW_MS = 5_000;
/**
 * Messages one console may send: it sends a watch when its officer opens an alert or the shelters
 * page, so a burst of 120 and then 10 a second is far beyond a person; a script flooding watches
 * (each an overview or a funnel computed) is closed as malformed, and a real console would
 * reconnect after its backoff.
 */
const MESSAGE_BURST = 120;
const MESSAGES_PER_SECOND = 10;

/** WebSocket close codes the console page understands. */
export const LIVE_CLOSE = { ended: 4001, malformed: 4002 } as const;

interface Viewer {
  socket: WebSocket;
  context: StaffContext;
  lastSent: string;
  /** The alert whose funnel this console shows, if any (pushed when it changes). */
  watching: string | null;
  lastFunnel: string;
  /** Whether this console shows the shelters page (pushed on every change NOTIFY'd for its organisation). */
  shelters: boolean;
  lastShelters: string;
  /** This console's own overview and funnel, each computed at most once at a time (`coalesced`). */
  refreshShelters: () => void;
  refreshFunnel: () => void;
}

/** Live sources other services give the channel (kept out of this file so the console does not depend on them). */
export interface LiveSources {
  /** One alert's funnel for the caller's organisation; AppError STAFF_OUT_OF_SCOPE / REQ_NOT_FOUND when not theirs. */
  alertFunnel?: (organisationId: string, alertId: string) => Promise<FunnelView>;
  /** The shelters overview of an organisation, and the NOTIFY channel whose payload names an organisation whose overview changed. */
  shelters?: { channel: string; overview: (organisationId: string) => Promise<ShelterOverview> };
}

/** How often a watched shelters overview is recomputed without a NOTIFY (TV answers change 安否未確認 without one). */
export const SHELTERS_SAFETY_MS = 30_000;

/**
 * The console's live channel: one WebSocket per open console, authenticated by the staff token in
 * its first message, sent after the server's hello (browsers cannot set headers on a WebSocket). Every tick the hub computes each
 * watched organisation's dashboard once and sends it to that organisation's consoles when it
 * changed; it also drops consoles whose session ended (logout, idle, removal). A removal or a role
 * change in any process closes that staff member's consoles at once (NOTIFY staff_changed).
 */
export async function liveChannel(app: FastifyInstance, database: Pick<DbHandle, 'db' | 'listen'>, policy: StaffSessionPolicy, sources: LiveSources = {}): Promise<void> {
  const { db } = database;
  const viewers = new Set<Viewer>();
  let timer: NodeJS.Timeout | null = null;
  let ticking = false;

  const send = (socket: WebSocket, message: LiveServerMessage) => socket.send(JSON.stringify(message));
  const end = (viewer: Viewer) => {
    viewers.delete(viewer);
    send(viewer.socket, { type: 'ended', code: 'AUTH_SESSION_EXPIRED' });
    viewer.socket.close(LIVE_CLOSE.ended, 'session ended');
  };

  const tick = async () => {
    if (ticking || !viewers.size) return;
    ticking = true;
    try {
      const alive = await liveSessions(db, [...viewers].map((v) => v.context.sessionId), policy);
      const byOrg = new Map<string, Promise<Dashboard>>();
      const funnels = new Map<string, Promise<FunnelView>>();
      for (const viewer of [...viewers]) {
        if (!alive.has(viewer.context.sessionId)) {
          end(viewer);
          continue;
        }
        const org = viewer.context.organisation;
        if (viewer.context.permissions.has('dashboard.read')) {
          if (!byOrg.has(org.id)) byOrg.set(org.id, dashboardOf(db, org));
          const data = await byOrg.get(org.id)!;
          const { at: _at, ...content } = data;
          const fingerprint = JSON.stringify(content);
          if (fingerprint !== viewer.lastSent && viewers.has(viewer)) {
            viewer.lastSent = fingerprint;
            send(viewer.socket, { type: 'dashboard', data });
          }
        }
        await pushFunnel(viewer, funnels);
      }
      if (Date.now() - lastSheltersSweep >= SHELTERS_SAFETY_MS) {
        lastSheltersSweep = Date.now();
        for (const org of new Set([...viewers].filter((v) => v.shelters).map((v) => v.context.organisation.id))) pushShelters(org);
      }
    } catch (err) {
      app.log.warn({ err }, 'live console tick failed');
    } finally {
      ticking = false;
    }
  };

  // Not awaited, and never fatal: without NOTIFY (the database is down at start) a removed
  // member's console still closes at the next tick, when their session is found ended.
  const unlisten = database
    .listen(STAFF_CHANGED_CHANNEL, (staffId) => {
      for (const viewer of [...viewers]) if (viewer.context.staff.id === staffId) end(viewer);
    })
    .catch((err: unknown) => {
      app.log.warn({ err }, 'console live channel: no staff_changed notifications; removals apply at the next tick');
      return async () => undefined;
    });
  /** The shelters overview of `organisationId`, computed once, to each of `targets` where it changed. */
  const sendShelters = async (organisationId: string, targets: Viewer[]) => {
    const source = sources.shelters;
    if (!source || !targets.length) return;
    try {
      const data = await source.overview(organisationId);
      const fingerprint = JSON.stringify(data);
      for (const viewer of targets) {
        if (fingerprint === viewer.lastShelters || !viewers.has(viewer) || !viewer.shelters) continue;
        viewer.lastShelters = fingerprint;
        send(viewer.socket, { type: 'shelters', data });
      }
    } catch (err) {
      app.log.warn({ err }, 'live shelters overview failed');
    }
  };
  /** To every console of the organisation showing shelters: NOTIFYs arriving while one is computed fold into one more run. */
  const pushShelters = coalescedBy((organisationId: string) =>
    sendShelters(organisationId, [...viewers].filter((v) => v.shelters && v.context.organisation.id === organisationId)));
  const unlistenShelters = sources.shelters
    ? database.listen(sources.shelters.channel, (organisationId) => pushShelters(organisationId))
      .catch((err: unknown) => {
        app.log.warn({ err }, 'console live channel: no shelter notifications; the shelters page refreshes every 30 s');
        return async () => undefined;
      })
    : Promise.resolve(async () => undefined);
  let lastSheltersSweep = Date.now();

  /** The watched alert's funnel, computed once per alert per tick, sent when it changed. */
  const pushFunnel = async (viewer: Viewer, cache: Map<string, Promise<FunnelView>>) => {
    const alertId = viewer.watching;
    if (!alertId || !sources.alertFunnel) return;
    const key = `${viewer.context.organisation.id}/${alertId}`;
    if (!cache.has(key)) cache.set(key, sources.alertFunnel(viewer.context.organisation.id, alertId));
    try {
      const data = await cache.get(key)!;
      const fingerprint = JSON.stringify(data);
      if (fingerprint !== viewer.lastFunnel && viewers.has(viewer) && viewer.watching === alertId) {
        viewer.lastFunnel = fingerprint;
        send(viewer.socket, { type: 'alert-funnel', data });
      }
    } catch (err) {
      if (!(err instanceof AppError) || (err.code !== 'STAFF_OUT_OF_SCOPE' && err.code !== 'REQ_NOT_FOUND')) throw err;
      viewer.watching = null;
      send(viewer.socket, { type: 'watch-refused', alertId, code: err.code });
    }
  };

  /** A console names the alert whose funnel it shows (or null); only roles that may read alerts. */
  const watch = (viewer: Viewer, raw: unknown) => {
    let message: LiveClientMessage;
    try {
      message = JSON.parse(String(raw)) as LiveClientMessage;
    } catch {
      return;
    }
    if (message?.type === 'watch-shelters') {
      if (message.on && !viewer.context.permissions.has('shelters.read')) {
        send(viewer.socket, { type: 'shelters-refused', code: 'STAFF_PERMISSION_DENIED' });
        return;
      }
      viewer.shelters = message.on === true;
      viewer.lastShelters = '';
      if (viewer.shelters) viewer.refreshShelters();
      return;
    }
    if (message?.type !== 'watch-alert') return;
    const alertId = typeof message.alertId === 'string' && isUuid(message.alertId) ? message.alertId.toLowerCase() : null;
    if (alertId && !viewer.context.permissions.has('alerts.compose')) {
      send(viewer.socket, { type: 'watch-refused', alertId, code: 'STAFF_PERMISSION_DENIED' });
      return;
    }
    viewer.watching = alertId;
    viewer.lastFunnel = '';
    if (alertId) viewer.refreshFunnel();
  };

  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    for (const viewer of viewers) viewer.socket.close(1001, 'platform stopping');
    // The database may be gone already (closed first, or down): nothing left to stop listening to.
    await (await unlisten)().catch(() => undefined);
    await (await unlistenShelters)().catch(() => undefined);
  });

  app.get(`${CONSOLE_PREFIX}/live`, {
    websocket: true,
    // Authenticated by the first message, below: the access hook has no header to read here.
    config: { access: { public: true } },
    schema: { hide: true },
  }, (socket) => {
    // Messages that arrive before this handler runs (hooks may delay it) would be lost: the console
    // sends its token only after this hello.
    send(socket, { type: 'hello' });
    const deadline = setTimeout(() => socket.close(LIVE_CLOSE.ended, 'not authenticated'), AUTH_WINDOW_MS);
    let viewer: Viewer | null = null;
    let authenticating = false;
    const allowance = new MessageAllowance(MESSAGE_BURST, MESSAGES_PER_SECOND);
    socket.on('message', async (raw) => {
      if (!allowance.take()) {
        clearTimeout(deadline);
        socket.close(LIVE_CLOSE.malformed, 'too many messages');
        return;
      }
      if (viewer) {
        watch(viewer, raw);
        return;
      }
      let message: LiveClientMessage;
      try {
        // One authentication per socket: the console waits for `ready` before it sends anything else.
        if (authenticating) throw new Error('a message while authenticating');
        message = JSON.parse(String(raw)) as LiveClientMessage;
        if (message?.type !== 'auth' || typeof message.token !== 'string') throw new Error('not an auth message');
      } catch {
        clearTimeout(deadline);
        socket.close(LIVE_CLOSE.malformed, 'expected {type:"auth",token}');
        return;
      }
      authenticating = true;
      try {
        const context = await authenticateStaff(db, `Bearer ${message.token}`, policy);
        clearTimeout(deadline);
        // Closed while its session was looked up: nothing to register.
        if (socket.readyState !== socket.OPEN) return;
        const created: Viewer = {
          socket, context, lastSent: '', watching: null, lastFunnel: '', shelters: false, lastShelters: '',
          refreshShelters: coalesced(() => sendShelters(context.organisation.id, [created])),
          refreshFunnel: coalesced(() => pushFunnel(created, new Map()).catch((err: unknown) => app.log.warn({ err }, 'live alert funnel failed'))),
        };
        viewer = created;
        viewers.add(viewer);
        send(socket, { type: 'ready', me: describe(context) });
        timer ??= setInterval(() => void tick(), LIVE_TICK_MS);
        void tick();
      } catch (err) {
        clearTimeout(deadline);
        send(socket, { type: 'ended', code: err instanceof AppError && err.code === 'AUTH_REQUIRED' ? 'AUTH_REQUIRED' : 'AUTH_SESSION_EXPIRED' });
        socket.close(LIVE_CLOSE.ended, 'not authenticated');
      }
    });
    socket.on('close', () => {
      clearTimeout(deadline);
      if (viewer) viewers.delete(viewer);
      if (!viewers.size && timer) {
        clearInterval(timer);
        timer = null;
      }
    });
  });
}

/** Which of these sessions are still live (not ended, expired or idle), without extending them. */
async function liveSessions(db: Db, ids: string[], policy: StaffSessionPolicy): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const idleFloor = new Date(Date.now() - policy.idleSeconds * 1000);
  const rows = await db.select({ id: staffSessions.id }).from(staffSessions)
    .where(and(inArray(staffSessions.id, ids), isNull(staffSessions.endedAt), gt(staffSessions.expiresAt, sql`now()`), gt(staffSessions.lastSeenAt, idleFloor)));
  return new Set(rows.map((r) => r.id));
}
