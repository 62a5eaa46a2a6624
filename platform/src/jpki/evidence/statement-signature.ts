import { sign, X509Certificate, type KeyObject } from 'node:crypto';
import { AppError } from '../../shared/errors.js';
import { rsaVerify } from '../verify/signature.js';
import { issuedByOneOf } from './tsp.js';

/** The platform's evidence-signing credential (its key and certificate; config owns where they come from). */
export interface EvidenceSigner {
  key: KeyObject;
  certificate: Uint8Array;
}

/** RSA PKCS#1 v1.5 SHA-256 signature by the platform over `bytes` (the canonical statement). */
export function signStatement(bytes: Uint8Array, signer: EvidenceSigner): Uint8Array {
  return new Uint8Array(sign('sha256', bytes, signer.key));
}

/**
 * Verifies a platform statement offline: the signature over `bytes` under `certificate`, which is
 * issued by one of `anchors`, carries the evidence-signing key purpose and was valid at `at`.
 * Fails closed with EVIDENCE_REVOCATION_INVALID.
 */
export function verifyStatement(bytes: Uint8Array, signature: Uint8Array, certificate: Uint8Array, anchors: readonly Uint8Array[], purpose: string, at: Date): void {
  const bad = (detail: string, cause?: unknown) => new AppError('EVIDENCE_REVOCATION_INVALID', { detail, cause });
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificate);
  } catch (cause) {
    throw bad('the platform certificate cannot be read', cause);
  }
  if (!issuedByOneOf(cert, anchors)) throw bad('the platform certificate is not issued by a trusted root');
  if (!(cert.keyUsage ?? []).includes(purpose)) throw bad('the platform certificate is not for evidence statements');
  if (at < new Date(cert.validFrom) || at > new Date(cert.validTo)) throw bad('the platform certificate was not valid when it signed');
  if (!rsaVerify('sha256', bytes, cert.publicKey, signature)) throw bad('the statement signature does not verify');
}
