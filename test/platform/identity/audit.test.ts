import { createHash, createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../../platform/src/db/schema/index.js';
import { AUDIT_GENESIS, appendAudit, verifyAuditChain } from '../../../platform/src/identity/audit.js';
import {
  CHECKPOINT_FILE,
  checkpointSignatureValid,
  publishAuditCheckpoint,
  signCheckpoint,
  verifyAuditLog,
  type CheckpointSettings,
} from '../../../platform/src/identity/audit-checkpoint.js';
import { canonicalJson } from '../../../platform/src/identity/canonical-json.js';
import { freshDatabase, TEST_DB_KIND, type TestDatabase } from '../../helpers/database.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and drops nothing else', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 'x', e: null }], c: '山' } })).toBe('{"a":{"c":"山","d":[2,{"e":null,"f":"x"}]},"b":1}');
  });
  it('refuses values JSON cannot represent faithfully', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow('canonical JSON has no NaN or Infinity');
  });
});

/** The PostgreSQL error behind a drizzle error (drizzle wraps it as `cause`). */
async function pgErrorOf(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message: string } }).cause;
    return cause ?? (err as { code?: string; message: string });
  }
  throw new Error('expected the statement to be refused');
}

/**
 * Runs SQL as the database owner, with the append-only trigger off: what an attacker with the
 * owner's database access (or the PGlite files) can do. On PGlite there is only one user.
 */
async function asOwner(database: TestDatabase, statements: string | string[]): Promise<void> {
  const script = ['alter table audit_log disable trigger user', ...[statements].flat(), 'alter table audit_log enable trigger user'];
  if (!database.ownerUrl) {
    for (const statement of script) await database.db.execute(sql.raw(statement));
    return;
  }
  const owner = new pg.Client({ connectionString: database.ownerUrl });
  await owner.connect();
  try {
    for (const statement of script) await owner.query(statement);
  } finally {
    await owner.end();
  }
}

async function appendEntries(database: TestDatabase, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await database.db.transaction((tx) => appendAudit(tx, { actor: 'system', action: 'test.entry', data: { i } }));
}

function checkpointSettings(): CheckpointSettings {
  const dir = mkdtempSync(join(tmpdir(), 'audit-'));
  return { auditCheckpointDir: join(dir, 'checkpoints'), auditSigningKeyFile: join(dir, 'keys', 'audit-signing-key.pem') };
}

/** One database for the tampering tests; each starts from an empty log numbered from 1. */
const tamperable = freshDatabase();
afterAll(async () => (await tamperable).close());
async function withDatabase(test: (database: TestDatabase) => Promise<void>): Promise<void> {
  const database = await tamperable;
  await asOwner(database, 'truncate audit_log restart identity');
  await test(database);
}

describe('audit log', () => {
  // Each test starts from an empty log numbered from 1 (withDatabase), so none counts another's entries.
  const append = (database: TestDatabase, action: string, extra: { subject?: string; data?: Record<string, string | number | boolean | null> } = {}) =>
    database.db.transaction((tx) => appendAudit(tx, { actor: 'system', action, ...extra }));

  it('chains each entry to the previous one, keyed', async () => {
    await withDatabase(async (database) => {
      const first = await append(database, 'test.first', { data: { n: 1 } });
      const second = await append(database, 'test.second', { subject: 'x' });
      expect(first.prevHash).toBe(AUDIT_GENESIS);
      expect(second.prevHash).toBe(first.hash);
      expect([first.chain, second.chain]).toEqual([2, 2]);
      expect(await verifyAuditChain(database.db)).toEqual({ ok: true, entries: 2, head: { seq: second.seq, hash: second.hash }, checkpoint: null });
    });
  });

  it('keeps the chain linear under concurrent appends', async () => {
    await withDatabase(async (database) => {
      await Promise.all(Array.from({ length: 8 }, (_, i) => append(database, 'test.concurrent', { data: { i } })));
      expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, entries: 8 });
    });
  });

  it("refuses UPDATE, DELETE and TRUNCATE on the platform's own connection", async () => {
    await withDatabase(async (database) => {
      // One entry to refuse changing (PGlite's row trigger would not fire on an empty table).
      await append(database, 'test.before-refusals');
      for (const statement of ["update audit_log set action = 'forged'", 'delete from audit_log', 'truncate audit_log']) {
        const error = await pgErrorOf(database.db.execute(sql.raw(statement)));
        if (TEST_DB_KIND === 'postgres') {
          // The platform role lacks the privilege: refused before any trigger runs.
          expect(error.code, statement).toBe('42501');
          expect(error.message).toMatch(/permission denied for table audit_log/);
        } else {
          // PGlite has one user; the append-only trigger refuses.
          expect(error.message, statement).toMatch(/audit_log is append-only/);
        }
      }
      // What the platform needs still works on that connection.
      await append(database, 'test.after-refusals');
      expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, entries: 2 });
    });
  });

  it('shows tampering that bypassed the trigger', async () => {
    await withDatabase(async (database) => {
      await append(database, 'test.first', { data: { n: 1 } });
      await append(database, 'test.second');
      await asOwner(database, `update audit_log set data = '{"n":2}'::jsonb where action = 'test.first'`);
      expect(await verifyAuditChain(database.db)).toMatchObject({ ok: false, brokenAt: 1, reason: 'content' });
    });
  });
});

