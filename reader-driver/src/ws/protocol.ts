import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { WireError } from '../../../platform/src/shared/errors.js';
import type { READER_WS_PATH } from '../../../platform/src/shared/reader-address.js';

/**
 * The reader driver's WebSocket protocol, version 1 (`ws://127.0.0.1:<port>/v1`).
 *
 * Page → driver: `{ v: 1, id, cmd, ...params }`; every request gets exactly one answer
 * `{ v: 1, re: id, ok: true, result }` or `{ v: 1, re: id, ok: false, error }`, where `error` is
 * the catalogue body also used over HTTP. Driver → page, unprompted: `{ v: 1, event, data }`
 * (`reader.added`, `reader.removed`, `card.inserted`, `card.removed`, `heartbeat`).
 * Shaped after the AusweisApp SDK (BAD_STATE / INVALID / UNKNOWN_COMMAND → WS_* codes).
 *
 * This file is the one definition of the protocol: command parameters (checked at run time),
 * results and events (types). The page's client imports it with `import type` only, so it must
 * name nothing from the rest of the driver (stb-ui may not reach past this file).
 */
export const PROTOCOL_VERSION = 1;
// The address pages use (platform/src/shared/reader-address.ts) names this version.
export type _PathNamesVersion = Holds<typeof READER_WS_PATH extends `/v${typeof PROTOCOL_VERSION}` ? true : false>;

type Holds<T extends true> = T;

const ReaderName = Type.Optional(Type.String({ minLength: 1, maxLength: 200 }));
const KeyKind = Type.Union([Type.Literal('auth'), Type.Literal('sign')]);
/** PINs are strings of printable ASCII here; their exact format is checked by the JPKI client. */
const Pin = Type.String({ minLength: 1, maxLength: 32 });
const Base64 = Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$', maxLength: 4096 });

/** Parameters of each command, by name. */
export const COMMANDS = {
  hello: Type.Object({ resume: Type.Optional(Type.String({ maxLength: 64 })), client: Type.Optional(Type.String({ maxLength: 200 })) }),
  'readers.list': Type.Object({}),
  'cert.read': Type.Object({
    reader: ReaderName,
    which: Type.Union([Type.Literal('auth'), Type.Literal('sign'), Type.Literal('auth-ca'), Type.Literal('sign-ca')]),
    /** Required for `sign`: the card reveals the sign certificate only after its PIN. */
    pin: Type.Optional(Pin),
  }),
  'pin.status': Type.Object({ reader: ReaderName, key: KeyKind }),
  sign: Type.Object({
    reader: ReaderName,
    key: KeyKind,
    pin: Pin,
    /** DER DigestInfo, base64 (at most 245 bytes for RSA-2048 PKCS#1 v1.5). */
    digestInfo: Base64,
    /** Also return the certificate of the key, read in the same card transaction. */
    withCertificate: Type.Optional(Type.Boolean()),
  }),
  cancel: Type.Object({ target: Type.String({ minLength: 1, maxLength: 64 }) }),
  ping: Type.Object({}),
  /** This STB's platform credential; answered only to allow-listed page origins, never to the control CLI. */
  'device.credential': Type.Object({}),
  'demo.cards': Type.Object({}),
  'demo.insert': Type.Object({ card: Type.String({ minLength: 1, maxLength: 100 }), reader: ReaderName }),
  'demo.remove': Type.Object({ reader: ReaderName }),
} satisfies Record<string, TSchema>;

export type CommandName = keyof typeof COMMANDS;
export type CommandParams<C extends CommandName> = Static<(typeof COMMANDS)[C]>;

const Envelope = Type.Object({
  v: Type.Literal(PROTOCOL_VERSION),
  id: Type.String({ minLength: 1, maxLength: 64 }),
  cmd: Type.String({ minLength: 1, maxLength: 64 }),
});
const envelopeCheck = TypeCompiler.Compile(Envelope);
const paramChecks = Object.fromEntries(
  Object.entries(COMMANDS).map(([name, schema]) => [name, TypeCompiler.Compile(schema)]),
) as { [C in CommandName]: ReturnType<typeof TypeCompiler.Compile<(typeof COMMANDS)[C]>> };

/** A request as the server dispatches it. */
export type Request = { [C in CommandName]: { id: string; cmd: C; params: CommandParams<C> } }[CommandName];

