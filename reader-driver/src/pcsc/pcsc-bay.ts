import { EventEmitter } from 'node:events';
import { AppError } from '../../../platform/src/shared/errors.js';
import type { CardSession, ReaderBay, ReaderBayEvents, ReaderInfo } from '../transport/transport.js';
import { ReaderState, errorText, eventCount, loadBinding, type BindingContext, type BindingFactory, type BindingReader, type LoadBindingResult } from './binding.js';
import { translatePcscError } from './pcsc-errors.js';
import { PcscCardSession, type PcscSessionOptions } from './pcsc-session.js';

/** pino-compatible subset. */
export interface PcscLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface PcscBayOptions extends PcscSessionOptions {
  logger?: PcscLogger;
  /** While pcscd is gone, how often to try to reach it again (default 2000 ms). */
  serviceRetryMs?: number;
  /** How long `openPcscBay` waits for the first reader list and statuses (default 1000 ms). */
  settleMs?: number;
  /** Replaces the binding loader (tests of the failure paths). */
  loadBinding?: () => Promise<LoadBindingResult>;
}

/** What `openPcscBay` tells the driver when PC/SC cannot be used; it then runs virtual readers only. */
export type OpenPcscBayResult = { ok: true; bay: PcscReaderBay } | { ok: false; code: 'READER_UNAVAILABLE'; reason: string };

/** How to get PC/SC onto a Debian/Ubuntu machine, appended to every failure reason. */
export const PCSC_INSTALL_HINT =
  'To use PC/SC readers: apt-get install -y pcscd vsmartcard-vpcd libpcsclite-dev, then npm ci (builds the optional pcsclite binding), then bash .ci/start-pcscd';

interface ReaderEntry {
  readonly name: string;
  readonly reader: BindingReader;
  /** Set once the first status arrived (and `reader.added` went out). */
  announced: boolean;
  present: boolean;
  atr: Uint8Array | undefined;
  events: number;
  session: PcscCardSession | null;
  connecting: boolean;
}

const silent: PcscLogger = { debug() {}, info() {}, warn() {} };

/**
 * Loads the `pcsclite` binding and connects to pcscd. Never throws: when the optional package is
 * missing, its native part cannot load, or pcscd is not running, it returns `{ ok: false, reason }`
 * with the install hint so the driver can say so and carry on with virtual readers.
 */
export async function openPcscBay(options: PcscBayOptions = {}): Promise<OpenPcscBayResult> {
  const loaded = await (options.loadBinding ?? loadBinding)();
  if (!loaded.ok) return { ok: false, code: 'READER_UNAVAILABLE', reason: `${loaded.reason}. ${PCSC_INSTALL_HINT}` };
  let context: BindingContext;
  try {
    context = loaded.factory();
  } catch (err) {
    return { ok: false, code: 'READER_UNAVAILABLE', reason: `pcscd is not reachable (${errorText(err)}). ${PCSC_INSTALL_HINT}` };
  }
  const bay = new PcscReaderBay(loaded.factory, context, options);
  await bay.settled(options.settleMs ?? 1000);
  return { ok: true, bay };
}

/**
 * Every PC/SC reader pcscd knows, as a `ReaderBay`: `reader.added` / `reader.removed` as readers
 * come and go, `card.inserted` / `card.removed` from each reader's status flags (a changed pcsc-lite
 * event counter with the card still present counts as a removal plus an insertion, so a quick
 * re-insert is never missed). A reader that already holds a card when first seen gets
 * `reader.added` followed by `card.inserted`.
 *
 * Nothing here can take the process down: every binding `error` event is handled, every binding
 * call is guarded, and listener exceptions are caught. When pcscd itself goes away the bay reports
 * all readers removed and keeps trying to reach it again.
 *
 * Exclusive access: the binding has no SCardBeginTransaction, so `CardSession.transaction` holds
 * an SCARD_SHARE_EXCLUSIVE connection for the duration of the operation instead. Limits: getting
 * it means a disconnect and reconnect (two pcscd round trips per operation); it waits up to
 * `exclusiveWaitMs` while another application holds the card, then fails with `CARD_IN_USE`; and
 * between operations other applications may use, re-select or reset the card, so every operation
 * must start with SELECT (as SPEC §1.2 requires anyway). A card reset by another application while
 * our shared handle is open surfaces as `CARD_REMOVED` on the next transmit.
 *
 * @fires reader.added @fires reader.removed @fires card.inserted @fires card.removed
 */