describe('audit chain key', () => {
  it('fails a chain recomputed without the HMAC key (plain SHA-256, or another key)', async () => {
    await withDatabase(async (database) => {
      await appendEntries(database, 4);
      const rows = await database.db.select().from(auditLog).orderBy(auditLog.seq);
      for (const rehash of [
        (m: string) => createHash('sha256').update(m).digest('hex'),
        (m: string) => createHmac('sha256', 'a key the attacker guessed').update(m).digest('hex'),
      ]) {
        // The attacker changes entry 2 and recomputes every hash from there, as the database allows.
        let prev = rows[0]!.hash;
        const updates: string[] = [];
        for (const row of rows.slice(1)) {
          const data = row.seq === rows[1]!.seq ? { i: 99 } : row.data;
          const hash = rehash(`${prev}\n${canonicalJson({ at: row.at, actor: row.actor, action: row.action, subject: row.subject, data })}`);
          updates.push(`update audit_log set data = '${JSON.stringify(data)}'::jsonb, prev_hash = '${prev}', hash = '${hash}' where seq = ${row.seq}`);
          prev = hash;
        }
        await asOwner(database, updates);
        expect(await verifyAuditChain(database.db)).toMatchObject({ ok: false, brokenAt: rows[1]!.seq, reason: 'content' });
      }
    });
  });

  it('refuses unkeyed entries after keyed ones, and keeps verifying entries written before the key', async () => {
    await withDatabase(async (database) => {
      // Two entries from before the chain was keyed (chain version 1, plain SHA-256), as migration 0006 left them.
      let prev = AUDIT_GENESIS;
      const legacy: string[] = [];
      for (const i of [1, 2]) {
        const entry = { at: `2026-01-0${i}T00:00:00.000Z`, actor: 'system', action: 'test.legacy', subject: null, data: { i } };
        const hash = createHash('sha256').update(`${prev}\n${canonicalJson(entry)}`).digest('hex');
        legacy.push(`insert into audit_log (at, actor, action, subject, data, prev_hash, hash, chain) values ('${entry.at}', 'system', 'test.legacy', null, '${JSON.stringify(entry.data)}'::jsonb, '${prev}', '${hash}', 1)`);
        prev = hash;
      }
      await asOwner(database, legacy);
      await appendEntries(database, 2);
      expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, entries: 4 });

      // Downgrading the newest keyed entry to a recomputed plain hash is refused.
      const [, , , last] = await database.db.select().from(auditLog).orderBy(auditLog.seq);
      const plain = createHash('sha256').update(`${last!.prevHash}\n${canonicalJson({ at: last!.at, actor: last!.actor, action: last!.action, subject: last!.subject, data: last!.data })}`).digest('hex');
      await asOwner(database, `update audit_log set chain = 1, hash = '${plain}' where seq = ${last!.seq}`);
      expect(await verifyAuditChain(database.db)).toMatchObject({ ok: false, brokenAt: last!.seq, reason: 'unkeyed' });
    });
  });
});

