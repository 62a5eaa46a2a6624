/**
 * An in-process `ReaderBay` of named virtual readers, each of which may hold one `ApduProcessor`
 * (usually a `VirtualCard`). Tests and the demo insert and remove cards by hand; the bay emits the
 * same events as the PC/SC bay. A session belongs to one insertion of one card: once that card is
 * removed (or its reader goes away) the session answers `CARD_REMOVED` (`READER_NOT_FOUND`) for
 * good, including a command that was in flight at that moment.
 */
import { EventEmitter } from 'node:events';
import { AppError } from '../../../platform/src/shared/errors.js';
import { toHex } from '../apdu/bytes.js';
import { assertCommandAllowed } from '../apdu/guard.js';
import type { ApduProcessor } from '../virtual-card/apdu-processor.js';
import type { CardSession, ReaderBay, ReaderBayEvents, ReaderInfo } from './transport.js';

/** One card sitting in one reader, from insertion to removal. */
interface Insertion {
  card: ApduProcessor;
  /** Settles with the error every pending or later command of this insertion gets. */
  gone: Promise<never>;
  end(error: AppError): void;
  ended: AppError | null;
}

interface VirtualReader {
  name: string;
  insertion: Insertion | null;
  /** The reader's lock: held by one session's transaction, or by a single transmit outside one. */
  lock: Mutex;
}

/** A FIFO mutex. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Waits for the lock; resolves with the function that releases it. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return acquired;
  }

  /** Runs `fn` holding the lock. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

function newInsertion(card: ApduProcessor): Insertion {
  let end!: (error: AppError) => void;
  const gone = new Promise<never>((_, reject) => (end = reject));
  gone.catch(() => undefined); // observed by whoever races it; never an unhandled rejection
  const insertion: Insertion = {
    card,
    gone,
    ended: null,
    end(error) {
      if (insertion.ended) return;
      insertion.ended = error;
      end(error);
    },
  };
  return insertion;
}

/** The virtual counterpart of the PC/SC bay: readers and cards live in this process. */
export class VirtualBay extends EventEmitter<ReaderBayEvents> implements ReaderBay {
  readonly kind = 'virtual' as const;
  private readonly _readers = new Map<string, VirtualReader>();
  private closed = false;

  /** Creates the bay with these (empty) readers. */
  constructor(readerNames: string[] = []) {
    super();
    for (const name of readerNames) this.addReader(name);
  }

  /** Adds an empty reader; emits `reader.added`. No-op if it exists. */
  addReader(name: string): void {
    this.assertOpen();
    if (this._readers.has(name)) return;
    this._readers.set(name, { name, insertion: null, lock: new Mutex() });
    this.emit('reader.added', this.info(name));
  }

  /** Unplugs a reader: its card (if any) is removed first; sessions then get `READER_NOT_FOUND`. */
  removeReader(name: string): void {
    const reader = this._readers.get(name);
    if (!reader) return;
    this.takeOut(reader, new AppError('READER_NOT_FOUND', { detail: `virtual reader ${name} was removed` }));
    this._readers.delete(name);
    this.emit('reader.removed', { name, cardPresent: false });
  }

  /**
   * Puts `card` into `readerName` (created if unknown) and powers it on; emits `card.inserted`.
   * A card already there is removed first, as if swapped by hand.
   */
  insert(readerName: string, card: ApduProcessor): void {
    this.assertOpen();
    if (!this._readers.has(readerName)) this.addReader(readerName);
    const reader = this._readers.get(readerName)!;
    if (reader.insertion) this.remove(readerName);
    card.powerOn();
    reader.insertion = newInsertion(card);
    this.emit('card.inserted', this.info(readerName));
  }

  /** Takes the card out of `readerName` and powers it off; emits `card.removed`. Returns the card. */
  remove(readerName: string): ApduProcessor | undefined {
    const reader = this._readers.get(readerName);
    if (!reader?.insertion) return undefined;
    return this.takeOut(reader, new AppError('CARD_REMOVED', { detail: `card removed from ${readerName}` }));
  }

  readers(): ReaderInfo[] {
    return [...this._readers.keys()].map((name) => this.info(name));
  }

  async connect(readerName: string): Promise<CardSession> {
    this.assertOpen();
    const reader = this._readers.get(readerName);
    if (!reader) throw new AppError('READER_NOT_FOUND', { detail: `no virtual reader ${readerName}` });
    if (!reader.insertion) throw new AppError('CARD_ABSENT', { detail: `no card in ${readerName}` });
    return new VirtualSession(reader, reader.insertion);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const name of [...this._readers.keys()]) this.removeReader(name);
    this.closed = true;
    this.removeAllListeners();
  }

  private takeOut(reader: VirtualReader, error: AppError): ApduProcessor | undefined {
    const insertion = reader.insertion;
    if (!insertion) return undefined;
    reader.insertion = null;
    insertion.end(error);
    insertion.card.powerOff();
    this.emit('card.removed', { name: reader.name, cardPresent: false });
    return insertion.card;
  }

  private info(name: string): ReaderInfo {
    const insertion = this._readers.get(name)?.insertion;
    return insertion ? { name, cardPresent: true, atr: toHex(insertion.card.atr) } : { name, cardPresent: false };
  }

  private assertOpen(): void {
    if (this.closed) throw new AppError('READER_UNAVAILABLE', { detail: 'the virtual bay is closed' });
  }
}

/** A connection to one insertion of a card. */
class VirtualSession implements CardSession {
  readonly readerName: string;
  readonly atr: Uint8Array;
  private inTransaction = false;
  private disconnected = false;

  constructor(
    private readonly reader: VirtualReader,
    private readonly insertion: Insertion,
  ) {
    this.readerName = reader.name;
    this.atr = insertion.card.atr;
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    this.assertUsable();
    assertCommandAllowed(command);
    if (this.inTransaction) return this.send(command);
    return this.reader.lock.run(() => this.send(command));
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    this.assertUsable();
    if (this.inTransaction) throw new AppError('INTERNAL', { detail: 'CardSession.transaction calls do not nest' });
    return this.reader.lock.run(async () => {
      this.assertUsable();
      this.inTransaction = true;
      try {
        return await fn();
      } finally {
        this.inTransaction = false;
      }
    });
  }

  async disconnect(): Promise<void> {
    this.disconnected = true;
  }

  private async send(command: Uint8Array): Promise<Uint8Array> {
    this.assertUsable();
    // Race the card against its removal: a command in flight when the card leaves fails at once,
    // and its answer (if the card still produces one) is dropped.
    try {
      return await Promise.race([this.insertion.card.process(command), this.insertion.gone]);
    } catch (err) {
      if (this.insertion.ended) throw copyOf(this.insertion.ended);
      throw err;
    }
  }

  private assertUsable(): void {
    if (this.insertion.ended) throw copyOf(this.insertion.ended);
    if (this.disconnected) throw new AppError('INTERNAL', { detail: 'the session is disconnected' });
  }
}

/** A fresh error with the same code and detail (each caller gets its own stack). */
const copyOf = (e: AppError) => new AppError(e.code, { detail: e.detail });
