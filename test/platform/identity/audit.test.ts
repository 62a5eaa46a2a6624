import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../../platform/src/db/schema/index.js';
import { AUDIT_GENESIS, appendAudit, verifyAuditChain } from '../../../platform/src/identity/audit.js';
import { canonicalJson } from '../../../platform/src/identity/canonical-json.js';
import { freshDatabase } from '../../helpers/database.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and drops nothing else', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 'x', e: null }], c: '山' } })).toBe('{"a":{"c":"山","d":[2,{"e":null,"f":"x"}]},"b":1}');
  });
  it('refuses values JSON cannot represent faithfully', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
  });
});

describe('audit log', async () => {
  const database = await freshDatabase();
  afterAll(() => database.close());
  const { db } = database;

  it('chains each entry to the previous one', async () => {
    const first = await db.transaction((tx) => appendAudit(tx, { actor: 'system', action: 'test.first', data: { n: 1 } }));
    const second = await db.transaction((tx) => appendAudit(tx, { actor: 'system', action: 'test.second', subject: 'x' }));
    expect(first.prevHash).toBe(AUDIT_GENESIS);
    expect(second.prevHash).toBe(first.hash);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 2 });
  });

  it('keeps the chain linear under concurrent appends', async () => {
    await Promise.all(Array.from({ length: 8 }, (_, i) => db.transaction((tx) => appendAudit(tx, { actor: 'system', action: 'test.concurrent', data: { i } }))));
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 10 });
  });

  it('refuses UPDATE and DELETE in the database itself', async () => {
    await expect(db.update(auditLog).set({ action: 'forged' })).rejects.toThrow();
    await expect(db.delete(auditLog)).rejects.toThrow();
  });

  it('shows tampering that bypassed the trigger', async () => {
    await db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await db.execute(sql`update audit_log set data = '{"n":2}'::jsonb where action = 'test.first'`);
    await db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    const result = await verifyAuditChain(db);
    expect(result.ok).toBe(false);
  });
});
