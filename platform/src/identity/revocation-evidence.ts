import { createHash } from 'node:crypto';
import type { Db } from '../db/client.js';
import { ocspResponses } from '../db/schema/index.js';
import type { RevocationDecision } from '../jpki/index.js';

/** What an audit entry says about the revocation check that let an operation through. */
export type RevocationAuditData = Record<string, string | boolean | null>;

/**
 * Keeps the evidence of a revocation decision beside the audit entry that records the operation
 * (call it in the same transaction): when OCSP answered, the signed response goes to
 * `ocsp_responses` and the entry names it by its SHA-256 — the response itself stays out of the
 * audit log, since its CertID holds the certificate's serial. When a CRL answered, the entry says
 * so, why OCSP did not (if the policy asked it) and which CRL issue (its thisUpdate) decided.
 */
export async function keepRevocationEvidence(tx: Pick<Db, 'insert'>, decision: RevocationDecision): Promise<RevocationAuditData> {
  if (decision.ocsp) {
    const der = Buffer.from(decision.ocsp.der);
    const sha256 = createHash('sha256').update(der).digest('hex');
    // A cached response answers again until its nextUpdate: the same bytes, stored once.
    await tx.insert(ocspResponses).values({ sha256, der, producedAt: decision.ocsp.producedAt }).onConflictDoNothing();
    return { revocationSource: 'ocsp', ocspResponseSha256: sha256, ocspProducedAt: decision.ocsp.producedAt.toISOString(), revocationUnknown: decision.revocationUnknown };
  }
  return {
    revocationSource: 'crl', revocationFallback: decision.fallback, crlThisUpdate: decision.crl?.thisUpdate.toISOString() ?? null,
    revocationUnknown: decision.revocationUnknown,
  };
}
