import { FormatRegistry } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { and, eq, inArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { DbHandle } from '../db/client.js';
import type { Device } from '../db/schema/index.js';
import { DEVICE_TEST_ALERTS_CHANNEL, DEVICE_WITHDRAWN_CHANNEL } from '../identity/devices.js';
import { authenticateSession } from '../identity/sessions.js';
import { AppError } from '../shared/errors.js';
import { MessageAllowance } from '../shared/message-allowance.js';
import { TV_ALERT_CLOSE, TV_ALERT_PATH, TvAlertClientMessage, type ReceiptKind, type TvAlertServerMessage } from './alerts-schemas.js';
import { ALERT_STORED_CHANNEL } from './announce.js';
import { isExtension } from './extension.js';
import { WriteBatcher } from '../db/write-batcher.js';
import { receiptWriter } from './receipts.js';
import { alerts, alertReceipts } from './schema.js';
import { aimAt, targetedAmong, targetingContext } from './targeting.js';
import { tvConnector, tvStates, type ActiveForTv, type TvConnection } from './tv-connect.js';
import { alertFrames, greetingBytes, type FrameOptions, type GreetingBytes } from './tv-frames.js';
import { changedHousehold, EVERY_HOUSEHOLD, homesOf, type Home } from './tv-homes.js';
import { residentVisible, tvAlertViews, type AlertTarget, type TvAlertView } from './tv-views.js';

// TypeBox's own checker knows no formats until told (Fastify's Ajv checks the HTTP routes).
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v));

/** Compiled once: 20,000 TVs answer an alert within a second, three messages each. */
const clientMessage = TypeCompiler.Compile(TvAlertClientMessage);

/** A TV that has not authenticated by then is dropped. */
const AUTH_WINDOW_MS = 10_000;

/**
 * Messages one socket may send: a burst of MESSAGE_BURST, then MESSAGES_PER_SECOND. A TV sends three
 * receipts per alert, and on reconnecting every receipt not yet confirmed (stb-ui keeps at most 200);
 * a script with a stolen credential would send thousands a second, each a write and, with a session
 * token, a lookup. Past the limit the socket is refused (REQ_RATE_LIMITED, closed as malformed): the
 * TV connects again after its backoff and resends what was not confirmed.
 */
const MESSAGE_BURST = 600;
const MESSAGES_PER_SECOND = 20;

interface Tv {
  socket: WebSocket;
  device: Device;
  householdId: string;
  /** The alerts this TV holds, as far as this process knows (its `have`, then what was sent). */
  held: Set<string>;
  /** Flagged by the operator: shows Test and Exercise messages too. */
  testAlerts: boolean;
  /** Receipts stored since this TV was last told (one `receipted` per TV per stored batch, not one per receipt). */
  stored: { alertId: string; kind: ReceiptKind }[];
  /** When this TV is next sent a `beat` (HEARTBEAT_MS after connecting, then every HEARTBEAT_MS). */
  nextBeatAt: number;
}

/**
 * How often each TV hears from the platform, at the least: a `beat` (told in `ready`). A link can die
 * without a close reaching the TV (a NAT or router dropping it, a process hung); the TV takes
 * silence for that and connects again (stb-ui alerts-client.ts), instead of waiting for an alert
 * that can never arrive. Beats go by each TV's own time of connecting, at most MAX_BEATS_PER_TICK
 * a second, so a process's 20,000 TVs are not all sent one in the same moment as an alert.
 */
export const HEARTBEAT_MS = 25_000;
const MAX_BEATS_PER_TICK = 2_000;
const BEAT_FRAME = JSON.stringify({ type: 'beat' } satisfies TvAlertServerMessage);

/** A new alert's frame for a TV that holds nothing it replaces: what nearly every TV is sent. */
const FRESH: FrameOptions = { acknowledged: false, replaces: [], extension: false };
const isFresh = (o: FrameOptions) => !o.acknowledged && !o.replaces.length && !o.extension;

/** How long stored receipts gather before their TVs are told (one `receipted` per TV). */
const CONFIRM_GATHER_MS = 1000;

/** A household's Home that could not be read again after a change is tried again after this, doubling up to the max. */
const HOME_RETRY_MS = 1000;
const HOME_RETRY_MAX_MS = 60_000;