export class PcscReaderBay extends EventEmitter<ReaderBayEvents> implements ReaderBay {
  readonly kind = 'pcsc' as const;
  private readonly _factory: BindingFactory;
  private readonly _options: PcscBayOptions;
  private readonly _log: PcscLogger;
  private readonly _entries = new Map<string, ReaderEntry>();
  private _context: BindingContext | null = null;
  private _retryTimer: NodeJS.Timeout | null = null;
  private _closed = false;
  private _lastReaderSeenAt = Date.now();

  /** Use `openPcscBay`; this constructor takes an already established binding context. */
  constructor(factory: BindingFactory, context: BindingContext, options: PcscBayOptions = {}) {
    super();
    this._factory = factory;
    this._options = options;
    this._log = options.logger ?? silent;
    this._attach(context);
  }

  /** Whether pcscd is reachable right now. */
  get serviceAvailable(): boolean {
    return this._context !== null;
  }

  readers(): ReaderInfo[] {
    return [...this._entries.values()].filter((e) => e.announced).map(infoOf);
  }

  async connect(readerName: string): Promise<CardSession> {
    if (this._closed || !this._context) throw new AppError('READER_UNAVAILABLE', { detail: this._closed ? 'the PC/SC bay is closed' : 'pcscd is not reachable' });
    const entry = this._entries.get(readerName);
    if (!entry || !entry.announced) throw new AppError('READER_NOT_FOUND', { detail: `no PC/SC reader named ${JSON.stringify(readerName)}` });
    if (!entry.present || !entry.atr) throw new AppError('CARD_ABSENT', { detail: readerName });
    // The binding keeps one card handle per reader object, so one session per reader at a time.
    if (entry.session?.isOpen || entry.connecting) throw new AppError('CARD_IN_USE', { detail: `a session to ${readerName} is already open in this process` });
    const events = entry.events;
    let session: PcscCardSession;
    entry.connecting = true;
    try {
      session = await PcscCardSession.open(entry.reader, entry.atr, this._options, (s) => {
        if (entry.session === s) entry.session = null;
      });
    } catch (err) {
      throw translatePcscError(err, 'SCardConnect');
    } finally {
      entry.connecting = false;
    }
    // The card may have gone (or been swapped) while we connected.
    if (this._entries.get(readerName) !== entry || !entry.present || entry.events !== events) {
      session.markLost(new AppError('CARD_REMOVED', { detail: `${readerName}: card changed while connecting` }));
      throw new AppError('CARD_REMOVED', { detail: `${readerName}: card changed while connecting` });
    }
    entry.session = session;
    return session;
  }

