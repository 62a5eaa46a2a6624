import { createHash, createHmac } from 'node:crypto';
import { asc, desc, gte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditLog, type AuditEntry } from '../db/schema/index.js';
import { canonicalJson } from './canonical-json.js';

/** The hash the first entry chains to. */
export const AUDIT_GENESIS = '0'.repeat(64);
/** Serialises appends across transactions and processes, so the chain never forks. */
const AUDIT_LOCK_KEY = 7_240_612;

/** `audit_log.chain`: how an entry's hash was computed. */
export const AUDIT_CHAIN = {
  /** Plain SHA-256: entries written before the chain was keyed. Anyone can recompute these. */
  plain: 1,
  /** HMAC-SHA-256 with AUDIT_HMAC_SECRET: only a platform process can compute these. */
  keyed: 2,
} as const;

/**
 * The HMAC key of this process, set once at startup from the config (`setAuditChainKey`). It is
 * process-wide rather than passed along because every audited operation in every module needs it,
 * and a missing key must fail the write, never fall back to an unkeyed hash.
 */
let chainKey: Buffer | null = null;

/** Sets the audit chain's HMAC key (`Config.auditHmacSecret`); call before the first append. */
export function setAuditChainKey(secret: string): void {
  if (!secret) throw new Error('the audit chain key must not be empty');
  chainKey = Buffer.from(secret, 'utf8');
}

function requireKey(): Buffer {
  if (!chainKey) throw new Error('audit chain key not set: call setAuditChainKey(config.auditHmacSecret) at startup');
  return chainKey;
}

/** What an audit entry records. `data` must hold no PIN, serial or personal data. */
export interface AuditInput {
  actor: string;
  action: string;
  subject?: string | null;
  data?: Record<string, string | number | boolean | null>;
}

/**
 * Who did something, for the audit log: `staff:<id>`, `operator:cli`, `system:…`, and the
 * organisation it was done for (the console shows each organisation its own entries).
 */
export interface AuditActor {
  name: string;
  organisationId: string | null;
}

/** The actor of the operator command line (it acts for no one organisation). */
export const CLI_ACTOR: AuditActor = { name: 'operator:cli', organisationId: null };

/** Any drizzle database or transaction handle. */
type Tx = Pick<Db, 'execute' | 'select' | 'insert'>;

type HashedContent = { at: string; actor: string; action: string; subject: string | null; data: unknown };

function entryHash(chain: number, prevHash: string, entry: HashedContent): string | null {
  const message = `${prevHash}\n${canonicalJson(entry)}`;
  if (chain === AUDIT_CHAIN.keyed) return createHmac('sha256', requireKey()).update(message, 'utf8').digest('hex');
  if (chain === AUDIT_CHAIN.plain) return createHash('sha256').update(message, 'utf8').digest('hex');
  return null;
}

/**
 * Appends one entry, chained to the previous one and keyed. Call it inside the transaction that
 * makes the change it records, so both land or neither does.
 */
export async function appendAudit(tx: Tx, input: AuditInput): Promise<AuditEntry> {
  requireKey();
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
  const prevHash = last?.hash ?? AUDIT_GENESIS;
  const entry = { at: new Date().toISOString(), actor: input.actor, action: input.action, subject: input.subject ?? null, data: input.data ?? {} };
  const chain = AUDIT_CHAIN.keyed;
  const [row] = await tx.insert(auditLog).values({ ...entry, prevHash, hash: entryHash(chain, prevHash, entry)!, chain }).returning();
  return row!;
}

/** A chain head vouched for outside the database (identity/audit-checkpoint.ts signs it). */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** Why a chain does not verify. */
export type AuditBreakReason =
  /** An entry's prev_hash is not the previous entry's hash: an entry was removed or inserted before it. */
  | 'link'
  /** An entry's hash does not match its content under the key: changed, or recomputed without the key. */
  | 'content'
  /** An unkeyed (or unknown-version) entry where only keyed ones may be: a chain rewritten without the key. */
  | 'unkeyed'
  /** The log ends before the checkpoint's head: the newest entries were deleted. */
  | 'truncated'
  /** The entry at the checkpoint's sequence has another hash: the history up to it was rewritten. */
  | 'checkpoint-mismatch'
  /** The checkpoint file is unreadable or not signed by this platform's key. */
  | 'checkpoint-signature';

