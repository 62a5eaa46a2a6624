/** How big the TV page's text is: 大 (the design size) or 特大. */
export type TextSize = 'large' | 'xlarge';

/** Minutes without a key press before a logged-in TV logs out by itself; 0 = never. */
export const IDLE_LOGOUT_CHOICES = [0, 5, 10, 30] as const;
export type IdleLogoutMinutes = (typeof IDLE_LOGOUT_CHOICES)[number];

/** What taking the card off the reader does while someone is logged in. */
export type CardRemoval = 'stay' | 'logout';

/** The viewer's settings; nothing personal, so they may live in localStorage. */
export interface TvSettings {
  textSize: TextSize;
  /** 見やすい色: black and white with a yellow focus. */
  highContrast: boolean;
  /** 読み上げ: each screen's title and the focused element are spoken (where the device can). */
  readAloud: boolean;
  /** A shared TV logs out after this many quiet minutes (announced first; never mid-task). */
  idleLogoutMinutes: IdleLogoutMinutes;
  cardRemoval: CardRemoval;
}

export const DEFAULT_SETTINGS: Readonly<TvSettings> = Object.freeze({
  textSize: 'large', highContrast: false, readAloud: false, idleLogoutMinutes: 10, cardRemoval: 'stay',
});

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
    readAloud: typeof saved.readAloud === 'boolean' ? saved.readAloud : DEFAULT_SETTINGS.readAloud,
    idleLogoutMinutes: IDLE_LOGOUT_CHOICES.find((m) => m === saved.idleLogoutMinutes) ?? DEFAULT_SETTINGS.idleLogoutMinutes,
    cardRemoval: saved.cardRemoval === 'stay' || saved.cardRemoval === 'logout' ? saved.cardRemoval : DEFAULT_SETTINGS.cardRemoval,
  };
}

/** Keeps the settings; a full or disabled storage is ignored (they then last until the page reloads). */
export function saveSettings(storage: Pick<Storage, 'setItem'> | null, settings: TvSettings): void {
  try {
    const { textSize, highContrast, readAloud, idleLogoutMinutes, cardRemoval } = settings;
    storage?.setItem(SETTINGS_STORAGE_KEY, JSON.stringify({ textSize, highContrast, readAloud, idleLogoutMinutes, cardRemoval }));
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
