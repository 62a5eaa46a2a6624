/**
 * The JPKI client: certificate reads, PIN status, signatures and PIN changes over a `CardSession`.
 *
 * Every operation runs inside `session.transaction()` and starts with SELECT of the JPKI AID
 * (SPEC §1.2, §6 item 10). All commands pass `guardSession`, so nothing but the JPKI AP can be
 * selected. PIN rules (SPEC §2, §6 items 5 and 7):
 * - the format is checked before anything reaches the card; a malformed PIN costs no try;
 * - the retry counter is read (empty VERIFY, free) before a PIN is sent, and a blocked PIN is never sent;
 * - a PIN is sent once per call and never retried by this code;
 * - after an operation that verified a PIN the AP is selected again, which drops the card's PIN
 *   state where the card clears it on re-SELECT (the virtual card does; real card UNVERIFIED).
 */
import { AppError } from '../../../platform/src/shared/errors.js';
import { PIN_RULES } from '../../../platform/src/shared/pins.js';
import {
  JPKI_EF,
  MAX_READ_CHUNK,
  MAX_READ_OFFSET,
  MAX_SIGN_INPUT,
  buildChangeReferenceData,
  buildComputeSignature,
  buildGetResponse,
  buildReadBinary,
  buildSelectEf,
  buildSelectJpki,
  buildVerify,
  buildVerifyStatus,
  buildVerifyStatusLong,
} from '../apdu/commands.js';
import { concatBytes } from '../apdu/bytes.js';
import { guardSession } from '../apdu/guard.js';
import { splitResponse } from '../apdu/parse.js';
import { describeSw, errorForSw, isOk, isWrongLength, pinStatusFromSw, type CommandContext } from '../apdu/status-words.js';
import type { CardSession } from '../transport/transport.js';
import type { KeyKind, PinStatus } from '../ws/protocol.js';
import { DER_HEADER_READ, derTotalLength } from './der-length.js';

export type { KeyKind, PinStatus };

/** The EFs of each key pair (SPEC §1.3). */
const EFS = {
  auth: { pin: JPKI_EF.AUTH_PIN, key: JPKI_EF.AUTH_KEY, cert: JPKI_EF.AUTH_CERT, ca: JPKI_EF.AUTH_CA_CERT },
  sign: { pin: JPKI_EF.SIGN_PIN, key: JPKI_EF.SIGN_KEY, cert: JPKI_EF.SIGN_CERT, ca: JPKI_EF.SIGN_CA_CERT },
} as const;

/** Longest certificate the 15-bit READ BINARY offset can reach. */
const MAX_CERTIFICATE = MAX_READ_OFFSET + MAX_READ_CHUNK;
/** GET RESPONSE rounds accepted for one command (T=0 readers); more means a confused card. */
const MAX_GET_RESPONSE = 16;

function assertKind(kind: unknown): asserts kind is KeyKind {
  if (kind !== 'auth' && kind !== 'sign') throw new AppError('REQ_INVALID', { detail: `key kind ${String(kind)}` });
}

/**
 * Checks and normalises a PIN before it can reach a card: auth = exactly 4 ASCII digits; sign =
 * upper-cased, then 6–16 of A–Z 0–9 (SPEC §2). Throws AppError('CARD_PIN_FORMAT') otherwise.
 */
export function normalisePin(kind: KeyKind, pin: string): string {
  assertKind(kind);
  if (typeof pin !== 'string') throw new AppError('CARD_PIN_FORMAT', { detail: `${kind} PIN is not a string` });
  const value = kind === 'sign' ? pin.toUpperCase() : pin;
  // The detail says what was wrong, never the PIN itself.
  if (!PIN_RULES[kind].pattern.test(value)) throw new AppError('CARD_PIN_FORMAT', { detail: `${kind} PIN of ${pin.length} characters does not match ${PIN_RULES[kind].pattern}` });
  return value;
}

const ascii = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

/** The JPKI application of one card, reached through one session. */
export class JpkiClient {
  private readonly session: CardSession;
  private readonly signal: AbortSignal | undefined;

  /** `opts.signal` cancels between APDUs with AppError('WS_CANCELLED'); an APDU in flight completes. */
  constructor(session: CardSession, opts: { signal?: AbortSignal } = {}) {
    this.session = guardSession(session);
    this.signal = opts.signal;
  }

  /** The token label of EF 0006 (`JPKIAPICCTOKEN2` on a My Number Card), padding removed. CARD_NOT_JPKI if the AP is absent. */
  async tokenLabel(): Promise<string> {
    return this.run(async () => {
      await this.selectEf(JPKI_EF.TOKEN_INFO);
      const data = await this.expect(buildReadBinary(0, 32), 'read');
      return Buffer.from(data).toString('latin1').replace(/[\0 ]+$/, '');
    });
  }

  /** The 利用者証明用 certificate (EF 000A), exactly as long as its DER says, never the filler. */
  async readAuthCertificate(): Promise<Uint8Array> {
    return this.run(() => this.readCertificate(EFS.auth.cert));
  }

  /** The CA certificate the card holds for `kind` (000B auth, 0002 sign). Never trust it as an anchor. */
  async readCaCertificate(kind: KeyKind): Promise<Uint8Array> {
    assertKind(kind);
    return this.run(() => this.readCertificate(EFS[kind].ca));
  }

  /** The 署名用 certificate (EF 0001), which the card releases only after the sign password (SPEC §6 item 1). */
  async readSignCertificate(signPin: string): Promise<Uint8Array> {
    const pin = normalisePin('sign', signPin);
    return this.runWithPin(async () => {
      await this.verifyPin('sign', pin);
      return this.readCertificate(EFS.sign.cert);
    });
  }

