import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SETTINGS_STORAGE_KEY, loadSettings, saveSettings } from '../../../stb-ui/src/tv/settings.js';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

describe('TV settings', () => {
  it('round-trips through storage', () => {
    const storage = memoryStorage();
    const settings = { textSize: 'xlarge', highContrast: true, readAloud: true, idleLogoutMinutes: 30, cardRemoval: 'logout' } as const;
    saveSettings(storage, settings);
    expect(JSON.parse(storage.data.get(SETTINGS_STORAGE_KEY)!)).toEqual(settings);
    expect(loadSettings(storage)).toEqual(settings);
  });

  it('falls back to the defaults for missing, broken or foreign values', () => {
    expect(loadSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(loadSettings(memoryStorage({ [SETTINGS_STORAGE_KEY]: '{not json' }))).toEqual(DEFAULT_SETTINGS);
    expect(loadSettings(memoryStorage({ [SETTINGS_STORAGE_KEY]: '{"textSize":"huge","highContrast":"yes"}' }))).toEqual(DEFAULT_SETTINGS);
    expect(loadSettings(memoryStorage({ [SETTINGS_STORAGE_KEY]: '{"highContrast":true}' }))).toEqual({ ...DEFAULT_SETTINGS, highContrast: true });
    // An idle period the screen does not offer, or a removal rule it does not know, is not taken.
    expect(loadSettings(memoryStorage({ [SETTINGS_STORAGE_KEY]: '{"idleLogoutMinutes":1,"cardRemoval":"eject","readAloud":1}' }))).toEqual(DEFAULT_SETTINGS);
  });

  it('ignores a storage that throws', () => {
    const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('full'); } };
    expect(loadSettings(broken)).toEqual(DEFAULT_SETTINGS);
    expect(() => saveSettings(broken, DEFAULT_SETTINGS)).not.toThrow();
  });
});
