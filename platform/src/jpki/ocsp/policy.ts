import { AppError } from '../../shared/errors.js';
import { acceptUnknown, requireGood } from '../revocation/policy.js';
import type { CrlInfo, RevocationStatus, UnknownCause } from '../revocation/revocation-store.js';
import type { OcspResult } from './client.js';

/**
 * Which revocation source answers for each operation, and what an unknown status means there
 * (issue 17). Login keeps to CRLs (fast, works offline); where freshness at one moment matters — a
 * legal signature, a staff login — OCSP is asked first and its signed response kept; a shelter
 * check-in lets an unknown status through and records it, because turning a resident away costs more.
 * Registration (both certificates of the card, on the TV) keeps to CRLs like login by default.
 */
export const REVOCATION_OPERATIONS = ['login', 'staff-login', 'shelter-check-in', 'pension-signature', 'registration'] as const;
export type RevocationOperation = (typeof REVOCATION_OPERATIONS)[number];

export interface OperationPolicy {
  /** `ocsp`: ask the responder, fall back to a fresh CRL only when it is unreachable. */
  source: 'crl' | 'ocsp';
  /** `refuse`: PKI_REVOCATION_UNKNOWN; `accept`: pass with `revocationUnknown: true`. */
  unknown: 'refuse' | 'accept';
}

export type RevocationPolicy = Readonly<Record<RevocationOperation, OperationPolicy>>;

export const DEFAULT_REVOCATION_POLICY: RevocationPolicy = Object.freeze({
  login: { source: 'crl', unknown: 'refuse' },
  'staff-login': { source: 'ocsp', unknown: 'refuse' },
  'shelter-check-in': { source: 'crl', unknown: 'accept' },
  'pension-signature': { source: 'ocsp', unknown: 'refuse' },
  registration: { source: 'crl', unknown: 'refuse' },
});

/**
 * Reads REVOCATION_POLICY, e.g. `login=crl/refuse,shelter-check-in=crl/accept`: the operations
 * named override the defaults. Problems are appended to `problems` (config style).
 */
export function parseRevocationPolicy(raw: string | undefined, problems: string[]): RevocationPolicy {
  const policy: Record<RevocationOperation, OperationPolicy> = { ...DEFAULT_REVOCATION_POLICY };
  if (!raw?.trim()) return Object.freeze(policy);
  for (const part of raw.split(',')) {
    const m = /^\s*([a-z-]+)\s*=\s*(crl|ocsp)\s*\/\s*(refuse|accept)\s*$/.exec(part);
    const op = m?.[1] as RevocationOperation | undefined;
    if (!m || !op || !(REVOCATION_OPERATIONS as readonly string[]).includes(op)) {
      problems.push(`REVOCATION_POLICY: "${part.trim()}" is not OPERATION=crl|ocsp/refuse|accept with OPERATION one of ${REVOCATION_OPERATIONS.join(', ')}`);
      continue;
    }
    policy[op] = { source: m[2] as OperationPolicy['source'], unknown: m[3] as OperationPolicy['unknown'] };
  }
  return Object.freeze(policy);
}

/** What decided a certificate's status for an operation, to record beside it. */
export interface RevocationDecision {
  operation: RevocationOperation;
  /** Which source answered. */
  source: 'ocsp' | 'crl';
  /** True when the status was unknown and the operation's policy accepted that. */
  revocationUnknown: boolean;
  /** Why the CRL answered an operation whose policy asks OCSP: the responder's failure, or none configured. */
  fallback: 'PKI_OCSP_UNAVAILABLE' | 'no-responder' | null;
  /** The verified OCSP answer (its `der` is the evidence), when OCSP answered. */
  ocsp: OcspResult | null;
  /** The CRL that answered, when one did. */
  crl: CrlInfo | null;
  /** Why the status was unknown (CRL cause or `ocsp-unknown`), or null. */
  cause: UnknownCause | 'ocsp-unknown' | null;
}