  /** Tries left on a PIN, by the empty VERIFY that costs no try. */
  async pinStatus(kind: KeyKind): Promise<PinStatus> {
    assertKind(kind);
    return this.run(async () => {
      await this.selectEf(EFS[kind].pin);
      return this.queryPin();
    });
  }

  /**
   * Verifies `pin` and signs `digestInfo` (DER DigestInfo, 1–245 bytes; see `digestInfoForSha256Hash` in platform/src/shared/digest-info.ts)
   * with the `kind` key: the card pads it with PKCS#1 v1.5 and returns the 256-byte signature.
   */
  async sign(kind: KeyKind, pin: string, digestInfo: Uint8Array): Promise<Uint8Array> {
    const value = normalisePin(kind, pin);
    if (!(digestInfo instanceof Uint8Array) || digestInfo.length < 1 || digestInfo.length > MAX_SIGN_INPUT) {
      throw new AppError('REQ_INVALID', { detail: `signature input must be 1–${MAX_SIGN_INPUT} bytes` });
    }
    return this.runWithPin(async () => {
      await this.verifyPin(kind, value);
      await this.selectEf(EFS[kind].key);
      const signature = await this.expect(buildComputeSignature(digestInfo), 'sign');
      if (signature.length === 0) throw new AppError('CARD_COMMAND_FAILED', { detail: 'empty signature' });
      return signature;
    });
  }

  /** Verifies `oldPin`, then replaces it with `newPin` (both format-checked first). */
  async changePin(kind: KeyKind, oldPin: string, newPin: string): Promise<void> {
    const oldValue = normalisePin(kind, oldPin);
    const newValue = normalisePin(kind, newPin);
    return this.runWithPin(async () => {
      await this.verifyPin(kind, oldValue);
      await this.expect(buildChangeReferenceData(ascii(newValue)), 'change');
    });
  }

  /** One transaction that starts by selecting the JPKI AP. */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    this.throwIfAborted();
    return this.session.transaction(async () => {
      await this.expect(buildSelectJpki(), 'select-ap');
      return fn();
    });
  }

  /** Like `run`, then selects the AP again, whatever happened, to drop the PIN state. */
  private runWithPin<T>(fn: () => Promise<T>): Promise<T> {
    return this.run(async () => {
      try {
        return await fn();
      } finally {
        await this.session.transmit(buildSelectJpki()).catch(() => undefined);
      }
    });
  }

  private async selectEf(fid: number): Promise<void> {
    await this.expect(buildSelectEf(fid), 'select-ef');
  }

  /** Reads the current EF's DER object: header first, then chunks of ≤ 256 bytes up to its length. */
  private async readCertificate(fid: number): Promise<Uint8Array> {
    await this.selectEf(fid);
    const head = await this.expect(buildReadBinary(0, DER_HEADER_READ), 'read');
    const total = derTotalLength(head);
    if (total > MAX_CERTIFICATE) throw new AppError('CARD_COMMAND_FAILED', { detail: `certificate of ${total} bytes` });
    const der = new Uint8Array(total);
    let at = Math.min(head.length, total);
    der.set(head.subarray(0, at), 0);
    while (at < total) {
      const chunk = await this.expect(buildReadBinary(at, Math.min(MAX_READ_CHUNK, total - at)), 'read');
      if (chunk.length === 0) throw new AppError('CARD_COMMAND_FAILED', { detail: `EF ended at ${at} of ${total} bytes` });
      const take = Math.min(chunk.length, total - at);
      der.set(chunk.subarray(0, take), at);
      at += take;
    }
    return der;
  }

  /** Empty VERIFY on the current PIN EF; falls back to the 5-byte form if the card wants a length (SPEC §6 item 6). */
  private async queryPin(): Promise<PinStatus> {
    let { sw } = await this.send(buildVerifyStatus());
    if (isWrongLength(sw)) ({ sw } = await this.send(buildVerifyStatusLong()));
    const status = pinStatusFromSw(sw);
    if (!status) throw errorForSw(sw, 'verify');
    return status;
  }

  /** Selects the PIN EF, refuses if the counter says blocked, then sends the PIN once. */
  private async verifyPin(kind: KeyKind, pin: string): Promise<void> {
    await this.selectEf(EFS[kind].pin);
    const status = await this.queryPin();
    if (status.blocked) {
      throw new AppError('CARD_PIN_BLOCKED', { detail: `${kind} PIN blocked; not sent`, details: { triesLeft: 0 } });
    }
    await this.expect(buildVerify(ascii(pin)), 'verify');
  }

  /** Sends a command and returns data + SW, collecting 61xx continuations (T=0 readers). */
  private async send(command: Uint8Array): Promise<{ data: Uint8Array; sw: number }> {
    this.throwIfAborted();
    let { data, sw } = splitResponse(await this.session.transmit(command));
    for (let round = 0; ; round++) {
      const { outcome } = describeSw(sw);
      if (outcome.kind !== 'more-data') break;
      if (round === MAX_GET_RESPONSE) throw new AppError('CARD_COMMAND_FAILED', { detail: 'endless GET RESPONSE' });
      this.throwIfAborted();
      const next = splitResponse(await this.session.transmit(buildGetResponse(outcome.available)));
      data = concatBytes(data, next.data);
      sw = next.sw;
    }
    return { data, sw };
  }

  /** Sends a command; returns its data on 9000, else throws the catalogue error for its SW. */
  private async expect(command: Uint8Array, context: CommandContext): Promise<Uint8Array> {
    const { data, sw } = await this.send(command);
    if (!isOk(sw)) throw errorForSw(sw, context);
    return data;
  }

  private throwIfAborted(): void {
    if (this.signal?.aborted) throw new AppError('WS_CANCELLED', { cause: this.signal.reason });
  }
}
