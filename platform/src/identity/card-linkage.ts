import { eq, inArray, or } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { cardLinkages } from '../db/schema/index.js';

/**
 * What J-LIS linkage data says about a sign and an auth certificate offered together:
 * `linked` — they are one card's; `mismatch` — either one is on record with another certificate
 * (someone else's sign certificate with their own auth certificate, or the reverse);
 * `unknown` — neither is on record yet (a card issued after the last linkage data).
 */
export type CardPairStatus = 'linked' | 'mismatch' | 'unknown';

/** Any drizzle database or transaction handle. */
type Tx = Pick<Db, 'select' | 'insert'>;

/** Both certificates of one card, as lookup keys (`JpkiContext.lookupKey`). */
export interface CardPair {
  sign: string;
  auth: string;
}

export async function cardPairStatus(db: Tx, pair: CardPair): Promise<CardPairStatus> {
  const rows = await db
    .select()
    .from(cardLinkages)
    .where(or(eq(cardLinkages.signLookupKey, pair.sign), eq(cardLinkages.authLookupKey, pair.auth)));
  if (rows.length === 0) return 'unknown';
  return rows.some((r) => r.signLookupKey === pair.sign && r.authLookupKey === pair.auth) ? 'linked' : 'mismatch';
}

export interface StoredPairs {
  /** Pairs new to the platform. */
  added: number;
  /** Pairs already on record (a file ingested again). */
  known: number;
  /** Pairs that contradict the record (a certificate already linked to another one): not stored. */
  conflicting: number;
}

/** Pairs stored per statement: a real J-LIS delivery holds many cards. */
const STORE_BATCH = 1000;

/**
 * Stores card pairs. Idempotent: a pair on record is counted as known. A pair whose certificate
 * is on record with a different partner is never overwritten — what the platform already relied
 * on stays — and is counted so the operator sees it.
 */
export async function storeCardPairs(db: Tx, pairs: CardPair[]): Promise<StoredPairs> {
  const result: StoredPairs = { added: 0, known: 0, conflicting: 0 };
  const unique = dedupe(pairs);
  for (let start = 0; start < unique.length; start += STORE_BATCH) {
    const batch = unique.slice(start, start + STORE_BATCH);
    const inserted = await db
      .insert(cardLinkages)
      .values(batch.map((p) => ({ signLookupKey: p.sign, authLookupKey: p.auth })))
      .onConflictDoNothing()
      .returning({ sign: cardLinkages.signLookupKey });
    result.added += inserted.length;
    const insertedSigns = new Set(inserted.map((r) => r.sign));
    const rest = batch.filter((p) => !insertedSigns.has(p.sign));
    if (rest.length === 0) continue;
    const onRecord = await db
      .select({ sign: cardLinkages.signLookupKey, auth: cardLinkages.authLookupKey })
      .from(cardLinkages)
      .where(inArray(cardLinkages.signLookupKey, rest.map((p) => p.sign)));
    const partnerOf = new Map(onRecord.map((r) => [r.sign, r.auth]));
    for (const p of rest) {
      if (partnerOf.get(p.sign) === p.auth) result.known++;
      else result.conflicting++;
    }
  }
  return result;
}

/** Each pair once (a file may name a card twice, e.g. as a card and as a renewal). */
function dedupe(pairs: CardPair[]): CardPair[] {
  const seen = new Set<string>();
  return pairs.filter((p) => {
    const key = `${p.sign}\n${p.auth}`;
    return !seen.has(key) && !!seen.add(key);
  });
}
