/**
 * Helpers for reader-driver tests: a `CardFile` built in one call (fake DER certificates, RSA keys
 * generated once per test file), a powered `VirtualCard`, hex shorthands and a scripted session.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { expect } from 'vitest';
import { fromHex, toHex } from '../../reader-driver/src/apdu/bytes.js';
import type { CardSession } from '../../reader-driver/src/transport/transport.js';
import { CARD_FILE_FORMAT, type CardFile } from '../../platform/src/shared/card-file.js';
import { VirtualCard, type VirtualCardOptions } from '../../reader-driver/src/virtual-card/virtual-card.js';

/** Bytes from hex with spaces: `h('00 A4 04 0C')`. */
export const h = (hex: string): Uint8Array => fromHex(hex);
/** Upper-case hex of bytes, no separators. */
export const hx = (bytes: Uint8Array): string => toHex(bytes);

/** A contact ATR seen on My Number Cards (SPEC §1.2). */
export const TEST_ATR = '3BE000FF8131FE4514';
export const AUTH_PIN = '1234';
export const SIGN_PIN = 'PASSWORD1234';

let keys: { auth: KeyObject; sign: KeyObject } | undefined;

/** Two RSA-2048 private keys, generated on first use and shared by the rest of the test file. */
export function testKeys(): { auth: KeyObject; sign: KeyObject } {
  keys ??= {
    auth: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    sign: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  };
  return keys;
}

/** The public key of a card key (for `crypto.verify`). */
export const publicKeyOf = (kind: 'auth' | 'sign'): KeyObject => createPublicKey(testKeys()[kind]);

/**
 * A DER SEQUENCE of `contentLength` content bytes (not X.509: the card only needs a DER header).
 * The content is a pattern seeded by `seed`, so EFs can be told apart; never FF-only.
 */
export function fakeDer(contentLength: number, seed = 1): Uint8Array {
  let header: number[];
  if (contentLength < 0x80) header = [0x30, contentLength];
  else if (contentLength < 0x100) header = [0x30, 0x81, contentLength];
  else if (contentLength < 0x10000) header = [0x30, 0x82, contentLength >> 8, contentLength & 0xff];
  else header = [0x30, 0x83, contentLength >> 16, (contentLength >> 8) & 0xff, contentLength & 0xff];
  const out = new Uint8Array(header.length + contentLength);
  out.set(header, 0);
  for (let i = 0; i < contentLength; i++) out[header.length + i] = (seed * 31 + i * 7) % 251;
  return out;
}

/** Certificate EFs of the test card: sizes like real ones (auth leaf 1586 B, CAs 1301/1319 B). */
export const TEST_CERTS = {
  '0001': fakeDer(1700, 1), // sign certificate
  '0002': fakeDer(1297, 2), // sign CA, 1301 bytes
  '000A': fakeDer(1582, 3), // auth certificate, 1586 bytes
  '000B': fakeDer(1315, 4), // auth CA, 1319 bytes
} as const;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** A valid card file; `overrides` replaces top-level fields, `pins` merges per PIN. */
export function buildCardFile(
  overrides: Partial<Omit<CardFile, 'pins'>> & { pins?: { auth?: Partial<CardFile['pins']['auth']>; sign?: Partial<CardFile['pins']['sign']> } } = {},
): CardFile {
  const { pins, ...rest } = overrides;
  const k = testKeys();
  return {
    format: CARD_FILE_FORMAT,
    id: 'test-card',
    tokenLabel: 'JPKIAPICCTOKEN2',
    atr: TEST_ATR,
    files: Object.fromEntries(Object.entries(TEST_CERTS).map(([fid, der]) => [fid, b64(der)])),
    keys: {
      auth: b64(k.auth.export({ format: 'der', type: 'pkcs8' })),
      sign: b64(k.sign.export({ format: 'der', type: 'pkcs8' })),
    },
    ...rest,
    pins: {
      auth: { value: AUTH_PIN, triesLeft: 3, ...pins?.auth },
      sign: { value: SIGN_PIN, triesLeft: 5, ...pins?.sign },
    },
  };
}

/** A powered-on virtual card on `file` (default `buildCardFile()`). */
export function poweredCard(file: CardFile = buildCardFile(), opts: VirtualCardOptions = {}): VirtualCard {
  const card = new VirtualCard(file, opts);
  card.powerOn();
  return card;
}

/** Sends hex to the card and returns the response as hex. */
export async function send(card: VirtualCard, hex: string): Promise<string> {
  return hx(await card.process(h(hex)));
}

/** SW of a hex response (last 4 hex digits). */
export const swOf = (responseHex: string): string => responseHex.slice(-4);

/**
 * A fake session that answers from a script: each step gives the command it expects (hex, or
 * `'*'` for any) and the response (hex). Records every command sent; fails the test on a surprise.
 */
export class ScriptedSession implements CardSession {
  readonly readerName = 'scripted';
  readonly atr = h(TEST_ATR);
  readonly sent: string[] = [];
  transactions = 0;
  private step = 0;

  constructor(private readonly script: ReadonlyArray<readonly [expect: string, respond: string]>) {}

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    const got = hx(command);
    this.sent.push(got);
    const next = this.script[this.step++];
    if (!next) throw new Error(`unscripted command ${got}`);
    const [want, respond] = next;
    if (want !== '*') expect(got).toBe(want.replace(/\s/g, '').toUpperCase());
    return h(respond);
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    this.transactions++;
    return fn();
  }

  async disconnect(): Promise<void> {}

  /** True when every scripted step was used. */
  get done(): boolean {
    return this.step === this.script.length;
  }
}
