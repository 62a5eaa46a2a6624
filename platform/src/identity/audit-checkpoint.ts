import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Db } from '../db/client.js';
import { verifyAuditChain, type AuditHead, type AuditVerification } from './audit.js';
import { canonicalJson } from './canonical-json.js';

/**
 * Signed audit checkpoints: the chain head (sequence + hash), published outside the database and
 * signed with this platform's Ed25519 key. The hash chain alone shows an entry changed or removed
 * in the middle, but not the newest entries cut off the end; a checkpoint does, because the log
 * must still reach it with the same hash. Someone with only database access can neither move the
 * checkpoint back nor sign a new one.
 */

/** Where checkpoints are published and which key signs them (from `Config`). */
export interface CheckpointSettings {
  auditCheckpointDir: string;
  auditSigningKeyFile: string;
}

/** A published checkpoint as stored in the file. */
export interface AuditCheckpoint extends AuditHead {
  /** When it was published (ISO-8601). */
  at: string;
  /** Ed25519 signature (base64) over `signedBytes`. */
  signature: string;
}

/** The file the newest checkpoint is in; replaced atomically on each publication. */
export const CHECKPOINT_FILE = 'audit-checkpoint.json';
/** Names what is signed, so a signature over anything else never passes for a checkpoint. */
const CHECKPOINT_FORMAT = 'cap-audit-checkpoint/1';

const signedBytes = (c: Omit<AuditCheckpoint, 'signature'>) =>
  Buffer.from(canonicalJson({ format: CHECKPOINT_FORMAT, seq: c.seq, hash: c.hash, at: c.at }), 'utf8');

/**
 * This platform's signing key, created on first use: private key file 0600 in a folder made 0700,
 * its public key next to it (`.pub`) for anyone who wants to check a checkpoint.
 */
export function loadOrCreateSigningKey(keyFile: string): KeyObject {
  try {
    return createPrivateKey(readFileSync(keyFile));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  try {
    // 'wx': if another process created it a moment ago, keep theirs.
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    writeFileSync(`${keyFile}.pub`, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return createPrivateKey(readFileSync(keyFile));
}

/** The public half, which is all a verifier needs. */
function publicKeyOf(keyFile: string): KeyObject {
  return createPublicKey(createPrivateKey(readFileSync(keyFile)));
}

export function signCheckpoint(head: AuditHead, key: KeyObject, at = new Date()): AuditCheckpoint {
  const unsigned = { seq: head.seq, hash: head.hash, at: at.toISOString() };
  return { ...unsigned, signature: sign(null, signedBytes(unsigned), key).toString('base64') };
}

/** Whether `checkpoint` is well formed and signed by `key` (a private key's public half counts). */
export function checkpointSignatureValid(checkpoint: unknown, key: KeyObject): checkpoint is AuditCheckpoint {
  const c = checkpoint as Partial<AuditCheckpoint> | null;
  if (!c || !Number.isSafeInteger(c.seq) || typeof c.hash !== 'string' || typeof c.at !== 'string' || typeof c.signature !== 'string') return false;
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  try {
    return verify(null, signedBytes(c as AuditCheckpoint), publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

type ReadCheckpoint = { state: 'none' } | { state: 'valid'; checkpoint: AuditCheckpoint } | { state: 'invalid'; detail: string };

/** The last published checkpoint, checked against the platform's key. */
export function readCheckpoint(settings: CheckpointSettings): ReadCheckpoint {
  let raw: string;
  try {
    raw = readFileSync(join(settings.auditCheckpointDir, CHECKPOINT_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'none' };
    throw err;
  }
  let key: KeyObject;
  try {
    key = publicKeyOf(settings.auditSigningKeyFile);
  } catch {
    return { state: 'invalid', detail: `a checkpoint exists but the signing key ${settings.auditSigningKeyFile} cannot be read, so it cannot be checked` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { state: 'invalid', detail: 'the checkpoint file is not JSON' };
  }
  if (!checkpointSignatureValid(parsed, key)) return { state: 'invalid', detail: "the checkpoint is not signed by this platform's key" };
  return { state: 'valid', checkpoint: parsed };
}

function writeCheckpoint(dir: string, checkpoint: AuditCheckpoint): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A name of its own, so two publications at once (a tick during shutdown) never share a file.
  const temporary = join(dir, `${CHECKPOINT_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`, { mode: 0o600 });
  // Rename is atomic: a reader sees the old checkpoint or the new one, never half of one.
  renameSync(temporary, join(dir, CHECKPOINT_FILE));
}

/**
 * `verify-audit`: the whole chain, against the last signed checkpoint when there is one.
 * A checkpoint that does not verify is itself a break (fails closed).
 */
export async function verifyAuditLog(db: Pick<Db, 'select'>, settings: CheckpointSettings): Promise<AuditVerification> {
  const last = readCheckpoint(settings);
  if (last.state === 'invalid') return { ok: false, brokenAt: null, reason: 'checkpoint-signature', detail: last.detail };
  return verifyAuditChain(db, { checkpoint: last.state === 'valid' ? last.checkpoint : null });
}

/**
 * The periodic step: checks the entries since the last checkpoint (all, the first time) and, if
 * the log still reaches it and has grown, publishes the new head. On a break nothing is written,
 * so the evidence (the old checkpoint) stays; the caller reports the break.
 */
export async function publishAuditCheckpoint(
  db: Pick<Db, 'select'>,
  settings: CheckpointSettings,
  now = new Date(),
): Promise<{ published: AuditCheckpoint | null; verification: AuditVerification }> {
  const key = loadOrCreateSigningKey(settings.auditSigningKeyFile);
  const last = readCheckpoint(settings);
  if (last.state === 'invalid') {
    return { published: null, verification: { ok: false, brokenAt: null, reason: 'checkpoint-signature', detail: last.detail } };
  }
  const previous = last.state === 'valid' ? last.checkpoint : null;
  const verification = await verifyAuditChain(db, { checkpoint: previous, fromCheckpoint: true });
  if (!verification.ok || !verification.head || (previous && verification.head.seq === previous.seq)) {
    return { published: null, verification };
  }
  const checkpoint = signCheckpoint(verification.head, key, now);
  writeCheckpoint(settings.auditCheckpointDir, checkpoint);
  return { published: checkpoint, verification };
}
