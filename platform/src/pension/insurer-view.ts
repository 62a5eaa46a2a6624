import { and, asc, eq, gt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { AppError } from '../shared/errors.js';
import { declarationLines, decodeDocument } from './document.js';
import { pensionSubmissions } from './schema.js';
import { isUuid } from '../shared/uuid.js';

/** `createdAt|id` of a row: the insurer API's cursor (opaque to it; stable order, no gaps). */
const cursorOf = (row: { createdAt: Date; id: string }) => Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');

/** A cursor this API gave: a time a submission can have (PostgreSQL cannot hold year 275760) and a UUID. */
function readCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  const year = date.getUTCFullYear();
  if (!id || !isUuid(id) || !(year >= 2000 && year <= 9999)) throw new AppError('REQ_INVALID', { detail: 'since is not a cursor this API gave' });
  return { at: date, id };
}

/**
 * The provider's submissions, oldest first after `since` (for the insurer's systems) or of one
 * campaign (for the console): the declarations read from the signed document itself.
 */
export async function submissionsOf(db: Db, providerId: string, q: { campaignId?: string; since?: string; limit?: string }) {
  const limit = Math.min(500, Number(q.limit ?? 100));
  const after = q.since ? readCursor(q.since) : null;
  // The cursor carries milliseconds (a JS Date); the column has microseconds: compare at the cursor's precision.
  const at = sql`date_trunc('milliseconds', ${pensionSubmissions.createdAt})`;
  const rows = await db.select().from(pensionSubmissions).where(and(
    eq(pensionSubmissions.providerId, providerId),
    q.campaignId ? eq(pensionSubmissions.campaignId, q.campaignId) : undefined,
    after ? or(gt(at, after.at), and(eq(at, after.at), gt(pensionSubmissions.id, after.id))) : undefined,
  )).orderBy(asc(at), asc(pensionSubmissions.id)).limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    submissions: page.map((row) => {
      const documentB64 = row.bundle ? (JSON.parse(row.bundle) as { document: string }).document : (row.pending as { document: string } | null)?.document;
      const doc = documentB64 ? decodeDocument(Buffer.from(documentB64, 'base64')) : null;
      return {
        id: row.id, policyRef: row.policyRef, serviceUid: row.serviceUid, campaignId: row.campaignId,
        state: submissionState(row),
        declarations: doc ? declarationLines(doc.declarations) : null, changes: doc?.declarations.changes ?? null,
        signedAt: row.signedAt.toISOString(), sealedAt: row.sealedAt?.toISOString() ?? null, cursor: cursorOf(row),
      };
    }),
    next: rows.length > limit ? cursorOf(page[page.length - 1]!) : null,
  };
}

/** The state an insurer reads: never the word revoked (it may mean a death; the insurer asks the holder). */
function submissionState(row: typeof pensionSubmissions.$inferSelect) {
  if (row.state === 'certificate_revoked') return 'certificate_changed' as const;
  return row.state === 'sealed' && row.changesDeclared ? ('status_changed' as const) : row.state;
}
