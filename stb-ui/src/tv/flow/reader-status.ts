import type { ReaderClient } from '../../api/reader-client.js';

/** What the card line says: no driver, reconnecting, no reader, no card, or a card in the reader. */
export type CardStatus = 'offline' | 'reconnecting' | 'noReader' | 'noCard' | 'card';

/** The status of the reader and card, from the driver link's state and reader snapshot. */
export function cardStatusOf(reader: Pick<ReaderClient, 'state' | 'readers'> | null): CardStatus {
  if (!reader) return 'offline';
  if (reader.state === 'reconnecting' && reader.readers.length > 0) return 'reconnecting';
  if (reader.state !== 'open') return 'offline';
  if (reader.readers.length === 0) return 'noReader';
  return reader.readers.some((r) => r.cardPresent) ? 'card' : 'noCard';
}
