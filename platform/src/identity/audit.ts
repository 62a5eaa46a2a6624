import { createHash } from 'node:crypto';
import { asc, desc, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditLog, type AuditEntry } from '../db/schema/index.js';
import { canonicalJson } from './canonical-json.js';

/** The hash the first entry chains to. */
export const AUDIT_GENESIS = '0'.repeat(64);
/** Serialises appends across transactions and processes, so the chain never forks. */
const AUDIT_LOCK_KEY = 7_240_612;

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

function entryHash(prevHash: string, entry: { at: string; actor: string; action: string; subject: string | null; data: unknown }): string {
  return createHash('sha256').update(`${prevHash}\n${canonicalJson(entry)}`, 'utf8').digest('hex');
}

/**
 * Appends one entry, chained to the previous one. Call it inside the transaction that makes the
 * change it records, so both land or neither does.
 */
export async function appendAudit(tx: Tx, input: AuditInput): Promise<AuditEntry> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
  const prevHash = last?.hash ?? AUDIT_GENESIS;
  const entry = { at: new Date().toISOString(), actor: input.actor, action: input.action, subject: input.subject ?? null, data: input.data ?? {} };
  const [row] = await tx.insert(auditLog).values({ ...entry, prevHash, hash: entryHash(prevHash, entry) }).returning();
  return row!;
}

/** Recomputes the whole chain; reports the first entry whose content or link was tampered with. */
export async function verifyAuditChain(db: Pick<Db, 'select'>): Promise<{ ok: true; entries: number } | { ok: false; brokenAt: number }> {
  const rows = await db.select().from(auditLog).orderBy(asc(auditLog.seq));
  let prev = AUDIT_GENESIS;
  for (const row of rows) {
    const expected = entryHash(prev, { at: row.at, actor: row.actor, action: row.action, subject: row.subject, data: row.data });
    if (row.prevHash !== prev || row.hash !== expected) return { ok: false, brokenAt: row.seq };
    prev = row.hash;
  }
  return { ok: true, entries: rows.length };
}