/** The two sources for one certificate: the CRL store's answer, and OCSP when a responder is known. */
export interface RevocationSources {
  crl: () => RevocationStatus;
  /** Null when no responder URL is known for the certificate. */
  ocsp: (() => Promise<OcspResult>) | null;
}

/**
 * Applies the operation's policy. Revoked (by either source) is PKI_REVOKED with `details.reason`,
 * `details.revokedAt` and `details.source`; a refused unknown is PKI_REVOCATION_UNKNOWN. An OCSP
 * response that is wrong (bad signature, unauthorised responder, nonce, stale, malformed, refused)
 * throws its own code: only an unreachable responder falls back to the CRL, since a forged or
 * replayed answer is an attack to report, not an outage to route around.
 */
export async function decideRevocation(operation: RevocationOperation, policy: RevocationPolicy, sources: RevocationSources): Promise<RevocationDecision> {
  const p = policy[operation];
  if (p.source === 'crl') return fromCrl(operation, p, sources.crl(), null);
  if (sources.ocsp === null) return fromCrl(operation, p, sources.crl(), 'no-responder');
  let answer: OcspResult;
  try {
    answer = await sources.ocsp();
  } catch (err) {
    if (!(err instanceof AppError && err.code === 'PKI_OCSP_UNAVAILABLE')) throw err;
    return fromCrl(operation, p, sources.crl(), 'PKI_OCSP_UNAVAILABLE');
  }
  return fromOcsp(operation, p, answer);
}

/**
 * The decision of an operation whose policy asks the CRLs alone, made synchronously (an in-memory
 * lookup: a TV login's hot path pays no await for it); null when the policy asks OCSP, which only
 * `decideRevocation` can do. Throws as `decideRevocation` does.
 */
export function decideByCrl(operation: RevocationOperation, policy: RevocationPolicy, crl: () => RevocationStatus): RevocationDecision | null {
  const p = policy[operation];
  return p.source === 'crl' ? fromCrl(operation, p, crl(), null) : null;
}

function fromCrl(operation: RevocationOperation, p: OperationPolicy, status: RevocationStatus, fallback: RevocationDecision['fallback']): RevocationDecision {
  if (p.unknown === 'accept') {
    const accepted = withSource(() => acceptUnknown(status), 'crl');
    return { operation, source: 'crl', revocationUnknown: accepted.revocationUnknown, fallback, ocsp: null, crl: accepted.crl, cause: accepted.cause };
  }
  const good = withSource(() => requireGood(status), 'crl');
  return { operation, source: 'crl', revocationUnknown: false, fallback, ocsp: null, crl: good.crl, cause: null };
}

function fromOcsp(operation: RevocationOperation, p: OperationPolicy, answer: OcspResult): RevocationDecision {
  const decision: RevocationDecision = { operation, source: 'ocsp', revocationUnknown: false, fallback: null, ocsp: answer, crl: null, cause: null };
  if (answer.state === 'good') return decision;
  if (answer.state === 'revoked') {
    throw new AppError('PKI_REVOKED', {
      detail: `revoked ${answer.revokedAt!.toISOString()} (${answer.reason ?? 'no reason given'}) per OCSP response produced ${answer.producedAt.toISOString()}`,
      details: { reason: answer.reason, revokedAt: answer.revokedAt!.toISOString(), source: 'ocsp' },
    });
  }
  if (p.unknown === 'accept') return { ...decision, revocationUnknown: true, cause: 'ocsp-unknown' };
  throw new AppError('PKI_REVOCATION_UNKNOWN', { detail: 'the OCSP responder does not know the certificate', details: { cause: 'ocsp-unknown', source: 'ocsp' } });
}

/** Adds `details.source` to a PKI_REVOKED / PKI_REVOCATION_UNKNOWN from the CRL policies. */
function withSource<T>(fn: () => T, source: 'crl'): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    throw new AppError(err.code, { detail: err.detail, details: { ...err.details, source }, cause: err.cause });
  }
}