export type AuditVerification =
  | { ok: true; entries: number; head: AuditHead | null; checkpoint: AuditHead | null }
  | { ok: false; brokenAt: number | null; reason: AuditBreakReason; detail: string };

/**
 * Recomputes the chain and, given the last signed checkpoint, checks that the log still reaches
 * it with the same hash. Reports the first break: which sequence and why. With `fromCheckpoint`
 * only the entries from the checkpoint on are read (the periodic check before publishing a new
 * one); otherwise the whole log.
 */
export async function verifyAuditChain(
  db: Pick<Db, 'select'>,
  opts: { checkpoint?: AuditHead | null; fromCheckpoint?: boolean } = {},
): Promise<AuditVerification> {
  const checkpoint = opts.checkpoint ?? null;
  const incremental = Boolean(opts.fromCheckpoint && checkpoint);
  const rows = await db
    .select()
    .from(auditLog)
    .where(incremental ? gte(auditLog.seq, checkpoint!.seq) : undefined)
    .orderBy(asc(auditLog.seq));
  let prev = AUDIT_GENESIS;
  let keyedSeen = false;
  let atCheckpoint: string | null = null;
  // From a checkpoint whose own entry is gone there is nothing to walk: the verdict is below.
  const walk = incremental && rows[0]?.seq !== checkpoint!.seq ? [] : rows;
  for (const [i, row] of walk.entries()) {
    if (checkpoint && row.seq === checkpoint.seq) atCheckpoint = row.hash;
    // From a checkpoint, its own entry is the trusted start; its hash is compared below.
    const trustedStart = incremental && i === 0 && row.seq === checkpoint!.seq;
    if (!trustedStart) {
      if (row.chain !== AUDIT_CHAIN.keyed && (keyedSeen || row.chain !== AUDIT_CHAIN.plain)) {
        return { ok: false, brokenAt: row.seq, reason: 'unkeyed', detail: `entry ${row.seq} is not keyed (chain version ${row.chain}) but follows keyed entries` };
      }
      if (row.prevHash !== prev) {
        return { ok: false, brokenAt: row.seq, reason: 'link', detail: `entry ${row.seq} does not link to the entry before it: an entry was removed or inserted` };
      }
      const expected = entryHash(row.chain, prev, { at: row.at, actor: row.actor, action: row.action, subject: row.subject, data: row.data });
      if (row.hash !== expected) {
        return { ok: false, brokenAt: row.seq, reason: 'content', detail: `entry ${row.seq} does not match its hash under the platform's key: changed or recomputed` };
      }
    }
    keyedSeen ||= row.chain === AUDIT_CHAIN.keyed;
    prev = row.hash;
  }
  const last = rows.at(-1);
  const head = last ? { seq: last.seq, hash: last.hash } : null;
  if (checkpoint) {
    if (!head || head.seq < checkpoint.seq) {
      return {
        ok: false, brokenAt: checkpoint.seq, reason: 'truncated',
        detail: `the signed checkpoint vouches for entries up to ${checkpoint.seq}; the log ends at ${head?.seq ?? 'nothing'}: the newest entries were deleted`,
      };
    }
    if (atCheckpoint !== checkpoint.hash) {
      return {
        ok: false, brokenAt: checkpoint.seq, reason: 'checkpoint-mismatch',
        detail: atCheckpoint === null
          ? `entry ${checkpoint.seq}, which the signed checkpoint vouches for, is missing`
          : `entry ${checkpoint.seq} has another hash than the signed checkpoint: the history up to it was rewritten`,
      };
    }
  }
  return { ok: true, entries: rows.length, head, checkpoint };
}
