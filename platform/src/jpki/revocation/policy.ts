import { AppError } from '../../shared/errors.js';
import type { CrlInfo, RevocationStatus, UnknownCause } from './revocation-store.js';

/** A status that `requireGood` let through. */
export type GoodStatus = Extract<RevocationStatus, { state: 'good' }>;

/** What `acceptUnknown` let through; `revocationUnknown` must be recorded by the caller. */
export interface AcceptedStatus {
  revocationUnknown: boolean;
  /** Why it was unknown, or null when the certificate was checked and is good. */
  cause: UnknownCause | null;
  /** The CRL that answered, when there was one. */
  crl: CrlInfo | null;
}

function revoked(status: Extract<RevocationStatus, { state: 'revoked' }>): AppError {
  return new AppError('PKI_REVOKED', {
    detail: `revoked ${status.revokedAt.toISOString()} (${status.reason ?? 'no reason given'}) per ${status.crl.purpose} CRL ${status.crl.crlNumber ?? status.crl.thisUpdate.toISOString()}`,
    details: { reason: status.reason, revokedAt: status.revokedAt.toISOString() },
  });
}

/**
 * Policy for login and signing: only a certificate a current CRL shows as not revoked passes.
 * Revoked → PKI_REVOKED (`details.reason`, `details.revokedAt`); unknown → PKI_REVOCATION_UNKNOWN
 * (`details.cause`).
 */
export function requireGood(status: RevocationStatus): GoodStatus {
  switch (status.state) {
    case 'good':
      return status;
    case 'revoked':
      throw revoked(status);
    default:
      throw new AppError('PKI_REVOCATION_UNKNOWN', {
        detail: `revocation status unknown: ${status.cause}`,
        details: { cause: status.cause },
      });
  }
}

/**
 * Policy for a shelter check-in, where turning a resident away because a CRL is late would do more
 * harm than the risk: unknown passes with `revocationUnknown: true` (record it with the check-in);
 * revoked still throws PKI_REVOKED.
 */
export function acceptUnknown(status: RevocationStatus): AcceptedStatus {
  switch (status.state) {
    case 'good':
      return { revocationUnknown: false, cause: null, crl: status.crl };
    case 'revoked':
      throw revoked(status);
    default:
      return { revocationUnknown: true, cause: status.cause, crl: status.crl };
  }
}
