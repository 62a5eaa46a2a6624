import { ERRORS, type WireError } from '../../../platform/src/shared/errors.js';
import { t } from './strings.js';

/**
 * The plain-Japanese text for a catalogue error: the `ja` the server or driver sent, else the
 * catalogue's own (platform/src/shared/errors.ts is pure data, meant to be shared with the UIs), else a
 * generic sentence. `network` (no answer at all) has its own sentence.
 */
export function errorText(error: WireError | null, network = false): string {
  if (network) return t('error.network');
  if (!error) return t('error.unknown');
  if (error.ja) return error.ja;
  return Object.prototype.hasOwnProperty.call(ERRORS, error.code) ? ERRORS[error.code].ja : t('error.unknown');
}

/** The text for anything a platform or driver call threw (a PlatformError carries `error` and `network`). */
export function failureText(err: unknown): string {
  const e = err as { error?: WireError; network?: boolean } | null;
  return errorText(e?.error ?? null, !!e?.network);
}
