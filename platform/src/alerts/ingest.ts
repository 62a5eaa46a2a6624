import { createHash } from 'node:crypto';
import { and, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { organisations } from '../db/schema/organisations.js';
import { districts } from '../db/schema/places.js';
import { appendAudit } from '../identity/audit.js';
import { AppError } from '../shared/errors.js';
import type { CanonicalAlert, EvacuationLevel } from './model.js';
import { publishedAlert } from './announce.js';
import { carryOverReceipts, isExtension } from './extension.js';
import { alertConflicts, alerts } from './schema.js';
import { areaCodeOutcome, targetAlert, type AreaCodeOutcome } from './targeting.js';

/**
 * Storing an accepted alert (research/disaster.md §1.3). Keyed by (sender, identifier): the same
 * body again is a no-op; another body under the same key is refused (ALERT_CONFLICT) and flagged
 * in `alert_conflicts`, never overwriting. An Update supersedes what it references, a Cancel
 * withdraws it (or what already replaced it meanwhile, unless that was sent later: then this one is
 * stale); an L-Alert revision supersedes the document's older revisions and an older or equal
 * revision arriving late is ignored. Every stored alert gets an expiry (the message's, or
 * `sent` + the configured default).
 */

export type IngestChannel = 'feed' | 'cli' | 'console';

export interface IngestInput {
  municipalityCode: string;
  alert: CanonicalAlert;
  channel: IngestChannel;
  /** For the audit log: `feed:<credential id>`, `operator:cli`, `staff:<id>`. */
  actor: string;
  defaultTtlSeconds: number;
}

export type IngestOutcome =
  | ({ outcome: 'stored'; alertId: string; shownToResidents: boolean; affected: string[] } & AreaCodeOutcome)
  | { outcome: 'duplicate'; alertId: string }
  | { outcome: 'stale'; alertId: string };

/** The hash that decides duplicate vs conflict: the canonical document, signature left out (re-signing is not a new message). */
export function bodyHash(alert: CanonicalAlert): string {
  const { signature: _ignored, ...rest } = alert;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

/** Only Actual messages reach residents (L-Alert Test/訓練 map onto Test/Exercise, so they do not either). */
export function shownToResidents(alert: Pick<CanonicalAlert, 'status' | 'msgType'>): boolean {
  return alert.status === 'Actual' && (alert.msgType === 'Alert' || alert.msgType === 'Update');
}

const LEVEL_RANK: Record<string, number> = { lift: 0, '3': 3, '4': 4, '5': 5 };
export function strongestLevel(alert: CanonicalAlert): EvacuationLevel | undefined {
  const levels = alert.infos.map((i) => i.level).filter((l): l is EvacuationLevel => l !== undefined);
  return levels.sort((a, b) => LEVEL_RANK[String(b)]! - LEVEL_RANK[String(a)]!)[0];
}

/** The municipality codes (jisX0402) a message names; each must be the ingesting municipality's own. */
function namedMunicipalities(alert: CanonicalAlert): string[] {
  return [...new Set(alert.infos.flatMap((i) => i.areas.flatMap((a) => a.geocodes.filter((g) => g.valueName === 'jisX0402').map((g) => g.value))))];
}

function expiryOf(alert: CanonicalAlert, defaultTtlSeconds: number): { at: Date; defaulted: boolean } {
  const given = alert.infos.map((i) => i.expires?.epochMs).filter((x): x is number => x !== undefined);
  if (given.length) return { at: new Date(Math.max(...given)), defaulted: false };
  return { at: new Date(alert.sent.epochMs + defaultTtlSeconds * 1000), defaulted: true };
}

const REFERENCED = {
  id: alerts.id, state: alerts.state, status: alerts.status, sender: alerts.sender, channel: alerts.channel, sentAt: alerts.sentAt, supersededBy: alerts.supersededBy,
};
type Referenced = { id: string; state: string; status: string; sender: string; channel: string; sentAt?: Date; supersededBy?: string | null };

/** A message of the same status, through the same door (console or not): see `replaced` in ingestAlert. */
function sameDoor(r: Referenced, alert: CanonicalAlert, channel: IngestChannel): boolean {
  const fromConsole = (c: string) => c === 'console';
  return r.status === alert.status && fromConsole(r.channel) === fromConsole(channel);
}
/** What a CAP message may replace: its own sender's message, of the same status, through the same door. */
function replaceable(r: Referenced, alert: CanonicalAlert, channel: IngestChannel): boolean {
  return sameDoor(r, alert, channel) && r.sender === alert.sender;
}

/** How far a chain of Updates is followed (a feed's chain is a few long; this only bounds a loop). */
const MAX_CHAIN = 32;

/**
 * The active messages that replaced `named` alerts in the meantime (each locked): an alert already
 * superseded by an Update that this message may replace is followed along `superseded_by` to the one
 * active now, so two Updates of one alert leave one active, whichever order they were stored in.
 */
async function currentOf(tx: Tx, named: Required<Referenced>[], may: (r: Referenced) => boolean): Promise<Required<Referenced>[]> {
  const found: Required<Referenced>[] = [];
  for (const start of named) {
    let at = start;
    for (let hops = 0; hops < MAX_CHAIN && may(at) && at.state === 'superseded' && at.supersededBy; hops++) {
      const [next] = await tx.select(REFERENCED).from(alerts).where(eq(alerts.id, at.supersededBy)).for('update');
      if (!next) break;
      at = next;
    }
    if (at !== start && at.state === 'active' && may(at) && !found.some((f) => f.id === at.id)) found.push(at);
  }
  return found;
}

/** The codes of a targeted message (Alert, Update) its municipality does not know; nothing for what is never targeted. */
async function areaCodesOf(tx: Tx, alert: CanonicalAlert, municipalityCode: string, municipalityId: string): Promise<AreaCodeOutcome> {
  if (alert.msgType !== 'Alert' && alert.msgType !== 'Update') return { unknownAreaCodes: [], widenedToMunicipality: false };
  const known = await tx.select({ code: districts.code }).from(districts).where(eq(districts.municipalityId, municipalityId));
  return areaCodeOutcome(alert, municipalityCode, new Set(known.map((d) => d.code)));
}

/**
 * A message that came after the one that already replaced what it changes (or an older L-Alert
 * revision): not stored, but audited, so a feed running late or out of order can be seen.
 * `subject` is the newer message that made it stale.
 */
async function staleOutcome(tx: Tx, input: IngestInput, municipalityId: string, newerId: string) {
  await appendAudit(tx, {
    actor: input.actor, action: 'alert.stale', subject: newerId,
    data: { org: municipalityId, reason: 'superseded', identifier: input.alert.identifier, channel: input.channel },
  });
  return { outcome: 'stale' as const, alertId: newerId };
}

export async function ingestAlert(db: Db, input: IngestInput): Promise<IngestOutcome> {
  const { alert } = input;
  const [municipality] = await db.select({ id: organisations.id }).from(organisations)
    .where(and(eq(organisations.code, input.municipalityCode), eq(organisations.kind, 'municipality')));
  if (!municipality) throw new AppError('REQ_NOT_FOUND', { detail: 'no such municipality' });
  const foreign = namedMunicipalities(alert).filter((c) => c !== input.municipalityCode);
  if (foreign.length) throw new AppError('ALERT_WRONG_MUNICIPALITY', { details: { codes: foreign } });
  const hash = bodyHash(alert);
  const expiry = expiryOf(alert, input.defaultTtlSeconds);
  // Stored all the same (the history is kept), but no TV will ever show it: the feed is late or its clock wrong.
  const expiredOnArrival = expiry.at.getTime() <= Date.now();

  const result = await db.transaction(async (tx) => {
    // One message key (or L-Alert document) at a time: a feed retrying sends the same new message
    // again before the first is committed, and both inserts met the unique key (a 500). The second
    // now waits here and then finds the first: a duplicate (or a conflict, or a stale revision).
    const lockKey = `alert:${municipality.id}\u0001${alert.lAlert ? `l-alert\u0001${alert.lAlert.documentId}` : `${alert.sender}\u0001${alert.identifier}`}`;
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`);
    const [existing] = await tx.select({ id: alerts.id, bodyHash: alerts.bodyHash, municipalityId: alerts.municipalityId, publishedAt: alerts.publishedAt }).from(alerts)
      .where(and(eq(alerts.municipalityId, municipality.id), eq(alerts.sender, alert.sender), eq(alerts.identifier, alert.identifier)));
    if (existing) {
      if (existing.bodyHash === hash) return { outcome: 'duplicate' as const, alertId: existing.id, unpublished: existing.publishedAt === null };
      await tx.insert(alertConflicts).values({ municipalityId: municipality.id, alertId: existing.id, bodyHash: hash, document: alert });
      await appendAudit(tx, { actor: input.actor, action: 'alert.conflict', subject: existing.id, data: { org: municipality.id, identifier: alert.identifier } });
      return { outcome: 'conflict' as const, alertId: existing.id };
    }

    // What this message replaces: CAP references (same municipality only), or the L-Alert document's older revisions.
    let referenced: Referenced[] = [];
    if (alert.lAlert) {
      const revisions = await tx.select({ id: alerts.id, state: alerts.state, status: alerts.status, sender: alerts.sender, channel: alerts.channel, revision: alerts.revision }).from(alerts)
        // The same sender's document only: a document ID another sender used neither blocks nor is replaced.
        .where(and(eq(alerts.municipalityId, municipality.id), eq(alerts.documentId, alert.lAlert.documentId), eq(alerts.sender, alert.sender)));
      const newer = revisions.find((r) => (r.revision ?? 0) >= alert.lAlert!.revision);
      if (newer) return staleOutcome(tx, input, municipality.id, newer.id);
      referenced = revisions.filter((r) => r.state === 'active');
    } else if (alert.references.length && alert.msgType !== 'Ack' && alert.msgType !== 'Error') {
      // An Ack or Error only speaks about what it references (received; refused): it ends nothing.
      // Locked, in one order: another message changing the same alert at the same moment (a second
      // Update from the feed) waits here, then finds it replaced and follows it to what replaced it.
      const named = await tx.select(REFERENCED).from(alerts).where(and(
        eq(alerts.municipalityId, municipality.id),
        or(...alert.references.map((r) => and(eq(alerts.sender, r.sender), eq(alerts.identifier, r.identifier), eq(alerts.sent, r.sent)))),
      )).orderBy(alerts.id).for('update');
      const followed = await currentOf(tx, named, (r) => replaceable(r, alert, input.channel));
      // Something sent after this message already replaced what it changes: this one came late (stale).
      const newer = followed.find((r) => r.sentAt.getTime() > alert.sent.epochMs);
      if (newer) return staleOutcome(tx, input, municipality.id, newer.id);
      referenced = [...named, ...followed.filter((r) => !named.some((n) => n.id === r.id))];
    }
    // Only a message of the same status replaces: a Test or Exercise Cancel (or Update, or drill
    // revision) of an Actual alert is one recipients disregard (CAP 1.2 `status`), never a withdrawal
    // of a real order from every TV; nor does a real Update end a drill (it is stored beside it).
    // And only its own sender's, through the same door: a feed's Cancel never ends the console's
    // order (approved by a second officer; its sender, identifier and sent are in the public CAP feed),
    // even written under the console's sender, nor one feed another sender's alert.
    const replaced = referenced.filter((r) => r.state === 'active' && (alert.lAlert ? sameDoor(r, alert, input.channel) : replaceable(r, alert, input.channel))).map((r) => r.id);
    const level = strongestLevel(alert);
    const areas = await areaCodesOf(tx, alert, input.municipalityCode, municipality.id);
    const [row] = await tx.insert(alerts).values({
      municipalityId: municipality.id,
      sender: alert.sender,
      identifier: alert.identifier,
      sent: alert.sent.text,
      sentAt: new Date(alert.sent.epochMs),
      bodyHash: hash,
      format: alert.format,
      status: alert.status,
      msgType: alert.msgType,
      state: alert.msgType === 'Cancel' ? 'withdrawal' : alert.msgType === 'Alert' || alert.msgType === 'Update' ? 'active' : 'withdrawal',
      supersedes: replaced[0] ?? null,
      level: level === undefined ? null : String(level),
      expiresAt: expiry.at,
      expiresDefaulted: expiry.defaulted ? 1 : 0,
      documentId: alert.lAlert?.documentId ?? null,
      revision: alert.lAlert?.revision ?? null,
      channel: input.channel,
      unknownAreaCodes: areas.unknownAreaCodes,
      widenedToMunicipality: areas.widenedToMunicipality,
      document: alert,
    }).returning({ id: alerts.id });
    const alertId = row!.id;
    if (replaced.length) {
      await tx.update(alerts).set({ state: alert.msgType === 'Cancel' ? 'cancelled' : 'superseded', supersededBy: alertId })
        .where(and(inArray(alerts.id, replaced), eq(alerts.state, 'active')));
    }
    await appendAudit(tx, {
      actor: input.actor, action: 'alert.ingest', subject: alertId,
      data: {
        org: municipality.id, msgType: alert.msgType, status: alert.status, replaced: replaced.length, channel: input.channel,
        // Audit data holds no lists: the codes space-separated (district codes contain no spaces).
        unknownAreaCodes: areas.unknownAreaCodes.join(' '), widenedToMunicipality: areas.widenedToMunicipality,
      },
    });
    if (expiredOnArrival) {
      await appendAudit(tx, {
        actor: input.actor, action: 'alert.stale', subject: alertId,
        data: { org: municipality.id, reason: 'expired', identifier: alert.identifier, expiresAt: expiry.at.toISOString(), channel: input.channel },
      });
    }
    return { outcome: 'stored' as const, alertId, shownToResidents: shownToResidents(alert), affected: replaced, ...areas };
  });
  if (result.outcome === 'conflict') throw new AppError('ALERT_CONFLICT', { details: { alertId: result.alertId } });
  if (result.outcome === 'stored') await publishStored(db, result.alertId, { msgType: alert.msgType, active: true, inForce: !expiredOnArrival, affected: result.affected });
  if (result.outcome === 'duplicate') {
    // Stored by an earlier attempt that stopped before publishing it (the sender saw an error and sent it again).
    const { unpublished, ...duplicate } = result;
    if (unpublished) await publishStored(db, result.alertId, await publishingFacts(db, result.alertId));
    return duplicate;
  }
  return result;
}

/**
 * What publishing a stored message depends on: its type, whether it is still active (not replaced
 * since) and in force (not expired), what it replaced.
 */
interface PublishingFacts {
  msgType: string;
  active: boolean;
  inForce: boolean;
  affected: string[];
}

async function publishingFacts(db: Db, alertId: string): Promise<PublishingFacts> {
  const [[row], replaced] = await Promise.all([
    db.select({ msgType: alerts.msgType, state: alerts.state, expiresAt: alerts.expiresAt }).from(alerts).where(eq(alerts.id, alertId)),
    db.select({ id: alerts.id }).from(alerts).where(eq(alerts.supersededBy, alertId)),
  ]);
  return { msgType: row!.msgType, active: row!.state === 'active', inForce: row!.expiresAt.getTime() > Date.now(), affected: replaced.map((r) => r.id) };
}

/**
 * After storing: targets, receipts carried over, NOTIFY — each step idempotent, and the last one
 * records it done (`published_at`), so a message stored by an attempt that failed or stopped in
 * between is finished by the next one.
 */
async function publishStored(db: Db, alertId: string, { msgType, active, inForce, affected }: PublishingFacts): Promise<void> {
  // Targets are computed for every message that could be shown (Test too: test-flagged TVs may show it);
  // one expired on arrival, or replaced before it was published (finished late), no TV will show:
  // targeting a town's households for it would be waste. Announced all the same: the TVs holding
  // what it replaced must drop it.
  if (active && inForce && (msgType === 'Alert' || msgType === 'Update')) await targetAlert(db, alertId);
  // An extension is no new alarm: what the TVs had received and acknowledged holds for it too (extension.ts).
  if (affected.length && await isExtension(db, alertId)) await carryOverReceipts(db, alertId, affected);
  // Every channel's alert reaches the TVs the same way: announced to every platform process, once targeted.
  // One expired on arrival only when it replaced an alert: the TVs holding that must drop it (tv-channel.ts).
  await publishedAlert(db, alertId, { announce: inForce || affected.length > 0 });
}

/**
 * Finishes the messages stored more than `olderThanMs` ago and still not published: the attempt that
 * stored each stopped before publishing it (a crash, the database lost) and its sender never sent it
 * again (a feed that took the error for a refusal, an operator's CLI run that died; a console
 * publish stores and publishes in one transaction, drafts.ts). The platform processes run this at
 * start and then every minute (server.ts); each message is taken on by one of them at a time
 * (`publish_claimed_at`; after `leaseMs` another may take it on, and one that failed is tried
 * again then). Were two to finish one all the same, each step is idempotent and only one announces. `olderThanMs` mostly leaves an attempt still at work alone (`received_at` is
 * its transaction's start; one swept meanwhile is only done twice). One message that fails is
 * reported and the rest are still finished; `stopping` is asked between messages (a process
 * shutting down does not finish a backlog first).
 */
export async function publishUnfinished(
  db: Db,
  { olderThanMs, leaseMs = 120_000, limit = 100, stopping = () => false }: { olderThanMs: number; leaseMs?: number; limit?: number; stopping?: () => boolean },
): Promise<{ finished: string[]; failed: { alertId: string; err: unknown }[] }> {
  const stuck = await db.select({ id: alerts.id }).from(alerts)
    .where(and(isNull(alerts.publishedAt), lt(alerts.receivedAt, sql`now() - make_interval(secs => ${olderThanMs / 1000})`)))
    .orderBy(alerts.receivedAt).limit(limit);
  const finished: string[] = [];
  const failed: { alertId: string; err: unknown }[] = [];
  for (const { id } of stuck) {
    if (stopping()) break;
    // Taken on by one process only: the others, sweeping at the same moment, would each target the
    // town again. A claim older than `leaseMs` is from a process that stopped meanwhile.
    const claimed = await db.update(alerts).set({ publishClaimedAt: sql`now()` })
      .where(and(eq(alerts.id, id), isNull(alerts.publishedAt), or(
        isNull(alerts.publishClaimedAt),
        lt(alerts.publishClaimedAt, sql`now() - make_interval(secs => ${leaseMs / 1000})`),
      )))
      .returning({ id: alerts.id });
    if (!claimed.length) continue;
    try {
      await publishStored(db, id, await publishingFacts(db, id));
      finished.push(id);
    } catch (err) {
      failed.push({ alertId: id, err });
    }
  }
  return { finished, failed };
}

/** Alerts a resident may see now in a municipality: active, Actual, not expired. */
export async function activeAlerts(db: Db, municipalityId: string, now = new Date()) {
  return db.select().from(alerts).where(and(
    eq(alerts.municipalityId, municipalityId), eq(alerts.state, 'active'), eq(alerts.status, 'Actual'), gt(alerts.expiresAt, now),
  ));
}
