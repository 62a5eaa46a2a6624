import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { JpkiContext } from '../jpki/index.js';

/** What the identity operations need: the database, JPKI, and their settings. */
export interface IdentityDeps {
  db: Db;
  jpki: JpkiContext;
  config: Pick<Readonly<Config>, 'nonceTtlSeconds' | 'nonceSecret' | 'sessionTtlSeconds'>;
}
