/**
 * Who the shelter projection groups a person without a card by: name (NFKC, spaces folded) and
 * birth date. The platform and the shelter tablet's local list both make this key, so they agree
 * on who is who. Pure: the browser imports it too.
 */
export const nameSubject = (name: string, birthDate: string) => `name:${name.normalize('NFKC').replace(/\s+/g, ' ').trim()}|${birthDate}`;

/**
 * What a card signs at a shelter that requires the PIN: the event and the shelter, so a signature
 * is good for that one check-in there only. The tablet hashes it (SHA-256) into the DigestInfo.
 */
export const shelterCheckinMessage = (eventId: string, shelterId: string) => `shelter-checkin/1:${eventId}:${shelterId}`;
