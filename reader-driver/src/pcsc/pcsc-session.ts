import { AsyncLocalStorage } from 'node:async_hooks';
import { AppError } from '../../../platform/src/shared/errors.js';
import { assertCommandAllowed } from '../apdu/guard.js';
import type { CardSession } from '../transport/transport.js';
import type { BindingReader } from './binding.js';
import { AMBIGUOUS_LOSS, PcscCode, pcscCodeOf, translatePcscError } from './pcsc-errors.js';

export interface PcscSessionOptions {
  /** How long `transaction` waits for another application to release the card (default 5000 ms). */
  exclusiveWaitMs?: number;
  /**
   * After a transmit fails in a way that may mean "card gone" (NOT_TRANSACTED, COMM_ERROR …),
   * how long to wait for pcscd to report the removal before calling it a command failure
   * (default 1500 ms; pcscd polls a driver like vpcd every 400 ms).
   */
  lossConfirmMs?: number;
}

/** Room for any short or extended response APDU (65536 data bytes + SW1 SW2). */
const MAX_RESPONSE = 65_538;

type Handle = 'shared' | 'exclusive' | null;

/**
 * One card in one reader, over pcscd. Outside a transaction the session holds a shared handle;
 * `transaction(fn)` re-connects with SCARD_SHARE_EXCLUSIVE for the duration of `fn` and lets go
 * afterwards. That stands in for SCardBeginTransaction, which the `pcsclite` binding does not
 * expose (see the PcscReaderBay notes for the limits).
 *
 * Created by `PcscReaderBay.connect`; the bay marks it lost when the card or reader goes away.
 */
export class PcscCardSession implements CardSession {
  readonly readerName: string;
  readonly atr: Uint8Array;
  private readonly _reader: BindingReader;
  private readonly _exclusiveWaitMs: number;
  private readonly _lossConfirmMs: number;
  private readonly _onRelease: (session: PcscCardSession) => void;
  private _protocol: number;
  private _handle: Handle;
  private _lost: AppError | null = null;
  private _signalLost!: (err: AppError) => void;
  private readonly _lostSignal: Promise<AppError>;
  /** Serialises transactions and the transmits issued outside one. */
  private _queue: Promise<unknown> = Promise.resolve();
  private readonly _inTransaction = new AsyncLocalStorage<true>();

  private constructor(reader: BindingReader, atr: Uint8Array, protocol: number, options: PcscSessionOptions, onRelease: (s: PcscCardSession) => void) {
    this.readerName = reader.name;
    this.atr = atr;
    this._reader = reader;
    this._protocol = protocol;
    this._handle = 'shared';
    this._exclusiveWaitMs = options.exclusiveWaitMs ?? 5000;
    this._lossConfirmMs = options.lossConfirmMs ?? 1500;
    this._onRelease = onRelease;
    this._lostSignal = new Promise<AppError>((resolve) => (this._signalLost = resolve));
  }

  /**
   * Connects (shared, T=0 or T=1, whichever the card and reader negotiate), waiting up to
   * `exclusiveWaitMs` while another application holds the card exclusively.
   */
  static async open(reader: BindingReader, atr: Uint8Array, options: PcscSessionOptions, onRelease: (s: PcscCardSession) => void): Promise<PcscCardSession> {
    const protocol = await connectWaiting(reader, reader.SCARD_SHARE_SHARED, reader.SCARD_PROTOCOL_T0 | reader.SCARD_PROTOCOL_T1, options.exclusiveWaitMs ?? 5000, () => false);
    return new PcscCardSession(reader, atr, protocol, options, onRelease);
  }

  /** The transmission protocol pcscd negotiated with the card. */
  get protocol(): 'T=0' | 'T=1' {
    return this._protocol === this._reader.SCARD_PROTOCOL_T0 ? 'T=0' : 'T=1';
  }

  /** Whether the session can still be used (card and reader present, not disconnected). */
  get isOpen(): boolean {
    return this._lost === null;
  }