  async close(): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    if (this._retryTimer) clearTimeout(this._retryTimer);
    this._retryTimer = null;
    const entries = [...this._entries.values()];
    await Promise.all(entries.map((e) => e.session?.disconnect()));
    this._detach(entries);
  }

  /**
   * Resolves once the first reader list and every listed reader's first status have arrived, or
   * after `maxMs`. (With no readers at all the binding says nothing, hence the short floor.)
   */
  async settled(maxMs: number): Promise<void> {
    const started = Date.now();
    for (;;) {
      const quietFor = Date.now() - this._lastReaderSeenAt;
      const allAnnounced = [...this._entries.values()].every((e) => e.announced);
      if (Date.now() - started >= maxMs) return;
      if (allAnnounced && quietFor >= 150) return;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private _attach(context: BindingContext): void {
    this._context = context;
    context.on('error', (err: unknown) => this._onServiceError(context, err));
    context.on('reader', (reader: BindingReader) => this._onReader(context, reader));
  }

  /** Releases the binding context and every reader watcher; errors from a dead pcscd are expected. */
  private _detach(entries: ReaderEntry[]): void {
    for (const entry of entries) {
      entry.session?.markLost(new AppError('READER_UNAVAILABLE', { detail: 'PC/SC bay closed' }));
      safely(() => entry.reader.close());
    }
    this._entries.clear();
    const context = this._context;
    this._context = null;
    if (context) safely(() => context.close());
  }

  private _onReader(context: BindingContext, reader: BindingReader): void {
    if (context !== this._context) return;
    this._lastReaderSeenAt = Date.now();
    const entry: ReaderEntry = { name: reader.name, reader, announced: false, present: false, atr: undefined, events: -1, session: null, connecting: false };
    this._entries.set(reader.name, entry);
    reader.on('error', (err: unknown) => this._log.warn({ reader: reader.name, err: errorText(err) }, 'PC/SC reader watcher failed'));
    reader.on('status', (status: { state: number; atr?: Buffer }) => this._onStatus(entry, status.state, status.atr));
    reader.on('end', () => this._onReaderGone(entry));
  }

  private _onStatus(entry: ReaderEntry, state: number, atr: Buffer | undefined): void {
    if (this._entries.get(entry.name) !== entry) return;
    const present = (state & ReaderState.present) !== 0 && (state & (ReaderState.mute | ReaderState.unknown | ReaderState.unavailable)) === 0;
    const events = eventCount(state);
    if (!entry.announced) {
      entry.announced = true;
      entry.present = present;
      entry.atr = present && atr?.length ? new Uint8Array(atr) : undefined;
      entry.events = events;
      this._log.info({ reader: entry.name, cardPresent: present }, 'PC/SC reader added');
      this._emit('reader.added', infoOf(entry));
      if (present) this._emit('card.inserted', infoOf(entry));
      return;
    }
    if (entry.present && (!present || events !== entry.events)) {
      entry.present = false;
      entry.atr = undefined;
      entry.session?.markLost(new AppError('CARD_REMOVED', { detail: `${entry.name}: card removed` }));
      this._emit('card.removed', infoOf(entry));
    }
    entry.events = events;
    if (present && !entry.present) {
      entry.present = true;
      entry.atr = atr?.length ? new Uint8Array(atr) : undefined;
      this._emit('card.inserted', infoOf(entry));
    }
  }

  private _onReaderGone(entry: ReaderEntry): void {
    if (this._entries.get(entry.name) !== entry) return;
    this._entries.delete(entry.name);
    entry.session?.markLost(new AppError('READER_NOT_FOUND', { detail: `${entry.name}: reader removed` }));
    if (!entry.announced) return;
    if (entry.present) {
      entry.present = false;
      entry.atr = undefined;
      this._emit('card.removed', infoOf(entry));
    }
    this._log.info({ reader: entry.name }, 'PC/SC reader removed');
    this._emit('reader.removed', infoOf(entry));
  }

  /** pcscd stopped (or the context failed): report everything gone, then keep trying to return. */
  private _onServiceError(context: BindingContext, err: unknown): void {
    if (context !== this._context || this._closed) return;
    this._log.warn({ err: errorText(err) }, 'PC/SC service lost');
    const entries = [...this._entries.values()];
    for (const entry of entries) {
      entry.session?.markLost(new AppError('READER_UNAVAILABLE', { detail: `pcscd went away: ${errorText(err)}` }));
      this._onReaderGone(entry);
    }
    this._detach(entries);
    this._scheduleReconnect();
  }

  private _scheduleReconnect(): void {
    if (this._closed || this._retryTimer) return;
    this._retryTimer = setTimeout(() => {
      this._retryTimer = null;
      if (this._closed) return;
      try {
        this._attach(this._factory());
        this._log.info({}, 'PC/SC service is back');
      } catch {
        this._scheduleReconnect();
      }
    }, this._options.serviceRetryMs ?? 2000);
    // Waiting for pcscd must not keep an otherwise finished process alive.
    this._retryTimer.unref();
  }

  /** Emits without letting a listener's exception unwind into the native binding. */
  private _emit(event: keyof ReaderBayEvents, info: ReaderInfo): void {
    try {
      this.emit(event, info);
    } catch (err) {
      this._log.warn({ event, err: errorText(err) }, 'reader bay listener threw');
    }
  }
}

function infoOf(entry: ReaderEntry): ReaderInfo {
  const info: ReaderInfo = { name: entry.name, cardPresent: entry.present };
  if (entry.present && entry.atr) info.atr = Buffer.from(entry.atr).toString('hex').toUpperCase();
  return info;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // The binding throws when pcscd is already gone; nothing is left to release then.
  }
}
