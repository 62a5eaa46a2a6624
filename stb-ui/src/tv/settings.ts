/** How big the TV page's text is: 大 (the design size) or 特大. */
export type TextSize = 'large' | 'xlarge';

/** The viewer's display settings; nothing personal, so they may live in localStorage. */
export interface TvSettings {
  textSize: TextSize;
  highContrast: boolean;
}

export const DEFAULT_SETTINGS: Readonly<TvSettings> = Object.freeze({ textSize: 'large', highContrast: false });

/** The localStorage key the settings are kept under. */
export const SETTINGS_STORAGE_KEY = 'stb-tv-settings';

/** The factor every font size is multiplied by (`--stb-text-scale`). */
export const TEXT_SCALE: Readonly<Record<TextSize, number>> = { large: 1, xlarge: 1.25 };

/** Reads the settings; anything missing or malformed falls back to the defaults, and it never throws. */
export function loadSettings(storage: Pick<Storage, 'getItem'> | null): TvSettings {
  let raw: unknown = null;
  try {
    raw = JSON.parse(storage?.getItem(SETTINGS_STORAGE_KEY) ?? 'null');
  } catch {
    raw = null;
  }
  const saved = raw !== null && typeof raw === 'object' ? (raw as Partial<Record<keyof TvSettings, unknown>>) : {};
  return {
    textSize: saved.textSize === 'large' || saved.textSize === 'xlarge' ? saved.textSize : DEFAULT_SETTINGS.textSize,
    highContrast: typeof saved.highContrast === 'boolean' ? saved.highContrast : DEFAULT_SETTINGS.highContrast,
  };
}

/** Keeps the settings; a full or disabled storage is ignored (they then last until the page reloads). */
export function saveSettings(storage: Pick<Storage, 'setItem'> | null, settings: TvSettings): void {
  try {
    storage?.setItem(SETTINGS_STORAGE_KEY, JSON.stringify({ textSize: settings.textSize, highContrast: settings.highContrast }));
  } catch {
    // quota exceeded or storage disabled
  }
}

/** The page's localStorage, or null where reading it throws (some TV browsers, private modes). */
export function browserStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