describe('signed audit checkpoints', () => {
  it('detects the newest entries deleted, which the hash chain alone cannot', async () => {
    await withDatabase(async (database) => {
      const settings = checkpointSettings();
      await appendEntries(database, 5);
      const { published } = await publishAuditCheckpoint(database.db, settings);
      expect(published).toMatchObject({ seq: 5 });
      expect(await verifyAuditLog(database.db, settings)).toMatchObject({ ok: true, entries: 5, checkpoint: { seq: 5 } });

      await asOwner(database, 'delete from audit_log where seq > 3');
      // The chain of what is left is intact: only the checkpoint shows the cut.
      expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, entries: 3 });
      expect(await verifyAuditLog(database.db, settings)).toMatchObject({ ok: false, brokenAt: 5, reason: 'truncated' });

      // New entries after the cut do not hide it, and the old checkpoint is never moved back.
      await appendEntries(database, 3);
      expect(await verifyAuditLog(database.db, settings)).toMatchObject({ ok: false, brokenAt: 5, reason: 'checkpoint-mismatch' });
      const again = await publishAuditCheckpoint(database.db, settings);
      expect(again.published).toBeNull();
      expect(again.verification).toMatchObject({ ok: false, brokenAt: 5 });
      expect(JSON.parse(readFileSync(join(settings.auditCheckpointDir, CHECKPOINT_FILE), 'utf8'))).toEqual(published);
    });
  });

  it('detects a chain rewritten up to the checkpoint, and advances only while the log still reaches it', async () => {
    await withDatabase(async (database) => {
      const settings = checkpointSettings();
      await appendEntries(database, 3);
      const first = await publishAuditCheckpoint(database.db, settings);
      expect(first.published).toMatchObject({ seq: 3 });
      expect((await publishAuditCheckpoint(database.db, settings)).published).toBeNull(); // nothing new
      await appendEntries(database, 2);
      const second = await publishAuditCheckpoint(database.db, settings);
      expect(second.published).toMatchObject({ seq: 5 });
      expect(second.verification).toMatchObject({ ok: true, entries: 3 }); // entries 3..5 read, not the whole log

      // Everything recomputed as a plain chain (no key needed): the checkpoint's hash no longer matches.
      const rows = await database.db.select().from(auditLog).orderBy(auditLog.seq);
      let prev = AUDIT_GENESIS;
      const updates: string[] = [];
      for (const row of rows) {
        const hash = createHash('sha256').update(`${prev}\n${canonicalJson({ at: row.at, actor: row.actor, action: row.action, subject: row.subject, data: row.data })}`).digest('hex');
        updates.push(`update audit_log set chain = 1, prev_hash = '${prev}', hash = '${hash}' where seq = ${row.seq}`);
        prev = hash;
      }
      await asOwner(database, updates);
      expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true }); // passes on its own…
      expect(await verifyAuditLog(database.db, settings)).toMatchObject({ ok: false, brokenAt: 5, reason: 'checkpoint-mismatch' });
    });
  });

  it('detects a tampered or foreign checkpoint, and never overwrites it', async () => {
    await withDatabase(async (database) => {
      const settings = checkpointSettings();
      await appendEntries(database, 4);
      const { published } = await publishAuditCheckpoint(database.db, settings);
      const file = join(settings.auditCheckpointDir, CHECKPOINT_FILE);

      // Moved back to hide deleted entries, keeping the old signature.
      writeFileSync(file, JSON.stringify({ ...published, seq: 2 }));
      expect(await verifyAuditLog(database.db, settings)).toMatchObject({ ok: false, brokenAt: null, reason: 'checkpoint-signature' });
      expect((await publishAuditCheckpoint(database.db, settings)).published).toBeNull();
      expect(JSON.parse(readFileSync(file, 'utf8')).seq).toBe(2);

      // Signed, correctly, by a key that is not the platform's.
      const rows = await database.db.select().from(auditLog).orderBy(auditLog.seq);
      const foreign = signCheckpoint({ seq: rows[1]!.seq, hash: rows[1]!.hash }, generateKeyPairSync('ed25519').privateKey);
      writeFileSync(file, JSON.stringify(foreign));
      expect(await verifyAuditLog(database.db, settings)).toMatchObject({ ok: false, reason: 'checkpoint-signature' });

      writeFileSync(file, 'not json');
      expect(await verifyAuditLog(database.db, settings)).toMatchObject({ ok: false, reason: 'checkpoint-signature' });
    });
  });

  it('keeps the signing key private to the user and publishes its public half', async () => {
    await withDatabase(async (database) => {
      const settings = checkpointSettings();
      await appendEntries(database, 1);
      const { published } = await publishAuditCheckpoint(database.db, settings);
      expect(statSync(settings.auditSigningKeyFile).mode & 0o777).toBe(0o600);
      expect(statSync(join(settings.auditCheckpointDir, CHECKPOINT_FILE)).mode & 0o777).toBe(0o600);
      const publicKey = createPublicKey(readFileSync(`${settings.auditSigningKeyFile}.pub`));
      expect(checkpointSignatureValid(published, publicKey)).toBe(true);
      expect(checkpointSignatureValid({ ...published, hash: '0'.repeat(64) }, publicKey)).toBe(false);
    });
  });
});
