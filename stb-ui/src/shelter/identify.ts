import type { Whitelist } from '../../../platform/src/shelter/shelter-schemas.js';

const hex = (buf: ArrayBuffer) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
const bytes = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

/** The whitelist key of a tapped card: SHA-256(salt ‖ SHA-256(DER)), as platform/src/shelter/whitelist.ts makes it. */
export async function cardKey(saltHex: string, derBase64: string): Promise<string> {
  const der = Uint8Array.from(atob(derBase64), (c) => c.charCodeAt(0));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', der));
  const salt = bytes(saltHex);
  const joined = new Uint8Array(salt.length + digest.length);
  joined.set(salt);
  joined.set(digest, salt.length);
  return hex(await crypto.subtle.digest('SHA-256', joined));
}

/** The person a card names in the cached whitelist, with their household's other members. */
export function lookUp(list: Whitelist, key: string) {
  const card = list.cards.find((c) => c.key === key);
  if (!card) return null;
  const person = list.people.find((p) => p.personId === card.personId);
  if (!person) return null;
  const household = person.householdId ? list.people.filter((p) => p.householdId === person.householdId && p.personId !== person.personId) : [];
  return { person, household };
}

/** DER prefix of DigestInfo { sha256, NULL } (RFC 8017 §9.2 note 1), as platform/src/shared/digest-info.ts has it. */
const SHA256_DIGEST_INFO_PREFIX = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

/** The DigestInfo (base64) a card signs for a message: SHA-256 of its UTF-8, wrapped. */
export async function digestInfoOf(message: string): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(message)));
  return btoa(String.fromCharCode(...SHA256_DIGEST_INFO_PREFIX, ...hash));
}
