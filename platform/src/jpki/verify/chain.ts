import { AppError } from '../../shared/errors.js';
import { JpkiCertificate, parseCertificate, type CertificateInput } from './certificate.js';
import { bytesEqual } from './der.js';
import { CERT_SIGNATURE_HASH } from './oids.js';
import { assertLeafPurpose, assertStrongAlgorithms, assertValidAt, isTestHierarchy, type JpkiPurpose } from './purpose.js';
import { rsaVerify } from './signature.js';
import type { TrustAnchor, TrustStore } from './trust-store.js';

/** What `verifyChain` needs besides the certificate. */
export interface ChainOptions {
  /** The hierarchy the certificate must belong to. */
  purpose: JpkiPurpose;
  trustStore: TrustStore;
  /** Time of use (signing time, login time); default now. */
  at?: Date;
}

/** A certificate that passed every check of SPEC §3.6 (revocation is not part of it). */
export interface ChainResult {
  purpose: JpkiPurpose;
  /** Which root signed it (`signca02`, or a dev root's label). */
  rootGeneration: string;
  root: TrustAnchor;
  certificate: JpkiCertificate;
  subject: string;
  issuer: string;
  /** Upper-case hex, e.g. `018C453E`. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** The time the validity periods were checked at. */
  checkedAt: Date;
}

/**
 * Checks a JPKI leaf against a trust store: test hierarchy (production), algorithms, not a CA,
 * purpose (policy, key usage, EKU), validity of leaf and root at `at`, and an issuer among all
 * generations of the purpose that matches by name and AKI *and* whose key verifies the
 * signature. Resolves only when every check passed; otherwise throws AppError with a PKI_* code.
 */
export async function verifyChain(input: JpkiCertificate | CertificateInput, options: ChainOptions): Promise<ChainResult> {
  const { purpose, trustStore } = options;
  const at = options.at ?? new Date();
  const leaf = input instanceof JpkiCertificate ? input : parseCertificate(input);

  if (trustStore.mode === 'production' && isTestHierarchy(leaf)) {
    throw new AppError('PKI_TEST_HIERARCHY', { detail: `${leaf.issuer} is the test hierarchy` });
  }
  assertStrongAlgorithms(leaf, 'leaf');
  assertLeafPurpose(leaf, purpose);
  assertValidAt(leaf, at, 'leaf');

  const root = await findIssuer(leaf, purpose, trustStore);
  assertValidAt(root.certificate, at, `root ${root.generation}`);

  return {
    purpose,
    rootGeneration: root.generation,
    root,
    certificate: leaf,
    subject: leaf.subject,
    issuer: leaf.issuer,
    serial: leaf.serial,
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
    checkedAt: at,
  };
}

/**
 * The root of `purpose` that signed `leaf`. All generations share one DN (SPEC §3.1), so a name
 * match only nominates candidates; the AKI keyIdentifier (when both sides have one) narrows them,
 * and the signature decides. No candidate → PKI_UNTRUSTED_ISSUER; candidates but no valid
 * signature → PKI_SIGNATURE_INVALID.
 */
async function findIssuer(leaf: JpkiCertificate, purpose: JpkiPurpose, store: TrustStore): Promise<TrustAnchor> {
  const cached = store.cachedIssuer(leaf, purpose);
  if (cached) return cached;

  const candidates = store.anchors(purpose).filter(
    (a) =>
      bytesEqual(a.certificate.subjectDer, leaf.issuerDer) &&
      (leaf.authorityKeyId === null || a.certificate.subjectKeyId === null || a.certificate.subjectKeyId === leaf.authorityKeyId),
  );
  if (!candidates.length) {
    throw new AppError('PKI_UNTRUSTED_ISSUER', {
      detail: `no ${store.mode} ${purpose} root named ${leaf.issuer}${leaf.authorityKeyId ? ` with key id ${leaf.authorityKeyId}` : ''}`,
    });
  }
  const hash = CERT_SIGNATURE_HASH[leaf.signatureAlgorithm]!;
  for (const anchor of candidates) {
    if (rsaVerify(hash, leaf.tbs, anchor.certificate.publicKey, leaf.signature)) {
      store.rememberIssuer(leaf, purpose, anchor);
      return anchor;
    }
  }
  throw new AppError('PKI_SIGNATURE_INVALID', {
    detail: `the certificate is not signed by ${candidates.map((c) => c.generation).join(' or ')}`,
  });
}
