import { describe, expect, it } from 'vitest';
import { ACTIONS, digitOf, isColorKey, isDirection } from '../../../../stb-ui/src/tv/input/actions.js';
import {
  KEY_NAME_ACTIONS, PLATFORM_KEYCODES, VK_ACTIONS, detectPlatform, keyEnvFrom, readVkTable, resolveKey,
  type KeyEnv, type Platform,
} from '../../../../stb-ui/src/tv/input/key-map.js';

const env = (platform: Platform, vk: object | null = null, keyEvent: object | null = null): KeyEnv => ({
  vk: readVkTable(vk), keyEvent: readVkTable(keyEvent), platform,
});

describe('resolveKey', () => {
  it('reads window.VK_* first: an ARIB receiver where 412 is VK_12, not REWIND', () => {
    const aribWindow = { VK_12: 412, VK_BACK: 461, VK_DBUTTON: 457, VK_UP: 38 };
    expect(resolveKey({ key: 'Unidentified', keyCode: 412 }, env('hybridcast', aribWindow))).toEqual({ action: 'digit12', source: 'vk' });
    expect(resolveKey({ key: 'Unidentified', keyCode: 457 }, env('hybridcast', aribWindow))).toEqual({ action: 'd', source: 'vk' });
    // The same code on an HbbTV TV with no VK_ globals is the platform's REWIND.
    expect(resolveKey({ keyCode: 412 }, env('hbbtv'))).toEqual({ action: 'rewind', source: 'keycode' });
  });

  it('reads KeyEvent.VK_* (HbbTV/OIPF) before event.key and before literal codes', () => {
    const keyEvent = { VK_BACK: 461, VK_RED: 403, VK_LEFT: 37 };
    expect(resolveKey({ key: 'Unidentified', keyCode: 461 }, env('hbbtv', null, keyEvent))).toEqual({ action: 'back', source: 'keyevent' });
    // A receiver whose KeyEvent disagrees with the literal table wins: here VK_RED is 116.
    const odd = { VK_RED: 116 };
    expect(resolveKey({ keyCode: 116 }, env('hbbtv', null, odd))).toEqual({ action: 'red', source: 'keyevent' });
  });

  it('prefers window.VK_* over KeyEvent.VK_* when both name the same code', () => {
    expect(resolveKey({ keyCode: 403 }, env('hybridcast', { VK_BLUE: 403 }, { VK_RED: 403 }))?.action).toBe('blue');
  });

  it('understands event.key names from desktop browsers and W3C-key set-top boxes', () => {
    const desktop = env('desktop');
    const cases: [string, string][] = [
      ['ArrowUp', 'up'], ['ArrowDown', 'down'], ['ArrowLeft', 'left'], ['ArrowRight', 'right'],
      ['Enter', 'ok'], ['Backspace', 'back'], ['Escape', 'back'], ['GoBack', 'back'], ['BrowserBack', 'back'],
      ['ColorF0Red', 'red'], ['ColorF1Green', 'green'], ['ColorF2Yellow', 'yellow'], ['ColorF3Blue', 'blue'],
      ['0', 'digit0'], ['7', 'digit7'], ['9', 'digit9'], ['Exit', 'exit'],
    ];
    for (const [key, action] of cases) expect(resolveKey({ key }, desktop), key).toEqual({ action, source: 'key' });
  });

  it('ignores inherited object keys as key names', () => {
    expect(resolveKey({ key: 'constructor' }, env('desktop'))).toBeNull();
    expect(resolveKey({ key: 'toString' }, env('desktop'))).toBeNull();
  });

  it('falls back to the platform table: Back is 461 on HbbTV and webOS, 10009 on Tizen', () => {
    expect(resolveKey({ key: 'Unidentified', keyCode: 461 }, env('hbbtv'))?.action).toBe('back');
    expect(resolveKey({ keyCode: 461 }, env('webos'))?.action).toBe('back');
    expect(resolveKey({ keyCode: 10009 }, env('tizen'))?.action).toBe('back');
    expect(resolveKey({ keyCode: 10009 }, env('webos'))).toBeNull();
    expect(resolveKey({ keyCode: 461 }, env('tizen'))).toBeNull();
  });

  it('maps the colour keys 403–406 on every TV platform', () => {
    for (const platform of ['hybridcast', 'hbbtv', 'webos', 'tizen'] as const) {
      expect([403, 404, 405, 406].map((keyCode) => resolveKey({ keyCode }, env(platform))?.action)).toEqual(['red', 'green', 'yellow', 'blue']);
    }
  });

  it('takes Backspace (8) and Escape (27) as Back on a desktop only', () => {
    expect(resolveKey({ keyCode: 8 }, env('desktop'))).toEqual({ action: 'back', source: 'keycode' });
    expect(resolveKey({ keyCode: 27 }, env('desktop'))?.action).toBe('back');
    expect(resolveKey({ keyCode: 8 }, env('tizen'))).toBeNull();
  });

  it('uses `which` when keyCode is 0, and returns null for keys the app does not know', () => {
    expect(resolveKey({ keyCode: 0, which: 38 }, env('desktop'))?.action).toBe('up');
    expect(resolveKey({ key: 'F5', keyCode: 116 }, env('desktop'))).toBeNull();
    expect(resolveKey({}, env('desktop'))).toBeNull();
  });
});

