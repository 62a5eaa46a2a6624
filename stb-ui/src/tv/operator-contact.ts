import type { TvHelp } from '../api/platform-client.js';

/**
 * Whom a resident calls for help: the household's cable operator, as the platform names it
 * (`GET /api/v1/tv/help`, the help screen's source too). Kept in localStorage (it is not personal) so the TV can still
 * give the number when the platform or the reader cannot be reached — exactly when it is needed.
 */
export type OperatorContact = TvHelp['operator'];

export const OPERATOR_STORAGE_KEY = 'stb-tv-operator';

export function keptOperatorContact(storage: Pick<Storage, 'getItem'> | null): OperatorContact | null {
  try {
    const kept = JSON.parse(storage?.getItem(OPERATOR_STORAGE_KEY) ?? 'null') as OperatorContact | null;
    return kept && typeof kept.name === 'string' ? { name: kept.name, phone: typeof kept.phone === 'string' ? kept.phone : null } : null;
  } catch {
    return null;
  }
}

export function keepOperatorContact(storage: Pick<Storage, 'setItem'> | null, contact: OperatorContact): void {
  try {
    storage?.setItem(OPERATOR_STORAGE_KEY, JSON.stringify({ name: contact.name, phone: contact.phone }));
  } catch {
    // storage disabled: the contact lasts until the page reloads
  }
}
