import { gt, sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client.js';
import { crls } from '../db/schema/index.js';
import type { IngestOptions, JpkiPurpose } from '../jpki/index.js';
import { applyCrl, type CrlApplication } from './certificate-lifecycle.js';
import type { IdentityDeps } from './deps.js';

/** Where processes announce a newly stored CRL (LISTEN/NOTIFY). */
export const CRL_CHANNEL = 'crl_stored';

/**
 * Installs a CRL (a whole CA's, or one distribution point's partition; `options.filedUnder` names
 * the DP it was published under), applies it to registered certificates and keeps it for the
 * other processes. Stored rows are loaded back without the filing: the CRL's own
 * IssuingDistributionPoint decides its partition, and it was checked against the filing here.
 */
export async function ingestCrl(deps: IdentityDeps, purpose: JpkiPurpose, der: Buffer, actor?: string, options?: IngestOptions): Promise<CrlApplication> {
  const applied = await applyCrl(deps, purpose, der, actor, options);
  if (applied.outcome !== 'unchanged') {
    const { crl } = applied;
    await deps.db.insert(crls).values({ purpose, issuerKeyId: crl.issuerKeyId, crlNumber: crl.crlNumber?.toString() ?? null, thisUpdate: crl.thisUpdate, der });
    await deps.db.execute(sql`select pg_notify(${CRL_CHANNEL}, ${purpose})`);
  }
  return applied;
}

/**
 * Runs `refresh` whenever a process announces a stored CRL, and once this process's lost LISTEN
 * is back: a CRL stored meanwhile was announced to no one here. A failed refresh goes to
 * `onError`. Returns the unlisten.
 */
export function followStoredCrls(database: Pick<DbHandle, 'listen'>, refresh: () => Promise<unknown>, onError: (err: unknown) => void): Promise<() => Promise<void>> {
  const refreshNow = () => void refresh().catch(onError);
  return database.listen(CRL_CHANNEL, refreshNow, { onResumed: refreshNow });
}

/**
 * Loads the CRLs stored since `since` (all when null) into this process's revocation store,
 * oldest first, so each CA and each partition ends on its newest. Returns the newest ingestion time seen.
 */
export async function loadStoredCrls(deps: IdentityDeps, since: Date | null): Promise<Date | null> {
  const rows = await deps.db
    .select()
    .from(crls)
    .where(since ? gt(crls.ingestedAt, since) : undefined)
    .orderBy(crls.thisUpdate);
  let newest = since;
  for (const row of rows) {
    try {
      deps.jpki.ingestCrl(row.purpose, row.der);
    } catch {
      // An older CRL than the one in use, or one whose CA left the trust store: nothing to do.
    }
    if (!newest || row.ingestedAt > newest) newest = row.ingestedAt;
  }
  return newest;
}

