import { FormatRegistry } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { and, eq, inArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { DbHandle } from '../db/client.js';
import type { Device } from '../db/schema/index.js';
import { cachedDeviceAuthenticator, DEVICE_WITHDRAWN_CHANNEL } from '../identity/devices.js';
import { authenticateSession } from '../identity/sessions.js';
import { AppError } from '../shared/errors.js';
import { TV_ALERT_CLOSE, TV_ALERT_PATH, TvAlertClientMessage, type TvAlertServerMessage } from './alerts-schemas.js';
import { ALERT_STORED_CHANNEL } from './announce.js';
import { receiptWriter } from './receipts.js';
import { alerts, alertReceipts } from './schema.js';
import { activeAlertIdsFor, residentVisible, tvAlertViews, type TvAlertView } from './tv-views.js';

// TypeBox's own checker knows no formats until told (Fastify's Ajv checks the HTTP routes).
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v));

/** Compiled once: 20,000 TVs answer an alert within a second, three messages each. */
const clientMessage = TypeCompiler.Compile(TvAlertClientMessage);

/** A TV that has not authenticated by then is dropped. */
const AUTH_WINDOW_MS = 10_000;

interface Tv {
  socket: WebSocket;
  device: Device;
  householdId: string;
  /** The alerts this TV holds, as far as this process knows (its `have`, then what was sent). */
  held: Set<string>;
}

/**
 * The TVs' alert channel (issue 13 §4–§5): one WebSocket per TV, authenticated by the device
 * credential in its first message (browsers cannot set headers on a WebSocket). On connecting,
 * the TV says which alerts it holds; it gets the household's still-active Actual alerts it lacks,
 * each once, and learns which of its own are gone. Then every alert stored in any process
 * (NOTIFY alert_stored) is pushed live by the process the TV is connected to: a new alert or an
 * Update (replacing what it supersedes) to the targeted households, a Cancel as a withdrawal.
 * Test and Exercise messages are never pushed. Receipts come back on the same socket and are
 * written in batches (receipts.ts).
 */
