import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { AppError, toWire, type ErrorCode } from '../../../platform/src/shared/errors.js';
import type { DriverConfig } from '../config.js';
import type { DeviceCredential } from '../device-credential.js';
import type { ReaderHub } from '../reader-hub.js';
import type { ReaderInfo } from '../transport/transport.js';
import { handleRequest, type DemoControl } from './handlers.js';
import { PROTOCOL_VERSION, parseRequest, type PushedEvent, type Response } from './protocol.js';

export const WS_PATH = `/v${PROTOCOL_VERSION}`;

/** One page's conversation with the driver; survives a reload for `resumeSeconds`. */
export class PageSession {
  readonly token = randomBytes(16).toString('hex');
  socket: WebSocket | null = null;
  /** Answers that finished while the page was away, delivered on resume. */
  readonly queued: Response[] = [];
  /** Requests in flight, by id, so `cancel` and expiry can stop them. */
  readonly running = new Map<string, AbortController>();
  expiry: ReturnType<typeof setTimeout> | undefined;
  /** Connected with the local control token (the `npm run demo` CLI), not from a page. */
  isControl = false;
  /** The page was told its token (answered `hello`); only then can it ever resume. */
  greeted = false;

  send(message: Response): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
    else this.queued.push(message);
  }
}

export interface DriverServerDeps {
  config: Readonly<DriverConfig>;
  hub: ReaderHub;
  log: Logger;
  /** Present when the demo card bay runs. */
  demo: DemoControl | null;
  /** Secret the local CLI presents in `x-control-token` instead of a page origin. */
  controlToken: string;
  /** This STB's platform credential (provisioning), for `device.credential`; absent = not provisioned. */
  device?: DeviceCredential | null;
  /** A shelter tablet's credential, for `device.credential` from the tablet page's origin only. */
  tablet?: DeviceCredential | null;
}

export interface DriverServer {
  port: number;
  /** Sessions held: connected ones and closed ones kept for resume (bounded, see `maxKeptSessions`). */
  sessionCount(): number;
  close(): Promise<void>;
}

/** Catalogue errors as they leave the driver; unknown errors become INTERNAL (and are logged). */
export function asDriverError(err: unknown, log?: Logger): AppError {
  if (err instanceof AppError) return err;
  log?.error({ err }, 'unexpected driver error');
  return new AppError('INTERNAL', { cause: err });
}

