import { DEFAULT_READER_PORT, readerUrl } from '../../platform/src/shared/reader-address.js';

/**
 * The pages' settings, read once from the page address (a browser has no environment). Each page
 * calls `loadUiConfig(location.search)`; nothing else in stb-ui reads `location` for settings.
 */
export interface UiConfig {
  /** The reader driver's WebSocket URL: `?reader=ws://…` when given and well formed, else the loopback default. */
  readerUrl: string;
}

/** The driver on this set-top box, where `npm start` and a real device run it. */
export const DEFAULT_READER_URL = readerUrl(DEFAULT_READER_PORT);

/** The settings for a page whose query string is `search` (`location.search`). */
export function loadUiConfig(search: string): Readonly<UiConfig> {
  return Object.freeze({ readerUrl: readerUrlFrom(search) });
}

/** The driver URL for this page: the `reader` query parameter when it is a ws:// URL, else the default. */
export function readerUrlFrom(search: string): string {
  const given = new URLSearchParams(search).get('reader');
  return given && /^wss?:\/\/[^\s]+$/.test(given) ? given : DEFAULT_READER_URL;
}
