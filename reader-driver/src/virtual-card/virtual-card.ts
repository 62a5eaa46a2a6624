/**
 * The JPKI application of a My Number Card, in process (SPEC §1, state model §1.7). It answers
 * command by command and status word by status word as README.md describes; every choice made
 * where the SPEC says UNVERIFIED is listed there. Only the JPKI AP exists: a SELECT of any other
 * AID answers 6A82, and the 券面 APs are never implemented.
 */
import { constants, createPrivateKey, privateEncrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { AppError } from '../../../platform/src/shared/errors.js';
import { bytesEqual, fromHex } from '../apdu/bytes.js';
import { JPKI_AID, JPKI_EF, MAX_SIGN_INPUT } from '../apdu/commands.js';
import { buildResponse, parseCommand, type CommandApdu } from '../apdu/parse.js';
import { SW, swTriesLeft } from '../apdu/status-words.js';
import type { ApduProcessor } from './apdu-processor.js';
import type { CardFile } from '../../../platform/src/shared/card-file.js';
import { PIN_RULES } from '../../../platform/src/shared/pins.js';
import { MemoryCardStore, validateCardFile, type CardStore } from './card-store.js';
import { commandDelayMs, resolveLatency, type CommandCost, type LatencyModel } from './latency.js';

/** Which PIN / key pair. */
type PinKind = 'auth' | 'sign';

/** The byte after the DER in a certificate EF (erased EEPROM reads as FF). */
export const EF_FILLER = 0xff;
/** Certificate EFs are sized up to a multiple of this, always leaving at least one filler byte. */
export const EF_SIZE_UNIT = 256;
/** Length of EF 0006 (token label, space padded). */
export const TOKEN_INFO_LENGTH = 32;
/** EF 0008 when the card file does not give one: both certificates present (SOL, UNVERIFIED). */
export const DEFAULT_CERT_PRESENCE = Uint8Array.of(0x8f, 0x8f, 0x00);
/** Longest PIN the card compares; longer VERIFY / CHANGE data is a length error that costs nothing. */
export const MAX_PIN_LENGTH = 16;

const CERT_FIDS: ReadonlySet<number> = new Set([JPKI_EF.SIGN_CERT, JPKI_EF.SIGN_CA_CERT, JPKI_EF.AUTH_CERT, JPKI_EF.AUTH_CA_CERT]);
const MAX_TRIES: Record<PinKind, number> = { auth: PIN_RULES.auth.maxTries, sign: PIN_RULES.sign.maxTries };
const PIN_PATTERN: Record<PinKind, RegExp> = { auth: PIN_RULES.auth.pattern, sign: PIN_RULES.sign.pattern };

/** An elementary file of the JPKI AP. */
type Ef =
  | { type: 'binary'; content: Uint8Array; readNeeds: PinKind | null }
  | { type: 'pin'; pin: PinKind }
  | { type: 'key'; pin: PinKind; key: KeyObject };

/** Options of a virtual card. */
export interface VirtualCardOptions {
  /** Where PIN counters and values are persisted; default: in memory only. */
  store?: CardStore;
  /** Latency model, or a preset; default none (answers at once). */
  latency?: LatencyModel | 'contact' | 'contactless' | null;
  /** How to wait (tests inject a fake); default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Rounds a certificate EF up to the next multiple of 256 bytes, leaving at least one filler byte. */
export function certificateEfSize(derLength: number): number {
  return (Math.floor(derLength / EF_SIZE_UNIT) + 1) * EF_SIZE_UNIT;
}

/** A virtual My Number Card: JPKI AP only, PIN counters persisted through a `CardStore`. */
export class VirtualCard implements ApduProcessor {
  readonly atr: Uint8Array;
  private readonly file: CardFile;
  private readonly store: CardStore;
  private readonly efs = new Map<number, Ef>();
  private readonly latency: LatencyModel | null;
  private readonly sleep: (ms: number) => Promise<void>;
  private queue: Promise<unknown> = Promise.resolve();

  // Security state: cleared by power off, reset and any SELECT by DF name.
  private powered = false;
  private apSelected = false;
  private currentEf: number | null = null;
  private readonly verified: Record<PinKind, boolean> = { auth: false, sign: false };

  /** Builds a card from a validated-on-entry card file. Starts powered off. */
  constructor(file: CardFile, opts: VirtualCardOptions = {}) {
    this.file = structuredClone(validateCardFile(structuredClone(file)));
    this.store = opts.store ?? new MemoryCardStore(this.file);
    this.latency = resolveLatency(opts.latency);
    this.sleep = opts.sleep ?? realSleep;
    this.atr = fromHex(this.file.atr);
    this.buildEfs();
  }

  /** Loads the card file from `store` (e.g. a `FileCardStore`) and builds the card on it. */
  static async open(store: CardStore, opts: Omit<VirtualCardOptions, 'store'> = {}): Promise<VirtualCard> {
    return new VirtualCard(await store.load(), { ...opts, store });
  }

  /** The card file's id (name in the demo bay). */
  get id(): string {
    return this.file.id;
  }

  /** Tries left on a PIN, as persisted (for tests and the dev CLI; never exposed over the wire). */
  triesLeft(kind: PinKind): number {
    return this.file.pins[kind].triesLeft;
  }

  /** Whether a PIN is verified in the current card session. */
  isVerified(kind: PinKind): boolean {
    return this.verified[kind];
  }

  /** Whether the card is powered. */
  get isPowered(): boolean {
    return this.powered;
  }

  powerOn(): Uint8Array {
    this.clearSecurityState();
    this.powered = true;
    return this.atr;
  }

  powerOff(): void {
    this.clearSecurityState();
    this.powered = false;
  }

  reset(): Uint8Array {
    return this.powerOn();
  }

  /** Processes one command APDU; commands are handled one at a time, in arrival order. */
  process(command: Uint8Array): Promise<Uint8Array> {
    const run = this.queue.then(() => this.processNow(Uint8Array.from(command)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async processNow(command: Uint8Array): Promise<Uint8Array> {
    if (!this.powered) throw new AppError('CARD_ABSENT', { detail: 'virtual card is powered off' });
    const cost: CommandCost = { commandBytes: command.length, responseBytes: 0, writes: 0, signed: false };
    const response = await this.dispatch(command, cost);
    cost.responseBytes = response.length;
    if (this.latency) await this.sleep(commandDelayMs(this.latency, cost));
    return response;
  }

  private async dispatch(bytes: Uint8Array, cost: CommandCost): Promise<Uint8Array> {
    let c: CommandApdu;
    try {
      c = parseCommand(bytes);
    } catch {
      return sw(SW.WRONG_LENGTH);
    }
    // CLA: 00 interindustry and 80 proprietary only; their secure-messaging forms (08, 0C, 88, 8C)
    // are refused as SM (SPEC §1.6, §6 item 14), every other class (channels, chaining) as unknown.
    const plainCla = c.cla & ~0x0c;
    if (plainCla !== 0x00 && plainCla !== 0x80) return sw(SW.CLA_NOT_SUPPORTED);
    if ((c.cla & 0x0c) !== 0) return sw(SW.SECURE_MESSAGING_NOT_SUPPORTED);
    if (c.extended) return sw(SW.WRONG_LENGTH);

    if (c.cla === 0x00) {
      switch (c.ins) {
        case 0xa4:
          return this.select(c);
        case 0xb0:
          return this.readBinary(c);
        case 0x20:
          return this.verify(c, cost);
        case 0x24:
          return this.changeReferenceData(c, cost);
      }
    } else if (c.ins === 0x2a) {
      return this.computeSignature(c, cost);
    }
    return sw(SW.INS_NOT_SUPPORTED);
  }

  private select(c: CommandApdu): Uint8Array {
    switch (c.p1) {
      case 0x04: {
        if (c.p2 !== 0x0c) return sw(SW.INCORRECT_P1P2);
        if (c.data.length === 0) return sw(SW.WRONG_LENGTH);
        // Any attempt to select a DF drops the PIN state, even a failed one (README: "state").
        this.clearSecurityState();
        if (!bytesEqual(c.data, JPKI_AID)) return sw(SW.FILE_NOT_FOUND);
        this.apSelected = true;
        return sw(SW.OK);
      }
      case 0x02: {
        if (c.p2 !== 0x0c) return sw(SW.INCORRECT_P1P2);
        if (c.data.length !== 2) return sw(SW.WRONG_LENGTH);
        const fid = (c.data[0]! << 8) | c.data[1]!;
        if (!this.apSelected || !this.efs.has(fid)) {
          this.currentEf = null;
          return sw(SW.FILE_NOT_FOUND);
        }
        this.currentEf = fid;
        return sw(SW.OK);
      }
      case 0x00:
        // SELECT 3F00 by FID answers 6A82 on the real card; without data 6A86 (SPEC §1.2).
        return sw(c.data.length > 0 ? SW.FILE_NOT_FOUND : SW.INCORRECT_P1P2);
      default:
        return sw(SW.INCORRECT_P1P2);
    }
  }

  private readBinary(c: CommandApdu): Uint8Array {
    if ((c.p1 & 0x80) !== 0) return sw(SW.INCORRECT_P1P2); // short-EF-id reads are not offered
    if (c.case !== 2 || c.ne === null) return sw(SW.WRONG_LENGTH);
    const ef = this.currentEf === null ? undefined : this.efs.get(this.currentEf);
    if (!ef) return sw(SW.NO_CURRENT_EF);
    if (ef.type !== 'binary') return sw(SW.INCOMPATIBLE_FILE_STRUCTURE);
    if (ef.readNeeds && !this.verified[ef.readNeeds]) return sw(SW.SECURITY_STATUS_NOT_SATISFIED);
    const offset = (c.p1 << 8) | c.p2;
    if (offset >= ef.content.length) return sw(SW.WRONG_OFFSET);
    return sw(SW.OK, ef.content.subarray(offset, Math.min(ef.content.length, offset + c.ne)));
  }

  /** The PIN of the current EF, or the status word explaining why there is none. */
  private currentPin(): PinKind | number {
    const ef = this.currentEf === null ? undefined : this.efs.get(this.currentEf);
    if (!ef) return SW.NO_CURRENT_EF;
    if (ef.type !== 'pin') return SW.REFERENCE_DATA_NOT_FOUND;
    return ef.pin;
  }

  private async verify(c: CommandApdu, cost: CommandCost): Promise<Uint8Array> {
    if (c.p1 !== 0x00 || c.p2 !== 0x80) return sw(SW.INCORRECT_P1P2);
    // The retry query: case 1 (`00 20 00 80`) or the 5-byte form `00 20 00 80 00` (SPEC §6 item 6).
    const query = c.case === 1 || (c.case === 2 && c.ne === 256);
    if (!query && (c.case !== 3 || c.data.length > MAX_PIN_LENGTH)) return sw(SW.WRONG_LENGTH);
    const pin = this.currentPin();
    if (typeof pin === 'number') return sw(pin);
    const tries = this.file.pins[pin].triesLeft;

    if (query) {
      if (tries === 0) return sw(swTriesLeft(0));
      return sw(this.verified[pin] ? SW.OK : swTriesLeft(tries)); // 9000 once verified (ISO 7816-4 §11.5.6)
    }
    if (tries === 0) return sw(SW.REFERENCE_DATA_NOT_USABLE); // blocked: never compare

    // Decrement before comparing and persist it first, so pulling the card mid-command cannot
    // buy a free guess (anti-tearing, as smart-card OSes do).
    this.verified[pin] = false;
    if (!(await this.writePin(pin, { triesLeft: tries - 1 }, cost))) return sw(SW.MEMORY_FAILURE);
    if (!pinMatches(c.data, this.file.pins[pin].value)) return sw(swTriesLeft(tries - 1));
    if (!(await this.writePin(pin, { triesLeft: MAX_TRIES[pin] }, cost))) return sw(SW.MEMORY_FAILURE);
    this.verified[pin] = true;
    return sw(SW.OK);
  }

  private async changeReferenceData(c: CommandApdu, cost: CommandCost): Promise<Uint8Array> {
    if (c.p1 !== 0x01 || c.p2 !== 0x80) return sw(SW.INCORRECT_P1P2);
    if (c.case !== 3 || c.data.length > MAX_PIN_LENGTH) return sw(SW.WRONG_LENGTH);
    const pin = this.currentPin();
    if (typeof pin === 'number') return sw(pin);
    if (this.file.pins[pin].triesLeft === 0) return sw(SW.REFERENCE_DATA_NOT_USABLE);
    if (!this.verified[pin]) return sw(SW.SECURITY_STATUS_NOT_SATISFIED);
    const value = Buffer.from(c.data).toString('latin1');
    if (!PIN_PATTERN[pin].test(value)) return sw(SW.INCORRECT_DATA);
    if (!(await this.writePin(pin, { value, triesLeft: MAX_TRIES[pin] }, cost))) return sw(SW.MEMORY_FAILURE);
    return sw(SW.OK);
  }

  private computeSignature(c: CommandApdu, cost: CommandCost): Uint8Array {
    if (c.p1 !== 0x00 || c.p2 !== 0x80) return sw(SW.INCORRECT_P1P2); // only the verbatim-padding scheme
    if (c.case !== 3 && c.case !== 4) return sw(SW.WRONG_LENGTH);
    if (c.data.length > MAX_SIGN_INPUT) return sw(SW.WRONG_LENGTH);
    if (c.ne !== null && c.ne < 256) return sw(SW.WRONG_LENGTH);
    const ef = this.currentEf === null ? undefined : this.efs.get(this.currentEf);
    if (!ef || ef.type !== 'key') return sw(SW.SECURITY_STATUS_NOT_SATISFIED);
    if (!this.verified[ef.pin]) return sw(SW.SECURITY_STATUS_NOT_SATISFIED);
    // EMSA-PKCS1-v1_5 type 1 over the data as given, then the raw RSA private-key operation.
    const signature = privateEncrypt({ key: ef.key, padding: constants.RSA_PKCS1_PADDING }, c.data);
    cost.signed = true;
    const out = new Uint8Array(256);
    out.set(signature, 256 - signature.length); // left-pad to the modulus length
    return sw(SW.OK, out);
  }

  /** Updates a PIN in the card file and persists it; false if the store failed (state rolled back). */
  private async writePin(pin: PinKind, change: Partial<CardFile['pins'][PinKind]>, cost: CommandCost): Promise<boolean> {
    const before = { ...this.file.pins[pin] };
    Object.assign(this.file.pins[pin], change);
    cost.writes++;
    try {
      await this.store.save(structuredClone(this.file));
      return true;
    } catch {
      this.file.pins[pin] = before;
      return false;
    }
  }

  private clearSecurityState(): void {
    this.apSelected = false;
    this.currentEf = null;
    this.verified.auth = false;
    this.verified.sign = false;
  }

  private buildEfs(): void {
    for (const [fidHex, b64] of Object.entries(this.file.files)) {
      const fid = Number.parseInt(fidHex, 16);
      const raw = Uint8Array.from(Buffer.from(b64, 'base64'));
      let content = raw;
      if (CERT_FIDS.has(fid)) {
        content = new Uint8Array(certificateEfSize(raw.length)).fill(EF_FILLER);
        content.set(raw, 0);
      }
      this.efs.set(fid, { type: 'binary', content, readNeeds: fid === JPKI_EF.SIGN_CERT ? 'sign' : null });
    }
    if (!this.efs.has(JPKI_EF.TOKEN_INFO)) {
      const label = Buffer.alloc(TOKEN_INFO_LENGTH, 0x20);
      label.write(this.file.tokenLabel, 'latin1');
      this.efs.set(JPKI_EF.TOKEN_INFO, { type: 'binary', content: Uint8Array.from(label), readNeeds: null });
    }
    if (!this.efs.has(JPKI_EF.CERT_PRESENCE)) {
      this.efs.set(JPKI_EF.CERT_PRESENCE, { type: 'binary', content: DEFAULT_CERT_PRESENCE.slice(), readNeeds: null });
    }
    const key = (b64: string) => createPrivateKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'pkcs8' });
    this.efs.set(JPKI_EF.AUTH_KEY, { type: 'key', pin: 'auth', key: key(this.file.keys.auth) });
    this.efs.set(JPKI_EF.SIGN_KEY, { type: 'key', pin: 'sign', key: key(this.file.keys.sign) });
    this.efs.set(JPKI_EF.AUTH_PIN, { type: 'pin', pin: 'auth' });
    this.efs.set(JPKI_EF.SIGN_PIN, { type: 'pin', pin: 'sign' });
  }
}

const sw = (status: number, data?: Uint8Array) => buildResponse(status, data);

/** Constant-time comparison of the presented PIN bytes with the stored value. */
function pinMatches(presented: Uint8Array, value: string): boolean {
  const expected = Buffer.from(value, 'latin1');
  if (presented.length !== expected.length) return false;
  return timingSafeEqual(presented, expected);
}
