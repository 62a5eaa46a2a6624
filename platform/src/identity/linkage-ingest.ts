import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { AppError } from '../shared/errors.js';
import { appendAudit } from './audit.js';
import { storeCardPairs, type StoredPairs } from './card-linkage.js';
import { applyRenewals, revokeMismatchedCards } from './certificate-lifecycle.js';
import type { IdentityDeps } from './deps.js';
import { settleAwaitingRegistrations } from './registration.js';

const DATE_TIME = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$';

/** One certificate as linkage data names it (the dev center's file carries more; it is ignored). */
const CertificateRef = Type.Object({
  issuerKeyId: Type.String({ pattern: '^[0-9A-Fa-f:]{2,128}$' }),
  serial: Type.String({ pattern: '^[0-9A-Fa-f]{1,64}$' }),
  generation: Type.String({ minLength: 1, maxLength: 16 }),
  notBefore: Type.String({ pattern: DATE_TIME }),
  notAfter: Type.String({ pattern: DATE_TIME }),
});
const Pair = Type.Object({ sign: CertificateRef, auth: CertificateRef });

/**
 * The J-LIS linkage data the platform operator ingests (`npm run platform -- ingest-linkage`),
 * as the dev JPKI center writes it (`npm run jpki-center -- linkage`): `cards`, each card's
 * sign↔auth pair, and `renewals`, old pair → new pair. Either may be left out (a renewals-only
 * file from before card pairs were ingested is still accepted), not both.
 */
export const LinkageData = Type.Object({
  cards: Type.Optional(Type.Array(Pair)),
  renewals: Type.Optional(Type.Array(Type.Object({ old: Pair, new: Pair }))),
});
export type LinkageData = Static<typeof LinkageData>;

/** Reads a linkage file; anything else is REQ_INVALID, with where it went wrong. */
export function parseLinkageFile(text: string): LinkageData {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new AppError('REQ_INVALID', { detail: `the linkage file is not JSON: ${(err as Error).message}`, cause: err });
  }
  const problem = Value.Errors(LinkageData, data).First();
  if (problem) throw new AppError('REQ_INVALID', { detail: `the linkage file is not linkage data: ${problem.path || '/'} ${problem.message}` });
  const linkage = data as LinkageData;
  if (!linkage.cards && !linkage.renewals) throw new AppError('REQ_INVALID', { detail: 'the linkage file has neither cards nor renewals' });
  return linkage;
}

export interface LinkageIngestion {
  cards: StoredPairs;
  /** Registered certificates moved to their renewed card. */
  renewed: number;
  /** Registered auth certificates revoked because the linkage puts them on another card. */
  mismatchedRevoked: number;
  /** Registrations that were waiting for this data. */
  registrations: { completed: number; refused: number; waiting: number };
}

/**
 * Ingests linkage data: stores the card pairs, revokes registered pairs the data shows to be two
 * cards' (registered before the check), moves registered people to renewed cards, then settles
 * every registration that was waiting for its card's pair. Idempotent (a file ingested
 * twice adds nothing). The ingestion itself is audited with its counts.
 */
export async function ingestLinkage(deps: IdentityDeps, linkage: LinkageData, actor: string): Promise<LinkageIngestion> {
  const pairs = (linkage.cards ?? []).map((card) => ({
    sign: deps.jpki.lookupKey('sign', card.sign.issuerKeyId, card.sign.serial),
    auth: deps.jpki.lookupKey('auth', card.auth.issuerKeyId, card.auth.serial),
  }));
  // Renewed pairs are cards too: a renewals-only file still tells which new certificates belong together.
  for (const renewal of linkage.renewals ?? []) {
    pairs.push({
      sign: deps.jpki.lookupKey('sign', renewal.new.sign.issuerKeyId, renewal.new.sign.serial),
      auth: deps.jpki.lookupKey('auth', renewal.new.auth.issuerKeyId, renewal.new.auth.serial),
    });
  }
  const cards = await storeCardPairs(deps.db, pairs);
  // Before renewals: a pair put together from two cards must not follow either card to its renewal.
  const { revoked } = await revokeMismatchedCards(deps, actor);
  const { moved } = await applyRenewals(deps, { renewals: linkage.renewals ?? [] }, actor);
  const registrations = await settleAwaitingRegistrations(deps, actor);
  await deps.db.transaction((tx) =>
    appendAudit(tx, {
      actor, action: 'linkage.ingested', subject: null,
      data: {
        cardsAdded: cards.added, cardsKnown: cards.known, cardsConflicting: cards.conflicting, renewed: moved, mismatchedRevoked: revoked,
        registrationsCompleted: registrations.completed, registrationsRefused: registrations.refused, registrationsWaiting: registrations.waiting,
      },
    }),
  );
  return { cards, renewed: moved, mismatchedRevoked: revoked, registrations };
}
