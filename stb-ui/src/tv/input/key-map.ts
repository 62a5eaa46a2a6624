import type { Action } from './actions.js';

/**
 * Pure key resolution: a key event becomes a named action. The platform's own constants are read
 * before any literal number, because the numbers collide between platforms (412 is REWIND on
 * HbbTV and VK_12 on ARIB emulators; Back is 461 on HbbTV/webOS and 10009 on Tizen).
 * See /work/shared/research/tv-ui-and-reader.md §A1.
 */

/** The fields of a KeyboardEvent this layer reads (a fake object works in tests). */
export interface KeyLike {
  key?: string;
  keyCode?: number;
  which?: number;
}

/** The platforms with a keyCode table of their own. */
export type Platform = 'hybridcast' | 'hbbtv' | 'webos' | 'tizen' | 'desktop';

/** Which layer recognised the key, in the order they are asked. */
export type KeySource = 'vk' | 'keyevent' | 'key' | 'keycode';

/** The outcome of resolving one key event. */
export interface KeyResolution {
  action: Action;
  source: KeySource;
}

/** What the resolver knows about the device: constant tables read once at start-up, and the platform. */
export interface KeyEnv {
  /** keyCode → action from the `window.VK_*` constants (Hybridcast / ARIB receivers). */
  vk: ReadonlyMap<number, Action>;
  /** keyCode → action from `KeyEvent.VK_*` (HbbTV / OIPF). */
  keyEvent: ReadonlyMap<number, Action>;
  platform: Platform;
}

/**
 * Constant names → actions, for both `window.VK_*` and `KeyEvent.VK_*`. Earlier names win when a
 * platform gives two names the same number.
 */
export const VK_ACTIONS: Readonly<Record<string, Action>> = {
  VK_UP: 'up', VK_DOWN: 'down', VK_LEFT: 'left', VK_RIGHT: 'right', VK_ENTER: 'ok',
  VK_BACK: 'back',
  VK_RED: 'red', VK_GREEN: 'green', VK_YELLOW: 'yellow', VK_BLUE: 'blue',
  VK_0: 'digit0', VK_1: 'digit1', VK_2: 'digit2', VK_3: 'digit3', VK_4: 'digit4',
  VK_5: 'digit5', VK_6: 'digit6', VK_7: 'digit7', VK_8: 'digit8', VK_9: 'digit9',
  VK_10: 'digit10', VK_11: 'digit11', VK_12: 'digit12', VK_DBUTTON: 'd',
  // Sony BRAVIA sends its Return key as VK_BACK_SPACE.
  VK_BACK_SPACE: 'back', VK_EXIT: 'exit',
  VK_PLAY: 'play', VK_PAUSE: 'pause', VK_PLAY_PAUSE: 'playPause', VK_STOP: 'stop',
  VK_FAST_FWD: 'fastForward', VK_REWIND: 'rewind', VK_PAGE_UP: 'pageUp', VK_PAGE_DOWN: 'pageDown',
};

/** `KeyboardEvent.key` values (UI Events key names and the older/STB spellings) → actions. */
export const KEY_NAME_ACTIONS: Readonly<Record<string, Action>> = {
  ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right',
  Up: 'up', Down: 'down', Left: 'left', Right: 'right',
  Enter: 'ok', Accept: 'ok', Select: 'ok',
  Backspace: 'back', Escape: 'back', Esc: 'back', GoBack: 'back', BrowserBack: 'back', XF86Back: 'back',
  Exit: 'exit',
  ColorF0Red: 'red', ColorF1Green: 'green', ColorF2Yellow: 'yellow', ColorF3Blue: 'blue',
  Red: 'red', Green: 'green', Yellow: 'yellow', Blue: 'blue',
  0: 'digit0', 1: 'digit1', 2: 'digit2', 3: 'digit3', 4: 'digit4',
  5: 'digit5', 6: 'digit6', 7: 'digit7', 8: 'digit8', 9: 'digit9',
  MediaPlay: 'play', MediaPause: 'pause', MediaPlayPause: 'playPause', MediaStop: 'stop',
  MediaFastForward: 'fastForward', MediaRewind: 'rewind', PageUp: 'pageUp', PageDown: 'pageDown',
};

