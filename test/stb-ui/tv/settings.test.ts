import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SETTINGS_STORAGE_KEY, loadSettings, saveSettings } from '../../../stb-ui/src/tv/settings.js';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

describe('TV settings', () => {
  it('round-trips through storage', () => {
    const storage = memoryStorage();
    saveSettings(storage, { textSize: 'xlarge', highContrast: true });
    expect(JSON.parse(storage.data.get(SETTINGS_STORAGE_KEY)!)).toEqual({ textSize: 'xlarge', highContrast: true });
    expect(loadSettings(storage)).toEqual({ textSize: 'xlarge', highContrast: true });
  });

  it('falls back to the defaults for missing, broken or foreign values', () => {
    expect(loadSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(loadSettings(memoryStorage({ [SETTINGS_STORAGE_KEY]: '{not json' }))).toEqual(DEFAULT_SETTINGS);
    expect(loadSettings(memoryStorage({ [SETTINGS_STORAGE_KEY]: '{"textSize":"huge","highContrast":"yes"}' }))).toEqual(DEFAULT_SETTINGS);
    expect(loadSettings(memoryStorage({ [SETTINGS_STORAGE_KEY]: '{"highContrast":true}' }))).toEqual({ textSize: 'large', highContrast: true });
  });

  it('ignores a storage that throws', () => {
    const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('full'); } };
    expect(loadSettings(broken)).toEqual(DEFAULT_SETTINGS);
    expect(() => saveSettings(broken, DEFAULT_SETTINGS)).not.toThrow();
  });
});
