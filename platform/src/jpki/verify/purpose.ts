import { AppError } from '../../shared/errors.js';
import type { JpkiCertificate } from './certificate.js';
import { CERT_SIGNATURE_HASH, MIN_RSA_BITS, OID } from './oids.js';

/** The two JPKI hierarchies: 署名用 (sign) and 利用者証明用 (auth). */
export type JpkiPurpose = 'sign' | 'auth';

/** `O=` of the J-LIS test hierarchy (SPEC §3.1); refused in production. */
export const TEST_ORGANIZATION = 'JPKI-TEST';

/** OU naming the hierarchy in every JPKI CA name (SPEC §3.1). */
export const PURPOSE_OU: Readonly<Record<JpkiPurpose, string>> = {
  sign: 'JPKI for digital signature',
  auth: 'JPKI for user authentication',
};

const POLICY: Readonly<Record<JpkiPurpose, string>> = { sign: OID.policySign, auth: OID.policyAuth };

/** The purpose a leaf's certificate policy claims, or null when it claims neither (or both). */
export function purposeOf(cert: JpkiCertificate): JpkiPurpose | null {
  const sign = cert.policies?.includes(OID.policySign) ?? false;
  const auth = cert.policies?.includes(OID.policyAuth) ?? false;
  return sign === auth ? null : sign ? 'sign' : 'auth';
}

/** True when the certificate or its issuer names the test organisation. */
export function isTestHierarchy(cert: JpkiCertificate): boolean {
  return [...cert.subjectAttributes, ...cert.issuerAttributes].some(
    (a) => a.type === OID.organizationName && a.value === TEST_ORGANIZATION,
  );
}

/** RSA ≥ 2048 with a standard exponent, signed with SHA-256 or stronger (SPEC §3.6.1). */
export function assertStrongAlgorithms(cert: JpkiCertificate, role: string): void {
  if (!CERT_SIGNATURE_HASH[cert.signatureAlgorithm]) {
    throw new AppError('PKI_WEAK_ALGORITHM', { detail: `${role} signature algorithm ${cert.signatureAlgorithm} is not RSA with SHA-256 or stronger` });
  }
  if (cert.publicKeyAlgorithm !== OID.rsaEncryption) {
    throw new AppError('PKI_WEAK_ALGORITHM', { detail: `${role} key algorithm ${cert.publicKeyAlgorithm} is not RSA` });
  }
  if ((cert.rsaModulusBits ?? 0) < MIN_RSA_BITS) {
    throw new AppError('PKI_WEAK_ALGORITHM', { detail: `${role} RSA key has ${cert.rsaModulusBits} bits, fewer than ${MIN_RSA_BITS}` });
  }
  // NIST SP 800-89 §5.3.3: odd e, at least 65537 (JPKI uses exactly 65537, SPEC §3.1).
  const e = cert.rsaExponent;
  if (e !== null && (e < 65537 || e % 2 === 0)) {
    throw new AppError('PKI_WEAK_ALGORITHM', { detail: `${role} RSA public exponent ${e} is not acceptable` });
  }
}

/**
 * Leaf checks of SPEC §3.6.4: not a CA, no critical extension we do not understand, and the
 * policy, key usage and (auth) extended key usage of `purpose`.
 */
export function assertLeafPurpose(cert: JpkiCertificate, purpose: JpkiPurpose): void {
  if (cert.basicConstraints?.ca || cert.keyUsage?.bits.has('keyCertSign') || cert.keyUsage?.bits.has('cRLSign')) {
    throw new AppError('PKI_LEAF_IS_CA', { detail: `${cert.subject} is a CA certificate` });
  }
  if (cert.unknownCriticalExtensions.length) {
    throw new AppError('PKI_UNSUPPORTED_CRITICAL_EXTENSION', { detail: `critical extension(s) ${cert.unknownCriticalExtensions.join(', ')}` });
  }
  const wrong = (detail: string) => new AppError('PKI_WRONG_PURPOSE', { detail: `${purpose}: ${detail}` });
  const claimed = purposeOf(cert);
  if (claimed !== purpose) throw wrong(`certificate policy is ${cert.policies?.join(', ') || 'absent'}, expected ${POLICY[purpose]}`);
  const ku = cert.keyUsage;
  if (!ku || !ku.critical) throw wrong('keyUsage is missing or not critical');
  if (!ku.bits.has('digitalSignature')) throw wrong('keyUsage lacks digitalSignature');
  if (purpose === 'sign') {
    if (!ku.bits.has('nonRepudiation')) throw wrong('keyUsage lacks nonRepudiation');
  } else {
    if (!cert.extKeyUsage?.includes(OID.clientAuth)) throw wrong('extendedKeyUsage lacks clientAuth');
  }
}

/** Validity at `at`: PKI_NOT_YET_VALID before notBefore, PKI_EXPIRED after notAfter (both inclusive bounds). */
export function assertValidAt(cert: JpkiCertificate, at: Date, role: string): void {
  const t = at.getTime();
  if (Number.isNaN(t)) throw new AppError('REQ_INVALID', { detail: 'verification time is not a valid date' });
  if (t < cert.notBefore.getTime()) {
    throw new AppError('PKI_NOT_YET_VALID', { detail: `${role} valid from ${cert.notBefore.toISOString()}, checked at ${at.toISOString()}` });
  }
  if (t > cert.notAfter.getTime()) {
    throw new AppError('PKI_EXPIRED', { detail: `${role} expired ${cert.notAfter.toISOString()}, checked at ${at.toISOString()}` });
  }
}