  /**
   * Sends one APDU as is and returns the response as is: on T=0, 61xx / 6Cxx reach the caller
   * (`JpkiClient` issues GET RESPONSE itself), since status words are read only in `apdu/`.
   */
  transmit(command: Uint8Array): Promise<Uint8Array> {
    // The same whitelist as the virtual bay, here where a real card is at stake: nothing but the
    // JPKI AP can ever be selected through this transport (SPEC §1.1).
    try {
      assertCommandAllowed(command);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this._inTransaction.getStore()) return this._transmitRaw(command);
    return this._enqueue(async () => {
      await this._ensureHandle();
      return this._transmitRaw(command);
    });
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this._inTransaction.getStore()) {
      return Promise.reject(new AppError('INTERNAL', { detail: 'CardSession.transaction calls do not nest' }));
    }
    return this._enqueue(async () => {
      await this._acquireExclusive();
      try {
        return await this._inTransaction.run(true, fn);
      } finally {
        // Let other applications in between operations; the next one re-selects anyway (SPEC §1.2).
        await this._dropHandle();
      }
    });
  }

  async disconnect(): Promise<void> {
    if (this._lost) return;
    this._markLost(new AppError('INTERNAL', { detail: 'CardSession used after disconnect()' }));
    await this._dropHandle();
  }

  /** Called by the bay: the card, the reader or pcscd went away. Idempotent. */
  markLost(err: AppError): void {
    if (this._lost) return;
    this._markLost(err);
    void this._dropHandle();
  }

  private _markLost(err: AppError): void {
    this._lost = err;
    this._signalLost(err);
    this._onRelease(this);
  }

  private _enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this._queue.then(() => {
      if (this._lost) throw this._lost;
      return task();
    });
    this._queue = run.catch(() => undefined);
    return run;
  }

  private async _ensureHandle(): Promise<void> {
    if (this._handle) return;
    this._protocol = await this._guard('SCardConnect', () =>
      connectWaiting(this._reader, this._reader.SCARD_SHARE_SHARED, this._protocol, this._exclusiveWaitMs, () => this._lost !== null),
    );
    this._handle = 'shared';
  }

  /** Re-connects exclusively, waiting while another application holds the card. */
  private async _acquireExclusive(): Promise<void> {
    await this._dropHandle();
    try {
      this._protocol = await connectWaiting(this._reader, this._reader.SCARD_SHARE_EXCLUSIVE, this._protocol, this._exclusiveWaitMs, () => this._lost !== null);
      this._handle = 'exclusive';
    } catch (err) {
      throw await this._explain(err, 'SCardConnect');
    }
  }

  private async _dropHandle(): Promise<void> {
    if (!this._handle && !this._reader.connected) return;
    this._handle = null;
    await new Promise<void>((resolve) => {
      try {
        this._reader.disconnect(this._reader.SCARD_LEAVE_CARD, () => resolve());
      } catch {
        resolve();
      }
    });
  }

  private _transmitRaw(command: Uint8Array): Promise<Uint8Array> {
    return this._guard('SCardTransmit', async () => {
      const response = await new Promise<Buffer>((resolve, reject) => {
        try {
          this._reader.transmit(Buffer.from(command), MAX_RESPONSE, this._protocol, (err, data) => (err ? reject(err) : resolve(data)));
        } catch (err) {
          reject(err);
        }
      });
      if (response.length < 2) throw new ShortResponseError(response.length);
      return new Uint8Array(response);
    });
  }

  private async _guard<T>(operation: string, step: () => Promise<T>): Promise<T> {
    if (this._lost) throw this._lost;
    try {
      return await step();
    } catch (err) {
      throw await this._explain(err, operation);
    }
  }

  /**
   * Turns a binding failure into one catalogue error. If the card, reader or service went away,
   * the bay's verdict wins (it knows which of the three it was); a failure that can mean that
   * waits briefly for pcscd's status to catch up.
   */
  private async _explain(err: unknown, operation: string): Promise<AppError> {
    if (this._lost) return this._lost;
    if (err instanceof AppError) return err;
    let translated = translatePcscError(err, operation);
    // A session is opened only on a card that was there: no card now means it went away during
    // the work. CARD_ABSENT tells the page that nothing reached a card (a PIN sent with it is kept),
    // so it is never said once a command may have.
    if (translated.code === 'CARD_ABSENT') translated = new AppError('CARD_REMOVED', { detail: translated.detail, cause: err });
    const pcscCode = pcscCodeOf(err);
    const mayBeLoss = err instanceof ShortResponseError || (pcscCode !== undefined && AMBIGUOUS_LOSS.has(pcscCode)) || translated.code === 'CARD_REMOVED';
    if (!mayBeLoss) return translated;
    let timer: NodeJS.Timeout | undefined;
    const verdict = await Promise.race([
      this._lostSignal,
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), translated.code === 'CARD_REMOVED' ? 300 : this._lossConfirmMs))),
    ]);
    clearTimeout(timer);
    if (verdict && verdict.code !== 'INTERNAL') {
      return new AppError(verdict.code, { detail: `${translated.detail ?? operation} (${verdict.detail ?? verdict.code})`, cause: err });
    }
    return translated;
  }
}

/**
 * pcscd reported success with no status word. vpcd does exactly that when its virtual card's
 * connection drops mid-command, so it is treated like NOT_TRANSACTED: a removal unless the
 * reader status says otherwise.
 */
class ShortResponseError extends Error {
  constructor(length: number) {
    super(`SCardTransmit returned ${length} bytes, no status word`);
  }
}

/**
 * SCardConnect, retried every 50 ms while another application holds the card (pcsc-lite answers
 * SHARING_VIOLATION at once rather than queueing), for at most `waitMs` or until `abandoned()`.
 */
async function connectWaiting(reader: BindingReader, shareMode: number, protocol: number, waitMs: number, abandoned: () => boolean): Promise<number> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await connectReader(reader, shareMode, protocol);
    } catch (err) {
      if (pcscCodeOf(err) !== PcscCode.SHARING_VIOLATION || Date.now() >= deadline || abandoned()) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** SCardConnect through the binding; resolves with the active protocol. */
function connectReader(reader: BindingReader, shareMode: number, protocol: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    try {
      reader.connect({ share_mode: shareMode, protocol }, (err, active) => {
        if (err) return reject(err);
        // The binding answers "already connected" with no protocol: never expected, since every
        // session drops its handle before re-connecting.
        if (typeof active !== 'number') return reject(new AppError('INTERNAL', { detail: `SCardConnect: ${reader.name} was already connected` }));
        resolve(active);
      });
    } catch (err) {
      reject(err);
    }
  });
}
