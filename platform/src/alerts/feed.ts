import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { organisations } from '../db/schema/organisations.js';
import { appendAudit, type AuditActor } from '../identity/audit.js';
import { AppError } from '../shared/errors.js';
import { consoleSender } from './compose.js';
import { alertFeedCredentials } from './schema.js';
import { checkIdentifier } from './values.js';

/**
 * Per-municipality feed credentials for `POST /api/v1/alerts/cap`: a random token shown once when
 * issued (`npm run platform -- issue-alert-feed --municipality CODE --sender S [--sender …]`), stored
 * only as SHA-256 (a 256-bit random token needs no slow hash), revocable. Each is bound to the
 * senders it may send as: a message under any other sender is refused (ALERT_SENDER_NOT_ALLOWED), so
 * one feed of a municipality cannot cancel, update or pre-empt another's messages.
 */

const PREFIX = 'alf_';
const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export async function issueFeedCredential(db: Db, municipalityCode: string, label: string, senders: readonly string[], actor: AuditActor) {
  const [org] = await db.select({ id: organisations.id }).from(organisations)
    .where(and(eq(organisations.code, municipalityCode), eq(organisations.kind, 'municipality')));
  if (!org) throw new AppError('REQ_NOT_FOUND', { detail: 'no such municipality' });
  if (!senders.length) throw new AppError('REQ_INVALID', { detail: 'a feed needs at least one sender it may send as' });
  for (const sender of senders) checkIdentifier(sender, 'sender');
  // The console's own messages are changed in the console, with its second officer: no feed writes as it.
  if (senders.includes(consoleSender(municipalityCode))) throw new AppError('REQ_INVALID', { detail: "the console's own sender is not a feed's" });
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(alertFeedCredentials).values({ municipalityId: org.id, tokenHash: hashToken(token), label, senders: [...new Set(senders)] })
      .returning({ id: alertFeedCredentials.id });
    await appendAudit(tx, { actor: actor.name, action: 'alert.feed.issue', subject: row!.id, data: { org: org.id, senders: [...new Set(senders)].join(' ') } });
    return { credentialId: row!.id, municipality: municipalityCode, senders: [...new Set(senders)], token };
  });
}

/** The municipality a bearer token speaks for, and as whom; ALERT_FEED_UNAUTHORIZED when missing, unknown or revoked. */
export async function feedCaller(db: Db, authorization: string | undefined): Promise<{ credentialId: string; municipalityCode: string; senders: string[] }> {
  const token = /^Bearer (alf_[A-Za-z0-9_-]{43})$/.exec(authorization ?? '')?.[1];
  if (!token) throw new AppError('ALERT_FEED_UNAUTHORIZED');
  const [row] = await db.select({ id: alertFeedCredentials.id, code: organisations.code, senders: alertFeedCredentials.senders }).from(alertFeedCredentials)
    .innerJoin(organisations, eq(organisations.id, alertFeedCredentials.municipalityId))
    .where(and(eq(alertFeedCredentials.tokenHash, hashToken(token)), isNull(alertFeedCredentials.revokedAt)));
  if (!row) throw new AppError('ALERT_FEED_UNAUTHORIZED');
  return { credentialId: row.id, municipalityCode: row.code, senders: row.senders };
}