const COMMON_CODES: Record<number, Action> = {
  37: 'left', 38: 'up', 39: 'right', 40: 'down', 13: 'ok',
  48: 'digit0', 49: 'digit1', 50: 'digit2', 51: 'digit3', 52: 'digit4',
  53: 'digit5', 54: 'digit6', 55: 'digit7', 56: 'digit8', 57: 'digit9',
  403: 'red', 404: 'green', 405: 'yellow', 406: 'blue',
};
const MEDIA_CODES: Record<number, Action> = { 415: 'play', 19: 'pause', 413: 'stop', 417: 'fastForward', 412: 'rewind' };

/**
 * The last resort: literal keyCodes per platform (BBC TAL default-hbbtv, Suitest, LG and Samsung
 * docs). Hybridcast gets no media codes here: 410–412 are VK_10..12 on ARIB receivers, which
 * define `window.VK_*` and are resolved before this table.
 */
export const PLATFORM_KEYCODES: Readonly<Record<Platform, ReadonlyMap<number, Action>>> = {
  hybridcast: codeMap({ ...COMMON_CODES, 461: 'back' }),
  hbbtv: codeMap({ ...COMMON_CODES, ...MEDIA_CODES, 461: 'back', 473: 'fastForward' }),
  webos: codeMap({ ...COMMON_CODES, ...MEDIA_CODES, 461: 'back' }),
  tizen: codeMap({ ...COMMON_CODES, ...MEDIA_CODES, 10009: 'back', 10182: 'exit', 10252: 'playPause' }),
  desktop: codeMap({
    ...COMMON_CODES, 8: 'back', 27: 'back', 33: 'pageUp', 34: 'pageDown',
    96: 'digit0', 97: 'digit1', 98: 'digit2', 99: 'digit3', 100: 'digit4',
    101: 'digit5', 102: 'digit6', 103: 'digit7', 104: 'digit8', 105: 'digit9',
  }),
};

const hasOwn = Object.prototype.hasOwnProperty;

function codeMap(table: Record<number, Action>): ReadonlyMap<number, Action> {
  return new Map(Object.entries(table).map(([code, action]) => [Number(code), action]));
}

/**
 * Reads the `VK_*` constants this layer knows from an object (`window`, or `window.KeyEvent`) into
 * a keyCode → action map. Only known names are read; anything that is not a number is ignored.
 */
export function readVkTable(source: unknown): ReadonlyMap<number, Action> {
  const table = new Map<number, Action>();
  if (source === null || (typeof source !== 'object' && typeof source !== 'function')) return table;
  for (const [name, action] of Object.entries(VK_ACTIONS)) {
    const code: unknown = (source as Record<string, unknown>)[name];
    if (typeof code === 'number' && !table.has(code)) table.set(code, action);
  }
  return table;
}

/** Tells the platform from the browser's user agent (Hybridcast receivers announce "Hybridcast/"). */
export function detectPlatform(userAgent: string): Platform {
  if (userAgent.includes('Hybridcast/')) return 'hybridcast';
  if (/Tizen/i.test(userAgent)) return 'tizen';
  if (/Web0S|webOS|NetCast/i.test(userAgent)) return 'webos';
  if (userAgent.includes('HbbTV/')) return 'hbbtv';
  return 'desktop';
}

/** Builds the resolver's view of a device from its global object and user agent. */
export function keyEnvFrom(globals: unknown, userAgent: string): KeyEnv {
  const keyEvent = globals && typeof globals === 'object' ? (globals as { KeyEvent?: unknown }).KeyEvent : undefined;
  return { vk: readVkTable(globals), keyEvent: readVkTable(keyEvent), platform: detectPlatform(userAgent) };
}

/**
 * Resolves one key event: `window.VK_*`, then `KeyEvent.VK_*`, then `event.key`, then the
 * platform's keyCode table. Returns null for a key that means nothing to the app.
 */
export function resolveKey(event: KeyLike, env: KeyEnv): KeyResolution | null {
  const code = event.keyCode || event.which || 0;
  if (code) {
    const vk = env.vk.get(code);
    if (vk) return { action: vk, source: 'vk' };
    const ke = env.keyEvent.get(code);
    if (ke) return { action: ke, source: 'keyevent' };
  }
  // hasOwnProperty, not Object.hasOwn: older set-top Chromium builds predate ES2022.
  const named = event.key !== undefined && hasOwn.call(KEY_NAME_ACTIONS, event.key) ? KEY_NAME_ACTIONS[event.key] : undefined;
  if (named) return { action: named, source: 'key' };
  const literal = code ? PLATFORM_KEYCODES[env.platform].get(code) : undefined;
  return literal ? { action: literal, source: 'keycode' } : null;
}
