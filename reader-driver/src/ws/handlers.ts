import type { Logger } from 'pino';
import { fromBase64, toBase64 } from '../../../platform/src/shared/base64.js';
import { AppError } from '../../../platform/src/shared/errors.js';
import { JpkiClient } from '../card/jpki-client.js';
import type { DeviceCredential } from '../device-credential.js';
import type { ReaderHub } from '../reader-hub.js';
import type { ReaderInfo } from '../transport/transport.js';
import { PROTOCOL_VERSION, type CommandName, type CommandParams, type CommandResults, type DemoCard, type Request } from './protocol.js';

/** What the demo card bay lets a page or the CLI do. */
export interface DemoControl {
  cards(): DemoCard[];
  insert(cardId: string, readerName?: string): Promise<ReaderInfo>;
  remove(readerName?: string): Promise<ReaderInfo | null>;
}

/** What a handler needs of the page's session (the server's PageSession has it). */
export interface HandlerSession {
  readonly token: string;
  /** Requests in flight, by id, so `cancel` can stop them. */
  readonly running: Map<string, AbortController>;
  /** Connected with the local control token (the `npm run demo` CLI), not from a page. */
  readonly isControl: boolean;
  /** Answers that finished while the page was away, not yet delivered. */
  readonly queued: readonly { re: string | null }[];
}

export interface HandlerContext {
  session: HandlerSession;
  hub: ReaderHub;
  /** reader name → id of the request using it; one card operation per reader at a time. */
  busyReaders: Map<string, string>;
  demo: DemoControl | null;
  log: Logger;
  /** Origin of the page on this socket (`null` for the control CLI, which sends none). */
  origin: string | null;
  /** Page origins the driver serves (READER_ALLOWED_ORIGINS). */
  /** Pages that may receive the device credential (the TV's), a subset of the allow-list. */
  credentialOrigins: readonly string[];
  /** This STB's platform credential, when provisioned. */
  device: DeviceCredential | null;
  /** The shelter tablet page's origins: they receive `tablet`, never `device`. */
  tabletOrigins: readonly string[];
  /** A shelter tablet's platform credential, when provisioned. */
  tablet: DeviceCredential | null;
}

/** Runs one request; throws AppError for anything the page should be told. */
export async function handleRequest(req: Request, ctx: HandlerContext): Promise<CommandResults[CommandName]> {
  switch (req.cmd) {
    case 'hello':
      return {
        protocol: PROTOCOL_VERSION,
        session: ctx.session.token,
        resumed: req.params.resume === ctx.session.token,
        bays: ctx.hub.kinds(),
        demo: ctx.demo !== null,
        readers: ctx.hub.readers(),
        // What the page may still wait for; anything else it waits on is lost (see the protocol).
        holding: [...ctx.session.running.keys(), ...ctx.session.queued.flatMap((answer) => (answer.re === null ? [] : [answer.re]))],
      } satisfies CommandResults['hello'];
    case 'readers.list':
      return { readers: ctx.hub.readers() } satisfies CommandResults['readers.list'];
    case 'ping':
      return { pong: new Date().toISOString() } satisfies CommandResults['ping'];
    case 'cancel': {
      const controller = ctx.session.running.get(req.params.target);
      if (!controller) throw new AppError('WS_BAD_STATE', { detail: `nothing running with id ${req.params.target}` });
      controller.abort();
      return { cancelled: req.params.target } satisfies CommandResults['cancel'];
    }
    case 'cert.read':
      return withCard<CommandResults['cert.read']>(req.id, req.params.reader, ctx, async (client) => ({ der: toBase64(await readCertificate(client, req.params)) }));
    case 'pin.status':
      return withCard<CommandResults['pin.status']>(req.id, req.params.reader, ctx, async (client) => ({ key: req.params.key, ...(await client.pinStatus(req.params.key)) }));
    case 'sign':
      return withCard<CommandResults['sign']>(req.id, req.params.reader, ctx, async (client) => {
        const digestInfo = fromBase64(req.params.digestInfo);
        if (digestInfo.length === 0 || digestInfo.length > 245) throw new AppError('WS_INVALID', { detail: 'digestInfo must be 1–245 bytes' });
        // The certificate is read first so a wrong sign PIN costs one try, not two.
        const certificate = req.params.withCertificate
          ? req.params.key === 'sign' ? await client.readSignCertificate(req.params.pin) : await client.readAuthCertificate()
          : null;
        const signature = await client.sign(req.params.key, req.params.pin, digestInfo);
        return certificate ? { signature: toBase64(signature), certificate: toBase64(certificate) } : { signature: toBase64(signature) };
      });
    case 'device.credential':
      return deviceCredentialFor(ctx) satisfies CommandResults['device.credential'];
    case 'demo.cards':
      return { cards: requireDemo(ctx).cards() } satisfies CommandResults['demo.cards'];
    case 'demo.insert':
      return { reader: await requireDemo(ctx).insert(req.params.card, req.params.reader) } satisfies CommandResults['demo.insert'];
    case 'demo.remove':
      return { reader: await requireDemo(ctx).remove(req.params.reader) } satisfies CommandResults['demo.remove'];
  }
}