/** Why a raw message is not a request; `id` is set when the envelope was readable. */
export type ParseFailure = { id: string | null; code: 'WS_INVALID' | 'WS_UNKNOWN_COMMAND'; detail: string };

/** Checks one raw message: envelope, known command, parameters. */
export function parseRequest(raw: string): Request | ParseFailure {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { id: null, code: 'WS_INVALID', detail: 'not JSON' };
  }
  const id = typeof (data as { id?: unknown })?.id === 'string' ? ((data as { id: string }).id.slice(0, 64)) : null;
  if (!envelopeCheck.Check(data)) return { id, code: 'WS_INVALID', detail: 'envelope must be { v: 1, id, cmd }' };
  const { cmd, v: _v, id: _id, ...params } = data as Record<string, unknown> & Static<typeof Envelope>;
  if (!Object.hasOwn(COMMANDS, cmd)) return { id: data.id, code: 'WS_UNKNOWN_COMMAND', detail: cmd };
  const check = paramChecks[cmd as CommandName];
  if (!check.Check(params)) {
    const first = [...check.Errors(params)][0];
    return { id: data.id, code: 'WS_INVALID', detail: first ? `${first.path || '/'} ${first.message}` : 'bad parameters' };
  }
  return { id: data.id, cmd, params } as Request;
}

/** A reader as the driver reports it (the bays' own `ReaderInfo` must stay assignable to this). */
export interface ReaderInfo {
  name: string;
  cardPresent: boolean;
  /** Hex ATR of the present card, if any. */
  atr?: string;
}
/** Which key pair of the card: 利用者証明用 (auth) or 署名用 (sign). */
export type KeyKind = Static<typeof KeyKind>;
/** A PIN's retry state. `triesLeft: null` = verified in this card session, count not reported. */
export interface PinStatus {
  triesLeft: number | null;
  blocked: boolean;
}
/** This set-top box's platform credential (`Authorization: Device <id>:<secret>`), as `device.credential` answers it. */
export interface DeviceCredential {
  id: string;
  secret: string;
}
export interface DemoCard {
  id: string;
  label: string;
  insertedIn: string | null;
}

/** What each command answers with (`result` of a successful response). */
export interface CommandResults {
  hello: {
    protocol: typeof PROTOCOL_VERSION; session: string; resumed: boolean; bays: string[]; demo: boolean; readers: ReaderInfo[];
    /**
     * On a resumed session: the ids of the page's requests the driver still holds — running, or
     * answered while the page was away and delivered right after this answer. A request the page
     * waits on and that is not listed never reached the driver, or its answer was lost with the
     * link: it will never be answered. Absent (an older driver) means unknown.
     */
    holding?: string[];
  };
  'readers.list': { readers: ReaderInfo[] };
  /** `der`: the certificate, base64 DER. */
  'cert.read': { der: string };
  'pin.status': { key: KeyKind } & PinStatus;
  /** base64; `certificate` only when `withCertificate` was asked for. */
  sign: { signature: string; certificate?: string };
  cancel: { cancelled: string };
  ping: { pong: string };
  'device.credential': DeviceCredential;
  'demo.cards': { cards: DemoCard[] };
  'demo.insert': { reader: ReaderInfo };
  'demo.remove': { reader: ReaderInfo | null };
}
export type CommandResult<C extends CommandName> = CommandResults[C];
// Every command has a result and every result a command (a new command fails type-checking here).
export type _ResultsMatchCommands = Holds<[Exclude<CommandName, keyof CommandResults>, Exclude<keyof CommandResults, CommandName>] extends [never, never] ? true : false>;

/** Answers the driver sends, one per request. */
export type Response = { v: 1; re: string | null; ok: true; result: CommandResults[CommandName] } | { v: 1; re: string | null; ok: false; error: WireError };

/** What each pushed event carries. */
export interface EventData {
  'reader.added': ReaderInfo;
  'reader.removed': ReaderInfo;
  'card.inserted': ReaderInfo;
  'card.removed': ReaderInfo;
  heartbeat: { at: string };
}
export type EventName = keyof EventData;
/** An event the driver pushes unprompted. */
export type PushedEvent = { [E in EventName]: { v: 1; event: E; data: EventData[E] } }[EventName];