/** setTimeout's longest wait is about 24.8 days; the expiry timer re-arms past this. */
const MAX_TIMER_MS = 3_600_000;

/**
 * The TVs' alert channel (issue 13 §4–§5): one WebSocket per TV, authenticated by the device
 * credential in its first message (browsers cannot set headers on a WebSocket). On connecting,
 * the TV says which alerts it holds; it gets the household's still-active Actual alerts it lacks,
 * each once, and learns which of its own are gone. Then every alert stored in any process
 * (NOTIFY alert_stored) is pushed live by the process the TV is connected to: a new alert or an
 * Update (replacing what it supersedes) to the targeted households, a Cancel as a withdrawal.
 * Test and Exercise messages go only to TVs the operator flagged for test alerts. An alert that
 * expires while TVs hold it is withdrawn from them (`reason: 'expired'`); an Update that only
 * extends the expiry comes marked `extension`, acknowledged where its predecessor was. Receipts come back on the same socket and are
 * written in batches (receipts.ts).
 */
export async function tvAlertChannel(
  app: FastifyInstance,
  database: Pick<DbHandle, 'db' | 'listen'>,
  /**
   * `connect`: the TV's lookup (tv-connect.ts); tests hold one open to order it against a publish.
   * `readHomes`: reading households again after a change (tv-homes.ts); tests make it fail.
   */
  options: { connect?: (credential: string) => Promise<TvConnection>; readHomes?: typeof homesOf; heartbeatMs?: number } = {},
): Promise<void> {
  const { db } = database;
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const connect = options.connect ?? tvConnector(db);
  const readHomes = options.readHomes ?? homesOf;
  const receipts = receiptWriter(db);
  const byHousehold = new Map<string, Set<Tv>>();
  /**
   * What a publish needs of each household with TVs here (tv-homes.ts), refreshed on
   * `changedHousehold`, with its greetings made ready for every alert's frames.
   */
  const homes = new Map<string, Home & { greetings: GreetingBytes }>();
  const keepHome = (householdId: string, home: Home) =>
    homes.set(householdId, { ...home, greetings: greetingBytes({ names: home.names, householdLabel: home.label }) });
  /** A message as JSON text, or its UTF-8 bytes (a publish's frames): either goes as a text frame. */
  const sendText = (socket: WebSocket, text: string | Buffer) => {
    if (socket.readyState === socket.OPEN) socket.send(text, { binary: false });
  };
  const send = (socket: WebSocket, message: TvAlertServerMessage) => sendText(socket, JSON.stringify(message));
  const sendAlert = (tv: Tv, view: TvAlertView, acknowledged: boolean, replaces: string[], extension = false) => {
    for (const id of replaces) tv.held.delete(id);
    tv.held.add(view.id);
    watchExpiry(view.id, Date.parse(view.expiresAt));
    send(tv.socket, { type: 'alert', alert: { ...view, acknowledged }, replaces, ...(extension ? { extension } : {}) });
  };

  // Expiry (issue 13 §4): when an alert a TV here holds runs out, the TV is told, so its overlay goes.
  const expiries = new Map<string, number>();
  let expiryTimer: ReturnType<typeof setTimeout> | null = null;
  let expiryAt = Infinity;
  const armExpiry = (at: number) => {
    if (expiryTimer) clearTimeout(expiryTimer);
    expiryAt = at;
    expiryTimer = setTimeout(onExpiry, Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS));
  };
  function watchExpiry(alertId: string, at: number) {
    expiries.set(alertId, at);
    if (at < expiryAt) armExpiry(at);
  }
  function onExpiry() {
    expiryTimer = null;
    expiryAt = Infinity;
    const now = Date.now();
    const due = [...expiries].filter(([, at]) => at <= now).map(([id]) => id);
    for (const id of due) expiries.delete(id);
    if (due.length) {
      for (const tvs of byHousehold.values()) {
        for (const tv of tvs) {
          const gone = due.filter((id) => tv.held.delete(id));
          if (gone.length) send(tv.socket, { type: 'withdrawn', alertIds: gone, reason: 'expired' });
        }
      }
    }
    if (expiries.size) armExpiry(Math.min(...expiries.values()));
  }
  const refuse = (socket: WebSocket, code: string) => {
    send(socket, { type: 'refused', code });
    socket.close(TV_ALERT_CLOSE.refused, 'refused');
  };

  /**
   * Pushes one stored message to this process's TVs. Messages are handled one after another, in the
   * order they were stored. Which households it reaches, and their shelters, are decided here from
   * the Homes kept for the TVs connected (tv-homes.ts) by the same rules targeting stored them by
   * (targeting.ts `aimAt`): the reads are the alert and its municipality's district codes and
   * shelters, a few rows at once, whatever the number of TVs. Then, with every TV sent its frame,
   * what was aimed at is compared with the stored targets, which the funnel and the receipts go by:
   * a household they hold that was missed is sent the alert, one they do not hold has it withdrawn.
   * 20,000-TV bench, two processes on PostgreSQL: reading the targets before sending was 240–350 ms
   * of every TV's delivery time.
   */
  const publish = async (alertId: string) => {
    if (!byHousehold.size) return;
    const reads = Promise.all([
      db.select({ id: alerts.id, state: alerts.state, status: alerts.status, msgType: alerts.msgType, expiresAt: alerts.expiresAt })
        .from(alerts).where(eq(alerts.id, alertId)),
      db.select({ id: alerts.id }).from(alerts).where(eq(alerts.supersededBy, alertId)),
      alertFrames(db, alertId),
      targetingContext(db, alertId),
    ]);
    const [[row], replacedRows, frames, context] = await reads;
    if (!row || !context) return;
    const replaced = replacedRows.map((r) => r.id);
    const reached = new Set<Tv>();
    const now = new Date();
    // Not Actual (Test, Exercise, …): only TVs flagged for test alerts.
    const forAll = residentVisible(row, now);
    const sending = frames && (forAll || residentVisible(row, now, true));
    const shows = (tv: Tv) => forAll || tv.testAlerts;
    // An extension is no new alarm: TVs that acknowledged what it extends get it acknowledged (receipts carried over at ingest).
    const extension = !!sending && replaced.length > 0 && await isExtension(db, alertId);
    const acked = extension ? new Set((await db.select({ deviceId: alertReceipts.deviceId }).from(alertReceipts)
      .where(and(eq(alertReceipts.alertId, alertId), eq(alertReceipts.kind, 'acknowledged')))).map((r) => r.deviceId)) : new Set<string>();
    const aimed = new Set<string>();
    const households = [...byHousehold.keys()];
    if (sending) {
      watchExpiry(alertId, frames.expiresAt);
      // One pass, no await: every TV here is sent its frame before anything else is handled.
      for (const householdId of households) {
        const home = homes.get(householdId);
        const aim = home && aimAt(context, home);
        if (!home || !aim) continue;
        aimed.add(householdId);
        const target: AlertTarget = {
          alertId, householdId,
          household: { names: home.names, householdLabel: home.label, ...(aim.shelter ? { shelter: { name: aim.shelter.name, distanceM: Math.round(aim.shelter.distanceM) } } : {}) },
        };
        let fresh: Buffer | null = null;
        for (const tv of byHousehold.get(householdId) ?? []) {
          if (!shows(tv)) continue;
          reached.add(tv);
          // Sent already (its resume found it in force): once is enough.
          if (tv.held.has(alertId)) continue;
          const replaces = replaced.filter((id) => tv.held.delete(id));
          tv.held.add(alertId);
          const options = { acknowledged: acked.has(tv.device.id), replaces, extension };
          sendText(tv.socket, isFresh(options) ? (fresh ??= frames.frame(target, FRESH, home.greetings)) : frames.frame(target, options, home.greetings));
        }
      }
    }
    try {
      // Before the withdrawals: a household the stored targets hold and this process missed gets
      // the Update as replacing what it held (an extension stays an extension), not a withdrawal
      // and then a fresh alarm.
      if (sending) await keepToStoredTargets(alertId, households, aimed, { shows, acked, extension, replaced, reached });
    } finally {
      if (replaced.length) {
        // A Cancel, or an Update that no longer reaches this household: what it replaced goes.
        for (const tvs of byHousehold.values()) {
          for (const tv of tvs) {
            if (reached.has(tv)) continue;
            const gone = replaced.filter((id) => tv.held.has(id));
            if (!gone.length) continue;
            for (const id of gone) tv.held.delete(id);
            send(tv.socket, { type: 'withdrawn', alertIds: gone });
          }
        }
      }
    }
  };

  /**
   * After a publish: the households here that the stored targets hold but the publish did not aim at
   * are sent the alert (as a reconnecting TV would be), and those it aimed at that they do not hold
   * have it withdrawn (their receipts would be dropped). Both mean a Home here was not what targeting
   * read — a change whose notification had not arrived yet, or that could not be read yet — and are
   * logged, by count. The TVs sent it here join `reached`, and what they held of `replaced`
   * is replaced, as for the others.
   */
  const keepToStoredTargets = async (
    alertId: string, households: string[], aimed: Set<string>,
    sent: { shows: (tv: Tv) => boolean; acked: Set<string>; extension: boolean; replaced: string[]; reached: Set<Tv> },
  ) => {
    const { shows, acked, extension, replaced, reached } = sent;
    const stored = await targetedAmong(db, alertId, households);
    const missed = households.filter((h) => stored.has(h) && !aimed.has(h));
    const strays = households.filter((h) => aimed.has(h) && !stored.has(h));
    if (!missed.length && !strays.length) return;
    app.log.warn({ alertId, missed: missed.length, strays: strays.length }, 'TV alert channel: households aimed at here differed from the stored targets; corrected');
    for (const householdId of strays) {
      for (const tv of byHousehold.get(householdId) ?? []) if (tv.held.delete(alertId)) send(tv.socket, { type: 'withdrawn', alertIds: [alertId] });
    }
    if (!missed.length) return;
    const views = (await tvAlertViews(db, [alertId], missed)).get(alertId);
    for (const householdId of missed) {
      const view = views?.get(householdId);
      if (!view) continue;
      for (const tv of byHousehold.get(householdId) ?? []) {
        if (!shows(tv)) continue;
        reached.add(tv);
        if (!tv.held.has(alertId)) sendAlert(tv, view, acked.has(tv.device.id), replaced.filter((id) => tv.held.has(id)), extension);
      }
    }
  };

  /**
   * The Homes of households whose TVs are here, refreshed when the database says they changed
   * (`changedHousehold`): on the queue, so a publish notified after the change finds it.
   * Changes notified together are read together.
   */
  let homesToRefresh: Set<string> | null = null;
  const refreshHomes = (householdIds: Iterable<string>) => {
    if (!homesToRefresh) {
      const batch = (homesToRefresh = new Set());
      queue = queue.then(async () => {
        if (homesToRefresh === batch) homesToRefresh = null;
        const ids = [...batch].filter((id) => byHousehold.has(id));
        try {
          for (const [id, home] of await readHomes(db, ids)) if (byHousehold.has(id)) keepHome(id, home);
          homeRetryMs = HOME_RETRY_MS;
        } catch (err) {
          // Kept as they were meanwhile — who is reached is still corrected against the stored
          // targets (`keepToStoredTargets`), a greeting or shelter may be the old one — and read
          // again after a pause, not left out of date until the household changes again.
          app.log.warn({ err, households: ids.length, retryInMs: homeRetryMs }, 'TV alert channel: households not read again; trying again');
          refreshHomesLater(ids);
        }
      }).catch((err: unknown) => app.log.warn({ err }, 'TV alert channel: households not refreshed'));
    }
    for (const id of householdIds) homesToRefresh!.add(id);
  };
  /** Households whose re-read failed, read again after `homeRetryMs` (doubling while the database does not answer). */
  const homesToRetry = new Set<string>();
  let homeRetryTimer: ReturnType<typeof setTimeout> | null = null;
  let homeRetryMs = HOME_RETRY_MS;
  const refreshHomesLater = (householdIds: string[]) => {
    for (const id of householdIds) homesToRetry.add(id);
    if (homeRetryTimer) return;
    homeRetryTimer = setTimeout(() => {
      homeRetryTimer = null;
      const ids = [...homesToRetry].filter((id) => byHousehold.has(id));
      homesToRetry.clear();
      if (ids.length) refreshHomes(ids);
    }, homeRetryMs);
    homeRetryMs = Math.min(homeRetryMs * 2, HOME_RETRY_MAX_MS);
  };
  const onHouseholdChanged = (payload: string) => {
    const ids = payload === EVERY_HOUSEHOLD ? [...byHousehold.keys()] : [payload];
    for (const changed of homesChangedWhileConnecting) for (const id of payload === EVERY_HOUSEHOLD ? [EVERY_HOUSEHOLD] : ids) changed.add(id);
    const here = ids.filter((id) => byHousehold.has(id));
    if (here.length) refreshHomes(here);
  };
  /** Like `connecting` for alerts: households changed while a TV was being looked up (its Home may predate the change). */
  const homesChangedWhileConnecting = new Set<Set<string>>();

  let queue = Promise.resolve();
  const onStored = (payload: string) => {
    // A household's place, label or names changed: its Home here is read again.
    const household = changedHousehold(payload);
    if (household !== null) return onHouseholdChanged(household);
    const alertId = payload;
    noteStoredWhileConnecting(alertId);
    queue = queue.then(() => publish(alertId)).catch((err: unknown) => app.log.warn({ err }, 'alert push failed'));
  };

  /**
   * The payloads of the alerts connecting TVs lack, for all TVs connecting together in one go (a
   * power cut's end: thousands of TVs back, each missing the same alert).
   */
  const missingViews = new WriteBatcher<{ householdId: string; alertIds: string[] }, Map<string, TvAlertView>>({
    maxInFlight: 1,
    maxBatch: 1000,
    gatherMs: 10,
    run: async (asks) => {
      const views = await tvAlertViews(db, [...new Set(asks.flatMap((a) => a.alertIds))], [...new Set(asks.map((a) => a.householdId))]);
      return asks.map((a) => new Map(a.alertIds.flatMap((id) => {
        const view = views.get(id)?.get(a.householdId);
        return view ? [[id, view] as const] : [];
      })));
    },
  });

  /** After authentication: what is gone of what the TV holds, then what it lacks. */
  const resume = async (tv: Tv, have: string[], active: ActiveForTv[]) => {
    const activeIds = active.map((a) => a.id);
    tv.held = new Set(have.filter((id) => activeIds.includes(id)));
    for (const a of active) if (tv.held.has(a.id)) watchExpiry(a.id, a.expiresAt);
    send(tv.socket, { type: 'ready', active: activeIds, now: Date.now(), heartbeatMs });
    await sendMissing(tv, active.filter((a) => !tv.held.has(a.id)));
  };
  /** Alerts in force the TV lacks, each sent unless it got it meanwhile. */
  const sendMissing = async (tv: Tv, missing: ActiveForTv[]) => {
    if (!missing.length) return;
    const views = await missingViews.submit({ householdId: tv.householdId, alertIds: missing.map((a) => a.id) });
    for (const a of missing) {
      const view = views.get(a.id);
      if (view && !tv.held.has(a.id)) sendAlert(tv, view, a.acknowledged, []);
    }
  };

  /**
   * A TV is looked up before it is registered for pushes: a message stored in between is in neither
   * (its lookup ran before the message was stored; its publish took the households before the TV was
   * there), and the TV would lack a new alert, or keep one cancelled or replaced, until it reconnects.
   * So each TV connecting notes the messages notified from before its lookup until its resume is done;
   * if there were any, it is looked up again once their publishes ran (on the same queue, so nothing
   * is sent twice) and told what those messages changed: the noted alerts in force that it lacks
   * (an Update replacing what it held), and what a noted Update or Cancel ended. Anything else is left
   * to the publishes still to come and to the expiry timer. TVs connecting together share one
   * catch-up (and their lookups one statement).
   */
  const connecting = new Set<Set<string>>();
  /** In a `notified` set: anything may have been stored (notifications were lost). */
  const EVERYTHING = '*';
  function noteStoredWhileConnecting(alertId: string) {
    for (const notified of connecting) notified.add(alertId);
    // A catch-up must run after the publishes its TVs noted: later TVs join a new one.
    catchUps = null;
  }
  let catchUps: Map<Tv, { credential: string; notified: Set<string> }> | null = null;
  const catchUpLater = (tv: Tv, credential: string, notified: Set<string>) => {
    if (!catchUps) {
      const batch = (catchUps = new Map());
      queue = queue.then(() => catchUp(batch)).catch((err: unknown) => app.log.warn({ err }, 'TV alert catch-up failed'));
    }
    catchUps.set(tv, { credential, notified });
  };
  const catchUp = async (batch: NonNullable<typeof catchUps>) => {
    if (catchUps === batch) catchUps = null;
    const looked = (await Promise.all([...batch].map(async ([tv, { credential, notified }]) => {
      if (tv.socket.readyState !== tv.socket.OPEN) return [];
      try {
        const { active } = await connect(credential);
        return [{ tv, notified, active }];
      } catch (err) {
        if (err instanceof AppError) refuse(tv.socket, err.code);
        else app.log.warn({ err }, 'TV alert channel: catch-up lookup failed');
        return [];
      }
    }))).flat();
    await reconcile(looked);
  };
  /**
   * Each TV told what the `notified` messages changed for it, given what is in force for it now:
   * the alerts it lacks (an Update replacing what it held) and what an Update or Cancel ended.
   * `notified` holding EVERYTHING: whatever was stored (an expired alert is the expiry timer's).
   */
  const reconcile = async (looked: { tv: Tv; notified: Set<string>; active: ActiveForTv[] }[]) => {
    const noted = (notified: Set<string>, id: string | null | undefined) => !!id && (notified.has(EVERYTHING) || notified.has(id));
    const outOfForce = new Map(looked.map(({ tv, active }) => {
      const inForce = new Set(active.map((a) => a.id));
      return [tv, [...tv.held].filter((id) => !inForce.has(id))];
    }));
    const ended = [...new Set([...outOfForce.values()].flat())];
    const endedBy = new Map(ended.length
      ? (await db.select({ id: alerts.id, by: alerts.supersededBy }).from(alerts).where(inArray(alerts.id, ended))).map((r) => [r.id, r.by])
      : []);
    await Promise.all(looked.map(async ({ tv, notified, active }) => {
      const missing = active.filter((a) => noted(notified, a.id) && !tv.held.has(a.id));
      const views = missing.length ? await missingViews.submit({ householdId: tv.householdId, alertIds: missing.map((a) => a.id) }) : new Map<string, TvAlertView>();
      let gone = outOfForce.get(tv)!.filter((id) => tv.held.has(id) && noted(notified, endedBy.get(id)));
      for (const a of missing) {
        const view = views.get(a.id);
        if (!view || tv.held.has(a.id)) continue;
        const replaces = gone.filter((id) => endedBy.get(id) === a.id);
        gone = gone.filter((id) => !replaces.includes(id));
        sendAlert(tv, view, a.acknowledged, replaces);
      }
      for (const id of gone) tv.held.delete(id);
      if (gone.length) send(tv.socket, { type: 'withdrawn', alertIds: gone });
    }));
  };

  /**
   * One of this process's LISTENs was lost and is back (db/client.ts): what was notified meanwhile
   * never came — alerts stored, Updates and Cancels, devices withdrawn, test-alert flags changed. So
   * every TV here is checked again, once for all three channels: a withdrawn device is refused, a TV
   * whose flag changed is asked to reconnect, and the rest are reconciled against everything in
   * force (`reconcile`), on the same queue as the publishes, so nothing is sent twice. TVs still
   * connecting catch up on everything too. Not a re-publish of what was stored since the loss: when a
   * connection died is known only roughly (a dead peer is noticed late), and a window guessed too
   * short would lose an evacuation order. Nor asking the TVs to reconnect: 10,000 TVs' TLS,
   * authentication and resume at once, for what one statement per 1,000 TVs does here.
   */
  let resyncQueued = false;
  const resync = () => {
    noteStoredWhileConnecting(EVERYTHING);
    for (const changed of homesChangedWhileConnecting) changed.add(EVERY_HOUSEHOLD);
    if (resyncQueued) return;
    resyncQueued = true;
    queue = queue.then(async () => {
      resyncQueued = false;
      const tvs = [...byHousehold.values()].flatMap((set) => [...set]).filter((tv) => tv.socket.readyState === tv.socket.OPEN);
      app.log.warn({ tvs: tvs.length }, 'TV alert channel: notifications were lost; checking every TV here again');
      const states = await tvStates(db, [...new Set(tvs.map((tv) => tv.device.id))]);
      const looked = tvs.flatMap((tv) => {
        const state = states.get(tv.device.id);
        if (!state || state.withdrawnAt) refuse(tv.socket, state ? 'AUTH_DEVICE_WITHDRAWN' : 'AUTH_DEVICE_UNKNOWN');
        else if (state.testAlerts !== tv.testAlerts) tv.socket.close(TV_ALERT_CLOSE.reconnect, 'settings changed');
        else {
          // Household changes were not heard either.
          if (state.home && byHousehold.has(tv.householdId)) keepHome(tv.householdId, state.home);
          return [{ tv, notified: new Set([EVERYTHING]), active: state.active }];
        }
        return [];
      });
      await reconcile(looked);
    }).catch((err: unknown) => app.log.warn({ err }, 'TV alert channel: re-check after lost notifications failed'));
  };

  /**
   * Receipts confirmed to their TVs once stored, gathered per TV over CONFIRM_GATHER_MS: one message
   * per TV for its delivered and displayed (and, usually, its acknowledgement), not one per stored
   * batch. Confirming sooner buys nothing (the TV only drops the receipt from its resend queue) and,
   * sent at once, 20,000 confirmations went out while this and the other processes were still
   * pushing the alert (18 % of a platform process's CPU in the 20,000-TV bench).
   */
  const unconfirmed = new Set<Tv>();
  let confirmTimer: ReturnType<typeof setTimeout> | null = null;
  const confirm = (tv: Tv, alertId: string, kind: ReceiptKind) => {
    tv.stored.push({ alertId, kind });
    unconfirmed.add(tv);
    confirmTimer ??= setTimeout(confirmAll, CONFIRM_GATHER_MS);
  };
  function confirmAll() {
    confirmTimer = null;
    for (const tv of unconfirmed) send(tv.socket, { type: 'receipted', receipts: tv.stored.splice(0) });
    unconfirmed.clear();
  }

  // Awaited: a TV let in before this process listens would miss an alert stored in between (its
  // lookup ran before the alert was stored, and no NOTIFY would bring it).
  const unlisteners = await Promise.all([
    database.listen(ALERT_STORED_CHANNEL, onStored, { onResumed: resync }),
    // A withdrawn TV is cut off at once, in every process.
    database.listen(DEVICE_WITHDRAWN_CHANNEL, (deviceId) => {
      for (const tvs of byHousehold.values()) for (const tv of tvs) if (tv.device.id === deviceId) refuse(tv.socket, 'AUTH_DEVICE_WITHDRAWN');
    }, { onResumed: resync }),
    // The test-alert flag changed: the TV connects again and resumes under the new setting.
    database.listen(DEVICE_TEST_ALERTS_CHANNEL, (deviceId) => {
      for (const tvs of byHousehold.values()) for (const tv of tvs) if (tv.device.id === deviceId) tv.socket.close(TV_ALERT_CLOSE.reconnect, 'settings changed');
    }, { onResumed: resync }),
  ].map((p) => p.catch((err: unknown) => {
    app.log.warn({ err }, 'TV alert channel: no notifications; alerts reach TVs when they reconnect');
    return async () => undefined;
  })));
  const beats = setInterval(() => {
    const now = Date.now();
    let sent = 0;
    for (const tvs of byHousehold.values()) {
      for (const tv of tvs) {
        if (tv.nextBeatAt > now) continue;
        if (sent++ >= MAX_BEATS_PER_TICK) return;
        tv.nextBeatAt = now + heartbeatMs;
        sendText(tv.socket, BEAT_FRAME);
      }
    }
  }, Math.min(1000, heartbeatMs));
  beats.unref();

  app.addHook('onClose', async () => {
    clearInterval(beats);
    if (expiryTimer) clearTimeout(expiryTimer);
    if (confirmTimer) clearTimeout(confirmTimer);
    if (homeRetryTimer) clearTimeout(homeRetryTimer);
    for (const tvs of byHousehold.values()) for (const tv of tvs) tv.socket.close(1001, 'platform stopping');
    // Receipts accepted but still gathering are written before the database closes (server.ts
    // closes it after the app). Their TVs hear no `receipted` and send them again: stored once.
    await receipts.drain();
    for (const unlisten of unlisteners) await unlisten().catch(() => undefined);
  });

  app.get(TV_ALERT_PATH, {
    websocket: true,
    // Authenticated by the first message, below: a browser's WebSocket carries no Authorization header.
    schema: { hide: true },
  }, (socket) => {
    send(socket, { type: 'hello' });
    const deadline = setTimeout(() => refuse(socket, 'AUTH_DEVICE_UNKNOWN'), AUTH_WINDOW_MS);
    let tv: Tv | null = null;
    let authenticating = false;
    const allowance = new MessageAllowance(MESSAGE_BURST, MESSAGES_PER_SECOND);
    socket.on('message', async (raw) => {
      // A receipt's time is its arrival, not when its batch is stored (nor after the session lookup below).
      const receivedAt = new Date();
      if (!allowance.take(receivedAt.getTime())) {
        clearTimeout(deadline);
        send(socket, { type: 'refused', code: 'REQ_RATE_LIMITED' });
        socket.close(TV_ALERT_CLOSE.malformed, 'too many messages');
        return;
      }
      let message: TvAlertClientMessage;
      try {
        message = JSON.parse(String(raw)) as TvAlertClientMessage;
        if (!clientMessage.Check(message)) throw new Error('not a TV alert message');
      } catch {
        clearTimeout(deadline);
        send(socket, { type: 'refused', code: 'REQ_INVALID' });
        socket.close(TV_ALERT_CLOSE.malformed, 'malformed message');
        return;
      }
      if (message.type === 'auth') {
        if (tv || authenticating) return;
        authenticating = true;
        clearTimeout(deadline);
        const notified = new Set<string>();
        connecting.add(notified);
        const changed = new Set<string>();
        homesChangedWhileConnecting.add(changed);
        try {
          const { device, active, home } = await connect(message.credential);
          if (socket.readyState !== socket.OPEN) return;
          tv = { socket, device, householdId: device.householdId, held: new Set(), testAlerts: device.testAlerts, stored: [], nextBeatAt: Date.now() + heartbeatMs };
          let tvs = byHousehold.get(tv.householdId);
          if (!tvs) byHousehold.set(tv.householdId, (tvs = new Set()));
          tvs.add(tv);
          // A Home kept already is current (refreshed on every change): one read before a change must not replace it.
          if (!homes.has(tv.householdId)) keepHome(tv.householdId, home);
          homesChangedWhileConnecting.delete(changed);
          // Its Home was read before a change notified meanwhile: read again (a publish after it waits on the queue).
          if (changed.has(tv.householdId) || changed.has(EVERY_HOUSEHOLD)) refreshHomes([tv.householdId]);
          await resume(tv, message.have, active);
          connecting.delete(notified);
          if (notified.size) catchUpLater(tv, message.credential, notified);
        } catch (err) {
          refuse(socket, err instanceof AppError ? err.code : 'INTERNAL');
          if (!(err instanceof AppError)) app.log.warn({ err }, 'TV alert channel: authentication failed');
        } finally {
          connecting.delete(notified);
          homesChangedWhileConnecting.delete(changed);
        }
        return;
      }
      if (!tv) return refuse(socket, 'AUTH_DEVICE_UNKNOWN');
      const current = tv;
      const device = tv.device;
      const householdId = tv.householdId;
      let personId: string | null = null;
      if (message.session) {
        // Someone is logged in: the receipt names them. A stale token only loses the name, never the receipt.
        personId = await authenticateSession(db, `Bearer ${message.session}`, device).then((s) => s.person.id, () => null);
      }
      // A TV that shows an alert had it: its `displayed` is its `delivered` too (the TV sends no
      // separate `delivered` for an alert it shows at once: half the messages when a town is alerted).
      const kinds: ReceiptKind[] = message.kind === 'displayed' ? ['delivered', 'displayed'] : [message.kind];
      try {
        await receipts.submit({ alertId: message.alertId, deviceId: device.id, householdId, kinds, answer: message.answer ?? null, personId, receivedAt });
        confirm(current, message.alertId, message.kind);
      } catch (err) {
        app.log.warn({ err }, 'TV alert receipt not stored');
      }
    });
    socket.on('close', () => {
      clearTimeout(deadline);
      if (!tv) return;
      const tvs = byHousehold.get(tv.householdId);
      tvs?.delete(tv);
      if (tvs && !tvs.size) {
        byHousehold.delete(tv.householdId);
        homes.delete(tv.householdId);
      }
    });
  });
}