function readCertificate(client: JpkiClient, params: CommandParams<'cert.read'>): Promise<Uint8Array> {
  switch (params.which) {
    case 'auth':
      return client.readAuthCertificate();
    case 'auth-ca':
      return client.readCaCertificate('auth');
    case 'sign-ca':
      return client.readCaCertificate('sign');
    case 'sign':
      if (!params.pin) throw new AppError('CARD_SECURITY_STATUS', { detail: 'the sign certificate needs the sign PIN' });
      return client.readSignCertificate(params.pin);
  }
}

/**
 * Runs a card operation on one reader: refuses a second one on the same reader (WS_BAD_STATE),
 * registers it for `cancel`, and always releases the card and the reader.
 */
async function withCard<T>(id: string, readerName: string | undefined, ctx: HandlerContext, op: (client: JpkiClient) => Promise<T>): Promise<T> {
  const reader = ctx.hub.resolveReader(readerName);
  const holder = ctx.busyReaders.get(reader);
  if (holder) throw new AppError('WS_BAD_STATE', { detail: `reader busy with request ${holder}` });
  if (ctx.session.running.has(id)) throw new AppError('WS_BAD_STATE', { detail: `request id ${id} is already running` });
  const controller = new AbortController();
  ctx.busyReaders.set(reader, id);
  ctx.session.running.set(id, controller);
  try {
    const card = await ctx.hub.connect(reader);
    try {
      return await op(new JpkiClient(card, { signal: controller.signal }));
    } finally {
      await card.disconnect().catch(() => {});
    }
  } finally {
    ctx.busyReaders.delete(reader);
    ctx.session.running.delete(id);
  }
}

/**
 * The credential goes only to a page whose origin is on the allow-list, checked again here (not
 * only at the upgrade) so that no other way onto a session, such as the control token, reaches it.
 */
function deviceCredentialFor(ctx: HandlerContext): DeviceCredential {
  if (ctx.session.isControl || ctx.origin === null) throw new AppError('WS_ORIGIN_REFUSED', { detail: 'the device credential is only for the TV and tablet pages' });
  // Each page gets its own device's credential: the tablet page the tablet's, the TV page the TV's.
  const device = ctx.tabletOrigins.includes(ctx.origin) ? ctx.tablet : ctx.credentialOrigins.includes(ctx.origin) ? ctx.device : undefined;
  if (device === undefined) throw new AppError('WS_ORIGIN_REFUSED', { detail: 'the device credential is only for the TV and tablet pages' });
  if (!device) throw new AppError('DEVICE_NOT_PROVISIONED');
  return { id: device.id, secret: device.secret };
}

/**
 * The demo card bay is for the operator's `npm run demo` (which presents the control token),
 * never for a page: a page that could insert and remove cards could script a card flow.
 */
function requireDemo(ctx: HandlerContext): DemoControl {
  if (!ctx.session.isControl) throw new AppError('WS_CONTROL_ONLY', { detail: 'demo commands need the control token' });
  if (!ctx.demo) throw new AppError('WS_BAD_STATE', { detail: 'the demo card bay is not running' });
  return ctx.demo;
}