export async function tvAlertChannel(app: FastifyInstance, database: Pick<DbHandle, 'db' | 'listen'>): Promise<void> {
  const { db } = database;
  const authenticate = cachedDeviceAuthenticator(db);
  const receipts = receiptWriter(db);
  const byHousehold = new Map<string, Set<Tv>>();
  const send = (socket: WebSocket, message: TvAlertServerMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const sendAlert = (tv: Tv, view: TvAlertView, acknowledged: boolean, replaces: string[]) => {
    for (const id of replaces) tv.held.delete(id);
    tv.held.add(view.id);
    send(tv.socket, { type: 'alert', alert: { ...view, acknowledged }, replaces });
  };
  const refuse = (socket: WebSocket, code: string) => {
    send(socket, { type: 'refused', code });
    socket.close(TV_ALERT_CLOSE.refused, 'refused');
  };

  /** Pushes one stored message to this process's TVs. Messages are handled one after another, in the order they were stored. */
  const publish = async (alertId: string) => {
    if (!byHousehold.size) return;
    const [row] = await db.select({ id: alerts.id, state: alerts.state, status: alerts.status, msgType: alerts.msgType, expiresAt: alerts.expiresAt })
      .from(alerts).where(eq(alerts.id, alertId));
    if (!row) return;
    const replaced = (await db.select({ id: alerts.id }).from(alerts).where(eq(alerts.supersededBy, alertId))).map((r) => r.id);
    const reached = new Set<Tv>();
    if (residentVisible(row)) {
      const views = (await tvAlertViews(db, [alertId], [...byHousehold.keys()])).get(alertId) ?? new Map<string, TvAlertView>();
      for (const [householdId, view] of views) {
        for (const tv of byHousehold.get(householdId) ?? []) {
          reached.add(tv);
          sendAlert(tv, view, false, replaced.filter((id) => tv.held.has(id)));
        }
      }
    }
    if (!replaced.length) return;
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
  };
  let queue = Promise.resolve();
  const onStored = (alertId: string) => {
    queue = queue.then(() => publish(alertId)).catch((err: unknown) => app.log.warn({ err }, 'alert push failed'));
  };

  /** After authentication: what is gone of what the TV holds, then what it lacks. */
  const resume = async (tv: Tv, have: string[]) => {
    const active = await activeAlertIdsFor(db, tv.householdId);
    tv.held = new Set(have.filter((id) => active.includes(id)));
    send(tv.socket, { type: 'ready', active });
    const missing = active.filter((id) => !tv.held.has(id));
    if (!missing.length) return;
    const views = await tvAlertViews(db, missing, [tv.householdId]);
    const acked = new Set((await db.select({ alertId: alertReceipts.alertId }).from(alertReceipts).where(and(
      eq(alertReceipts.deviceId, tv.device.id), eq(alertReceipts.kind, 'acknowledged'), inArray(alertReceipts.alertId, missing),
    ))).map((r) => r.alertId));
    for (const id of missing) {
      const view = views.get(id)?.get(tv.householdId);
      if (view && !tv.held.has(id)) sendAlert(tv, view, acked.has(id), []);
    }
  };

  const unlisteners = [
    database.listen(ALERT_STORED_CHANNEL, onStored),
    // A withdrawn TV is cut off at once, in every process.
    database.listen(DEVICE_WITHDRAWN_CHANNEL, (deviceId) => {
      for (const tvs of byHousehold.values()) for (const tv of tvs) if (tv.device.id === deviceId) refuse(tv.socket, 'AUTH_DEVICE_WITHDRAWN');
    }),
  ].map((p) => p.catch((err: unknown) => {
    app.log.warn({ err }, 'TV alert channel: no notifications; alerts reach TVs when they reconnect');
    return async () => undefined;
  }));
  app.addHook('onClose', async () => {
    for (const tvs of byHousehold.values()) for (const tv of tvs) tv.socket.close(1001, 'platform stopping');
    for (const unlisten of unlisteners) await (await unlisten)().catch(() => undefined);
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
    socket.on('message', async (raw) => {
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
        try {
          const device = await authenticate(`Device ${message.credential}`);
          if (device.kind !== 'tv' || !device.householdId) throw new AppError('AUTH_FORBIDDEN', { detail: 'not a household TV' });
          if (socket.readyState !== socket.OPEN) return;
          tv = { socket, device, householdId: device.householdId, held: new Set() };
          let tvs = byHousehold.get(tv.householdId);
          if (!tvs) byHousehold.set(tv.householdId, (tvs = new Set()));
          tvs.add(tv);
          await resume(tv, message.have);
        } catch (err) {
          refuse(socket, err instanceof AppError ? err.code : 'INTERNAL');
          if (!(err instanceof AppError)) app.log.warn({ err }, 'TV alert channel: authentication failed');
        }
        return;
      }
      if (!tv) return refuse(socket, 'AUTH_DEVICE_UNKNOWN');
      const device = tv.device;
      const householdId = tv.householdId;
      let personId: string | null = null;
      if (message.session) {
        // Someone is logged in: the receipt names them. A stale token only loses the name, never the receipt.
        personId = await authenticateSession(db, `Bearer ${message.session}`, device).then((s) => s.person.id, () => null);
      }
      try {
        await receipts.submit({ alertId: message.alertId, deviceId: device.id, householdId, kind: message.kind, answer: message.answer ?? null, personId });
        send(socket, { type: 'receipted', alertId: message.alertId, kind: message.kind });
      } catch (err) {
        app.log.warn({ err }, 'TV alert receipt not stored');
      }
    });
    socket.on('close', () => {
      clearTimeout(deadline);
      if (!tv) return;
      const tvs = byHousehold.get(tv.householdId);
      tvs?.delete(tv);
      if (tvs && !tvs.size) byHousehold.delete(tv.householdId);
    });
  });
}