describe('readVkTable', () => {
  it('reads only known VK_ names with numeric values, first name wins', () => {
    const table = readVkTable({ VK_UP: 38, VK_ENTER: '13', VK_UNKNOWN: 99, VK_BACK: 461, VK_BACK_SPACE: 461 });
    expect([...table]).toEqual([[38, 'up'], [461, 'back']]);
  });

  it('gives an empty table for a missing or non-object source', () => {
    expect(readVkTable(undefined).size).toBe(0);
    expect(readVkTable(null).size).toBe(0);
    expect(readVkTable(42).size).toBe(0);
  });
});

describe('keyEnvFrom', () => {
  it('reads window.VK_* and window.KeyEvent.VK_* from a fake global object', () => {
    const fakeWindow = { VK_LEFT: 37, KeyEvent: { VK_BACK: 461 } };
    const e = keyEnvFrom(fakeWindow, 'Mozilla/5.0 (Linux) HbbTV/1.5.1 (+DRM; Sharp; 4T-C50; 1.0; 2.0;)');
    expect(e.platform).toBe('hbbtv');
    expect(e.vk.get(37)).toBe('left');
    expect(e.keyEvent.get(461)).toBe('back');
  });
});

describe('detectPlatform', () => {
  it('tells the platform from the user agent', () => {
    expect(detectPlatform('Mozilla/5.0 (X11; Linux) Hybridcast/2.0 (Panasonic)')).toBe('hybridcast');
    expect(detectPlatform('Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36')).toBe('tizen');
    expect(detectPlatform('Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36')).toBe('webos');
    expect(detectPlatform('Mozilla/5.0 (Linux armv7l) HbbTV/1.4.1 (; Sony; KD-55; v1; ;)')).toBe('hbbtv');
    expect(detectPlatform('Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0')).toBe('desktop');
  });
});

describe('action tables', () => {
  it('name only known actions', () => {
    const known = new Set<string>(ACTIONS);
    const named = [...Object.values(VK_ACTIONS), ...Object.values(KEY_NAME_ACTIONS),
      ...Object.values(PLATFORM_KEYCODES).flatMap((m) => [...m.values()])];
    for (const action of named) expect(known.has(action), action).toBe(true);
  });

  it('classify actions', () => {
    expect(isDirection('left')).toBe(true);
    expect(isDirection('ok')).toBe(false);
    expect(isColorKey('blue')).toBe(true);
    expect(isColorKey(null)).toBe(false);
    expect(digitOf('digit7')).toBe(7);
    expect(digitOf('digit12')).toBe(12);
    expect(digitOf('down')).toBeNull();
  });
});
