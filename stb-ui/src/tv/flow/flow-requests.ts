import type { WireError } from '../../../../platform/src/shared/errors.js';
import { DriverError, type CommandResults, type KeyKind } from '../../api/reader-client.js';
import type { CommandParams } from '../../../../reader-driver/src/ws/protocol.js';
import type { FlowReader } from './flow-state.js';

/** Thrown into a superseded async step (the person moved on, or the card went away); never shown. */
export class Superseded extends Error {}

/** The catalogue body of any error, or null for one the flow does not know. */
export function wireOf(err: unknown): { error: WireError; network: boolean } | null {
  const e = err as { error?: WireError; network?: boolean } | null;
  if (e && typeof e === 'object' && e.error && typeof e.error.code === 'string') return { error: e.error, network: !!e.network };
  return null;
}

export type CardCommand = 'cert.read' | 'pin.status' | 'sign';

/**
 * A reader busy with another request (WS_BAD_STATE) is asked again this many times, this far apart:
 * the page's certificate cache reads a card the moment it is put in, and a resident who presses
 * ログイン at once must not be shown 「うまく いきませんでした」 for that. The driver refuses a busy
 * reader before anything reaches the card, so asking again never sends a PIN twice.
 */
const BUSY_RETRIES = 8;
const BUSY_WAIT_MS = 400;

/**
 * A card request carrying a PIN whose fate is unknown: it left the page and was lost with the
 * driver link before its answer (`link`), or the card was taken away while it ran (`card`; the
 * card may have counted the try, and the card put back may be another). It may have cost a try,
 * so the PIN is never sent again unseen.
 */
export class PinFateUnknown extends Error {
  constructor(readonly key: KeyKind, readonly lostBy: 'link' | 'card', readonly error: WireError) {
    super(error.message);
    this.name = 'PinFateUnknown';
  }
}

/** Which PIN a card request carries, if any. */
function pinKeyOf<C extends CardCommand>(cmd: C, params: CommandParams<C>): KeyKind | null {
  if (cmd === 'sign') return (params as CommandParams<'sign'>).key;
  if (cmd === 'cert.read' && (params as CommandParams<'cert.read'>).pin !== undefined) return 'sign';
  return null;
}

/**
 * Whether a failed request may have reached the card, and why its fate is unknown: a link lost
 * after sending (the page's client made the failure up), or the card taken away while it ran.
 */
function fateUnknown(err: unknown): 'link' | 'card' | null {
  if (err instanceof DriverError && !err.unsent && (err.code === 'READER_UNAVAILABLE' || err.code === 'READER_REQUEST_LOST')) return 'link';
  return wireOf(err)?.error.code === 'CARD_REMOVED' ? 'card' : null;
}

/**
 * The flow's requests, one at a time per reader: a card request waits for the previous one to
 * settle (the card does one thing at a time), and every answer that arrives after the person moved
 * on (`supersede()`) is turned into `Superseded` so no stale step can change the screen.
 */
export class FlowRequests {
  /** Bumped whenever in-flight work must be ignored. */
  private _gen = 0;
  /** The card request in flight, and the promise that settles with it. */
  private _running: { id: string; cmd: CardCommand; pinKey: KeyKind | null; done: Promise<unknown> } | null = null;
  /**
   * The reader the card was found in at the card check; every card request names it, so a card
   * coming or going in another reader (a second reader, a card of someone else) changes nothing.
   */
  readerName: string | undefined = undefined;

  constructor(private readonly _reader: FlowReader) {}

  /** Everything in flight from now on is ignored. */
  supersede(): void {
    this._gen++;
  }

  /** The card command running now, if any. */
  get running(): CardCommand | null {
    return this._running?.cmd ?? null;
  }

  /** The PIN the running card command carries, if any. */
  get runningPinKey(): KeyKind | null {
    return this._running?.pinKey ?? null;
  }

  /** Asks the driver to stop the card request in flight (its answer is then WS_CANCELLED). */
  cancelRunning(): void {
    const running = this._running;
    if (running) this._reader.cancel(running.id).catch(() => {});
  }

  /**
   * One card request: waits for the previous one to settle (one per reader), asked again while the
   * reader is busy with another client's request, ignored once superseded.
   */
  async card<C extends CardCommand>(cmd: C, params: CommandParams<C>): Promise<CommandResults[C]> {
    const gen = this._gen;
    if (this._running) await this._running.done.catch(() => {});
    if (gen !== this._gen) throw new Superseded();
    const named = this.readerName === undefined ? params : { ...params, reader: this.readerName };
    const pinKey = pinKeyOf(cmd, params);
    for (let attempt = 1; ; attempt++) {
      const sent = this._reader.send(cmd, named);
      const running = { id: sent.id, cmd, pinKey, done: sent.result as Promise<unknown> };
      this._running = running;
      try {
        const result = (await sent.result) as CommandResults[C];
        if (gen !== this._gen) throw new Superseded();
        return result;
      } catch (err) {
        if (gen !== this._gen) throw new Superseded();
        if (wireOf(err)?.error.code === 'WS_BAD_STATE' && attempt < BUSY_RETRIES) {
          await new Promise((resolve) => setTimeout(resolve, BUSY_WAIT_MS));
          if (gen !== this._gen) throw new Superseded();
          continue;
        }
        const fate = pinKey === null ? null : fateUnknown(err);
        if (pinKey !== null && fate !== null) throw new PinFateUnknown(pinKey, fate, wireOf(err)!.error);
        throw err;
      } finally {
        if (this._running === running) this._running = null;
      }
    }
  }

  /** One platform call, ignored once superseded. */
  platform<T>(call: () => Promise<T>): Promise<T> {
    return this.own(call());
  }

  /** Any work already under way (e.g. a certificate read before the flow began), ignored once superseded. */
  async own<T>(work: Promise<T>): Promise<T> {
    const gen = this._gen;
    try {
      const result = await work;
      if (gen !== this._gen) throw new Superseded();
      return result;
    } catch (err) {
      if (gen !== this._gen) throw new Superseded();
      throw err;
    }
  }
}
