/**
 * How many messages one WebSocket may still send: a burst, refilled at a steady rate (a token
 * bucket). Each socket of the TVs' alert channel and of the console's live channel has its own; a
 * socket past it is refused and closed (REQ_RATE_LIMITED) before the message becomes database work.
 */
export class MessageAllowance {
  readonly #burst: number;
  readonly #perSecond: number;
  #left: number;
  #at: number;

  constructor(burst: number, perSecond: number, now = Date.now()) {
    this.#burst = burst;
    this.#perSecond = perSecond;
    this.#left = burst;
    this.#at = now;
  }

  /** Spends one message's allowance; false when none is left (nothing is spent then). */
  take(now = Date.now()): boolean {
    this.#left = Math.min(this.#burst, this.#left + ((now - this.#at) * this.#perSecond) / 1000);
    this.#at = now;
    if (this.#left < 1) return false;
    this.#left -= 1;
    return true;
  }
}
