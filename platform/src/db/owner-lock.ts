import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../shared/errors.js';
import { PRIVATE_FILE_MODE } from '../shared/private-fs.js';

/**
 * The embedded database (PGlite) has no lock of its own: two processes opening one data folder
 * both write its WAL and control file, and the second one's writes vanish or corrupt it. So the
 * one process that opens it holds this lock file for as long as it does. Everyone else is refused.
 */
export const OWNER_LOCK_FILE = 'db-owner.lock';

/** Who holds the lock: the running platform, or an operator command run while it was stopped. */
export type OwnerRole = 'platform' | 'cli';

export interface OwnerRecord {
  pid: number;
  role: OwnerRole;
  since: string;
}

export interface OwnerLock {
  release(): void;
}

/** Lock files this process holds, so that opening one folder twice in one process is refused too. */
const heldHere = new Set<string>();

/**
 * Takes the lock of `dataDir` or throws `DB_IN_USE` with the holder in `details.owner`. A lock left
 * by a process that died (`kill -9`, power cut) is stale and taken over.
 *
 * Atomic by construction: the record is written to a private temporary file and hard-linked to the
 * lock's name, which fails if the name exists, so a reader never sees half a record. A stale lock
 * is removed only while holding a second lock (`.takeover`), after checking it is still the same
 * stale record, so two processes taking over at once cannot both win.
 */
export function acquireOwnerLock(dataDir: string, role: OwnerRole): OwnerLock {
  const path = join(dataDir, OWNER_LOCK_FILE);
  const mine: OwnerRecord = { pid: process.pid, role, since: new Date().toISOString() };
  const text = JSON.stringify(mine);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusive(path, text)) {
      heldHere.add(path);
      return { release: () => releaseIfMine(path, text) };
    }
    const found = readRecord(path);
    if (found === null) continue; // released between our try and our read
    if (isAlive(found.record.pid, path)) throw inUse(dataDir, found.record);
    removeStale(path, found.text, dataDir);
  }
  throw new AppError('DB_IN_USE', { detail: `could not take ${path}: other processes keep taking it` });
}

/**
 * As `acquireOwnerLock`, but a platform that finds an operator command holding the folder waits
 * for it (commands are short; a restart must not fail because a command ran at that moment), up to
 * `waitMs`, calling `onWait` once. Another platform holding it is refused at once.
 */
export async function acquireOwnerLockWaiting(dataDir: string, role: OwnerRole, waitMs: number, onWait: (owner: OwnerRecord) => void): Promise<OwnerLock> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      return acquireOwnerLock(dataDir, role);
    } catch (err) {
      const owner = err instanceof AppError ? (err.details?.owner as OwnerRecord | undefined) : undefined;
      if (owner?.role !== 'cli' || Date.now() > deadline) throw err;
      if (!told) onWait(owner);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Who holds the lock of `dataDir` now, or null when nobody alive does. */
export function currentOwner(dataDir: string): OwnerRecord | null {
  const path = join(dataDir, OWNER_LOCK_FILE);
  const found = readRecord(path);
  return found && isAlive(found.record.pid, path) ? found.record : null;
}

function createExclusive(path: string, text: string): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: PRIVATE_FILE_MODE });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

function readRecord(path: string): { text: string; record: OwnerRecord } | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const record = JSON.parse(text) as OwnerRecord;
    if (Number.isInteger(record.pid) && record.pid > 0) return { text, record };
  } catch {
    // not ours: treated as held by nobody we can check, below
  }
  throw new AppError('DB_IN_USE', { detail: `${path} is not a lock this platform wrote; remove it only if no process uses the database` });
}

function removeStale(path: string, staleText: string, dataDir: string): void {
  const takeover = `${path}.takeover`;
  if (!createExclusive(takeover, JSON.stringify({ pid: process.pid }))) {
    const other = readRecord(takeover);
    if (other && isAlive(other.record.pid, takeover)) throw inUse(dataDir, other.record);
    // Its holder died in the microseconds it holds it: rare enough to leave to a person.
    throw new AppError('DB_IN_USE', { detail: `a process died while taking over ${path}; remove ${takeover} if no process uses the database` });
  }
  try {
    const now = readRecord(path);
    if (now?.text === staleText) unlinkSync(path);
  } finally {
    unlinkSync(takeover);
  }
}

/**
 * Whether `pid` runs. Our own pid in a lock we do not hold here is a previous life of a process
 * that restarted with the same pid (pid 1 in a container), so stale.
 */
function isAlive(pid: number, path: string): boolean {
  if (pid === process.pid) return heldHere.has(path);
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseIfMine(path: string, text: string): void {
  heldHere.delete(path);
  try {
    if (readFileSync(path, 'utf8') === text) unlinkSync(path);
  } catch {
    // already gone
  }
}

function inUse(dataDir: string, owner: OwnerRecord): AppError {
  const who = owner.role === 'platform' ? `the platform (pid ${owner.pid})` : `an operator command (pid ${owner.pid})`;
  return new AppError('DB_IN_USE', {
    detail: `the embedded database in ${dataDir} is open in ${who} since ${owner.since}; only one process may open it`,
    details: { owner },
  });
}
