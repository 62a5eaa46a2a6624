/** How long the idle announcement counts down before the TV logs out. */
export const IDLE_ANNOUNCE_SECONDS = 60;

export interface IdleLogoutHooks {
  /** The countdown is showing (or ticking): `secondsLeft` until the logout. */
  onCountdown: (secondsLeft: number) => void;
  /** The countdown was dismissed (a key) or is no longer wanted. */
  onDismiss: () => void;
  /** The quiet period and the countdown ran out: log out. */
  onLogout: () => void;
  /**
   * Whether the screen holds work the resident has not finished (a form half filled in, a password
   * typed, a slot held and not confirmed): asked when the quiet period ends; while true, the quiet
   * period starts again instead of the countdown.
   */
  taskUnderWay?: () => boolean;
}

/**
 * Idle logout on a shared TV: after `minutes` without a key press, a countdown of
 * IDLE_ANNOUNCE_SECONDS is announced; any key dismisses it and the quiet period starts again;
 * when it runs out, the TV logs out. It runs only while someone is logged in and no task is under
 * way (`setArmed(false)` during a PIN entry or a card operation stops it, countdown included; a
 * screen's own unfinished work, `taskUnderWay`, puts it off), so nobody loses what they were doing.
 */
export class IdleLogout {
  private _minutes = 0;
  private _armed = false;
  private _quiet: ReturnType<typeof setTimeout> | null = null;
  private _tick: ReturnType<typeof setInterval> | null = null;
  private _left = 0;

  constructor(private readonly _hooks: IdleLogoutHooks) {}

  /** Whether the countdown is showing. */
  get counting(): boolean {
    return this._tick !== null;
  }

  /** The quiet period in minutes; 0 turns idle logout off. */
  setMinutes(minutes: number): void {
    if (minutes === this._minutes) return;
    this._minutes = minutes;
    this._restart();
  }

  /** Logged in with nothing under way (true), or not (false). */
  setArmed(armed: boolean): void {
    if (armed === this._armed) return;
    this._armed = armed;
    this._restart();
  }

  /** A key was pressed: dismisses the countdown, and the quiet period starts again. */
  touch(): void {
    this._restart();
  }

  stop(): void {
    this._armed = false;
    this._restart();
  }

  private _restart(): void {
    if (this._quiet) clearTimeout(this._quiet);
    this._quiet = null;
    if (this._tick) {
      clearInterval(this._tick);
      this._tick = null;
      this._hooks.onDismiss();
    }
    if (this._armed && this._minutes > 0) this._quiet = setTimeout(() => this._announce(), this._minutes * 60_000);
  }

  private _announce(): void {
    this._quiet = null;
    // A walk found a half-filled 現況確認届 and a typed password thrown away by the logout.
    if (this._hooks.taskUnderWay?.()) return this._restart();
    this._left = IDLE_ANNOUNCE_SECONDS;
    this._hooks.onCountdown(this._left);
    this._tick = setInterval(() => {
      this._left -= 1;
      if (this._left > 0) return this._hooks.onCountdown(this._left);
      if (this._tick) clearInterval(this._tick);
      this._tick = null;
      this._armed = false;
      this._hooks.onLogout();
    }, 1000);
  }
}
