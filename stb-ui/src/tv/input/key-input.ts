import { isDirection, type Action } from './actions.js';
import { keyEnvFrom, resolveKey, type KeyEnv, type KeySource } from './key-map.js';

/** One key press as the rest of the page sees it. */
export interface KeyPress {
  /** The named action, or null for a key the app does not know (the key-test screen still shows it). */
  action: Action | null;
  /** Which layer recognised it (null when none did). */
  source: KeySource | null;
  key: string;
  keyCode: number;
  /** `event.timeStamp`, on the same clock as `performance.now()`: the start of key→focus timing. */
  timeStamp: number;
  repeat: boolean;
}

/** Receives every key press, known or not. */
export type KeyListener = (press: KeyPress) => void;

/** Held arrow keys repeat faster than an old set-top box can draw; repeats closer than this are dropped. */
export const REPEAT_INTERVAL_MS = 120;

/**
 * The one keydown listener of the TV page. It resolves each event once (key-map.ts), prevents the
 * browser default only for keys it recognised, and hands the press to its listeners in order.
 */
export class KeyInput {
  readonly env: KeyEnv;
  private readonly _listeners: KeyListener[] = [];
  private _lastMove = -Infinity;
  private _target: EventTarget | null = null;

  constructor(env: KeyEnv = keyEnvFrom(globalThis, globalThis.navigator?.userAgent ?? '')) {
    this.env = env;
  }

  /** Starts listening on `target` (the window), in the capture phase so nothing else sees keys first. */
  start(target: EventTarget = window): void {
    if (this._target) return;
    this._target = target;
    target.addEventListener('keydown', this._onKeyDown, true);
  }

  stop(): void {
    this._target?.removeEventListener('keydown', this._onKeyDown, true);
    this._target = null;
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: KeyListener): () => void {
    this._listeners.push(listener);
    return () => {
      const i = this._listeners.indexOf(listener);
      if (i >= 0) this._listeners.splice(i, 1);
    };
  }

  /** Feeds one event through resolution and the listeners (the keydown handler; also for tests). */
  dispatch(event: KeyboardEvent): void {
    const resolved = resolveKey(event, this.env);
    const action = resolved?.action ?? null;
    if (action) event.preventDefault();
    if (isDirection(action)) {
      if (event.repeat && event.timeStamp - this._lastMove < REPEAT_INTERVAL_MS) return;
      this._lastMove = event.timeStamp;
    } else if (action && event.repeat) {
      // A held 決定, 戻る or number key is one press: its auto-repeat must not choose, leave or type again.
      return;
    }
    const press: KeyPress = {
      action, source: resolved?.source ?? null, key: event.key ?? '', keyCode: event.keyCode || event.which || 0,
      timeStamp: event.timeStamp, repeat: event.repeat,
    };
    for (const listener of [...this._listeners]) listener(press);
  }

  private _onKeyDown = (event: Event) => this.dispatch(event as KeyboardEvent);
}

/** The TV page's one key listener. */
export const keyInput = new KeyInput();