/** The loopback WebSocket API: origin allow-list, sessions with resume, events, heartbeat. */
export async function startDriverServer(deps: DriverServerDeps): Promise<DriverServer> {
  const { config, hub, log } = deps;
  const sessions = new Map<string, PageSession>();
  /** Closed sessions waiting for a resume, oldest first (a Set keeps insertion order). */
  const kept = new Set<PageSession>();
  const drop = (session: PageSession) => {
    clearTimeout(session.expiry);
    for (const controller of session.running.values()) controller.abort();
    sessions.delete(session.token);
    kept.delete(session);
  };
  const busyReaders = new Map<string, string>();
  const alive = new WeakMap<WebSocket, boolean>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const http: Server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, bays: hub.kinds(), readers: hub.readers().length }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: toWire(new AppError('REQ_NOT_FOUND')) }));
  });

  http.on('upgrade', (req, socket, head) => {
    const refusal = refuseUpgrade(req, config, deps.controlToken);
    if (refusal) {
      log.warn({ origin: req.headers.origin, code: refusal.code }, 'websocket refused');
      return rejectUpgrade(socket, refusal.status, refusal.code);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new PageSession();
      session.isControl = req.headers['x-control-token'] === deps.controlToken;
      sessions.set(session.token, session);
      attach(session, ws, session.isControl ? null : (req.headers.origin ?? null));
    });
  });

  function attach(initial: PageSession, ws: WebSocket, origin: string | null) {
    let session = initial;
    session.socket = ws;
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('message', async (raw, isBinary) => {
      const parsed = isBinary ? ({ id: null, code: 'WS_INVALID', detail: 'binary frame' } as const) : parseRequest(raw.toString());
      if ('code' in parsed) {
        session.send({ v: 1, re: parsed.id, ok: false, error: toWire(new AppError(parsed.code, { detail: parsed.detail })) });
        return;
      }
      if (parsed.cmd === 'hello' && parsed.params.resume) {
        const previous = sessions.get(parsed.params.resume);
        if (previous && previous !== session && previous.socket === null) {
          clearTimeout(previous.expiry);
          kept.delete(previous);
          sessions.delete(session.token);
          previous.isControl ||= session.isControl;
          session = previous;
          session.socket = ws;
        }
      }
      const current = session;
      try {
        const result = await handleRequest(parsed, {
          session: current, hub, busyReaders, demo: deps.demo, log, origin, credentialOrigins: config.credentialOrigins, device: deps.device ?? null,
          tabletOrigins: config.tabletCredentialOrigins, tablet: deps.tablet ?? null,
        });
        if (parsed.cmd === 'hello') {
          // Answer first, then deliver what finished while the page was away, in order.
          current.greeted = true;
          current.send({ v: 1, re: parsed.id, ok: true, result });
          for (const queued of current.queued.splice(0)) current.send(queued);
          return;
        }
        current.send({ v: 1, re: parsed.id, ok: true, result });
      } catch (err) {
        const e = asDriverError(err, log);
        log.info({ cmd: parsed.cmd, code: e.code, detail: e.detail }, 'request refused');
        current.send({ v: 1, re: parsed.id, ok: false, error: toWire(e) });
      }
    });
    ws.on('close', () => {
      if (session.socket !== ws) return;
      session.socket = null;
      // A page that never learnt its token cannot come back for it, and nothing is running: forget it now.
      if (!session.greeted && session.running.size === 0) return drop(session);
      const closed = session;
      closed.expiry = setTimeout(() => drop(closed), config.resumeSeconds * 1000);
      closed.expiry.unref();
      kept.add(closed);
      // Churn (pages opened and closed in a loop) must not grow memory: keep only the newest few.
      for (const oldest of kept) {
        if (kept.size <= config.maxKeptSessions) break;
        drop(oldest);
      }
    });
    ws.on('error', (err) => log.warn({ err }, 'websocket error'));
  }

  const broadcast = (message: PushedEvent) => {
    const text = JSON.stringify(message);
    for (const s of sessions.values()) if (s.socket?.readyState === WebSocket.OPEN) s.socket.send(text);
  };
  const forward = (event: 'reader.added' | 'reader.removed' | 'card.inserted' | 'card.removed') => (info: ReaderInfo) =>
    broadcast({ v: 1, event, data: info });
  const listeners = (['reader.added', 'reader.removed', 'card.inserted', 'card.removed'] as const).map((e) => [e, forward(e)] as const);
  for (const [event, fn] of listeners) hub.on(event, fn);

  const heartbeat = setInterval(() => {
    broadcast({ v: 1, event: 'heartbeat', data: { at: new Date().toISOString() } });
    // A socket that did not answer the previous ping is dead (a TV that lost power): drop it.
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) ws.terminate();
      else {
        alive.set(ws, false);
        ws.ping();
      }
    }
  }, config.heartbeatSeconds * 1000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    // Loopback only, by construction: the card reader is never reachable from the network.
    http.listen(config.port, '127.0.0.1', () => resolve());
  });
  const port = (http.address() as { port: number }).port;
  log.info({ port, origins: config.allowedOrigins }, 'reader driver listening');

  return {
    port,
    sessionCount: () => sessions.size,
    close: async () => {
      clearInterval(heartbeat);
      for (const [event, fn] of listeners) hub.off(event, fn);
      for (const s of sessions.values()) {
        clearTimeout(s.expiry);
        for (const c of s.running.values()) c.abort();
      }
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function refuseUpgrade(req: IncomingMessage, config: Readonly<DriverConfig>, controlToken: string): { status: number; code: ErrorCode } | null {
  const path = (req.url ?? '').split('?')[0];
  if (path !== WS_PATH) return { status: 404, code: 'REQ_NOT_FOUND' };
  if (req.headers['x-control-token'] === controlToken) return null;
  const origin = req.headers.origin;
  if (!origin || !config.allowedOrigins.includes(origin)) return { status: 403, code: 'WS_ORIGIN_REFUSED' };
  return null;
}

function rejectUpgrade(socket: Duplex, status: number, code: ErrorCode) {
  const body = JSON.stringify({ error: toWire(new AppError(code)) });
  socket.end(
    `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Not Found'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
