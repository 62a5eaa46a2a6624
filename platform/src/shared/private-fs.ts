import { chmodSync, mkdirSync } from 'node:fs';

/** Mode of files only the owning user may read: keys, card files, the database's lock. */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of folders only the owning user may enter. */
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Creates `dir` (and missing parents) private to the user, and makes an existing one private too:
 * a data folder made by an older version with the umask's 0755 is closed on the next start.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}
