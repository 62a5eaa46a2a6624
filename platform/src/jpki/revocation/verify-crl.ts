import { createHash, KeyObject, verify, X509Certificate } from 'node:crypto';
import { AppError } from '../../shared/errors.js';
import { ctx, DerCursor, TAG } from './der.js';
import type { ParsedCrl } from './parse-crl.js';

/** Which JPKI hierarchy a CA belongs to (SPEC §3.6: never mix the two trust stores). */
export type JpkiPurpose = 'sign' | 'auth';

/**
 * A CA whose CRLs we accept: one generation of the sign or auth root (SPEC §5). The three
 * generations of a purpose share one subject DN, so the key identifier and the signature tell
 * them apart, never the DN alone (SPEC §6.13).
 */
export interface TrustedIssuer {
  publicKey: KeyObject;
  /** The CA certificate's subject Name, DER. */
  subjectDer: Buffer;
  /** subjectKeyIdentifier as hex; derived from the key (RFC 5280 §4.2.1.2 method 1) when absent. */
  skiHex?: string;
  purpose: JpkiPurpose;
  /** Label of the CA generation, unique within a purpose (e.g. `authca02`). */
  generation: string;
}

const MIN_RSA_BITS = 2048;

/** Normalises a key identifier: lowercase hex without separators. */
export function normaliseKeyId(hex: string): string {
  return hex.replace(/[:\s]/g, '').toLowerCase();
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyIdOf(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const c = new DerCursor(spki);
  const end = c.expect(TAG.SEQUENCE, spki.length, 'SubjectPublicKeyInfo');
  c.skip(end);
  const bitsEnd = c.expect(TAG.BIT_STRING, end, 'subjectPublicKey');
  return createHash('sha1').update(spki.subarray(c.pos + 1, bitsEnd)).digest('hex');
}

/** The key identifier a trusted issuer is matched on. */
export function issuerKeyId(issuer: TrustedIssuer): string {
  return issuer.skiHex ? normaliseKeyId(issuer.skiHex) : keyIdOf(issuer.publicKey);
}

/**
 * A TrustedIssuer from a CA certificate (DER, PEM or `X509Certificate`): the key via
 * `node:crypto`, the raw subject Name and subjectKeyIdentifier read from the DER. Whether the
 * certificate belongs in the trust store is the caller's decision (it comes from configuration).
 */
export function issuerFromCertificate(cert: Buffer | string | X509Certificate, purpose: JpkiPurpose, generation: string): TrustedIssuer {
  let x509: X509Certificate;
  try {
    x509 = cert instanceof X509Certificate ? cert : new X509Certificate(cert);
  } catch (cause) {
    throw new AppError('PKI_MALFORMED', { detail: 'CA certificate cannot be parsed', cause });
  }
  const der = x509.raw;
  const c = new DerCursor(der);
  const certEnd = c.expect(TAG.SEQUENCE, der.length, 'Certificate');
  const tbsEnd = c.expect(TAG.SEQUENCE, certEnd, 'TBSCertificate');
  if (c.peek(tbsEnd) === ctx(0)) c.skip(tbsEnd); // version
  c.skip(tbsEnd); // serialNumber
  c.skip(tbsEnd); // signature
  c.skip(tbsEnd); // issuer
  c.skip(tbsEnd); // validity
  const subjectStart = c.pos;
  c.expect(TAG.SEQUENCE, tbsEnd, 'subject');
  const subjectDer = Buffer.from(der.subarray(subjectStart, c.pos + c.len));
  c.pos += c.len;
  c.skip(tbsEnd); // subjectPublicKeyInfo
  let skiHex: string | undefined;
  while (c.pos < tbsEnd) {
    const tag = c.header(tbsEnd);
    const fieldEnd = c.pos + c.len;
    if (tag === ctx(3)) {
      const extsEnd = c.expect(TAG.SEQUENCE, fieldEnd, 'extensions');
      while (c.pos < extsEnd) {
        const extEnd = c.expect(TAG.SEQUENCE, extsEnd, 'Extension');
        c.expect(TAG.OID, extEnd, 'extnID');
        // id-ce-subjectKeyIdentifier 2.5.29.14
        const isSki = c.len === 3 && der[c.pos] === 0x55 && der[c.pos + 1] === 0x1d && der[c.pos + 2] === 0x0e;
        c.pos += c.len;
        if (c.peek(extEnd) === TAG.BOOLEAN) c.skip(extEnd);
        const valueEnd = c.expect(TAG.OCTET_STRING, extEnd, 'extnValue');
        if (isSki) {
          c.expect(TAG.OCTET_STRING, valueEnd, 'SubjectKeyIdentifier');
          skiHex = der.toString('hex', c.pos, c.pos + c.len);
        }
        c.pos = extEnd;
      }
    }
    c.pos = fieldEnd;
  }
  const issuer: TrustedIssuer = { publicKey: x509.publicKey, subjectDer, purpose, generation };
  if (skiHex) issuer.skiHex = skiHex;
  return issuer;
}

function signatureVerifies(crl: ParsedCrl, issuer: TrustedIssuer): { ok: boolean; cause?: unknown } {
  const key = issuer.publicKey;
  const type = key.asymmetricKeyType;
  const alg = crl.signatureAlgorithm;
  if (alg.rsa ? type !== 'rsa' : type !== 'ec') return { ok: false, cause: `key type ${type} cannot verify ${alg.name}` };
  if (type === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    throw new AppError('PKI_WEAK_ALGORITHM', { detail: `issuer ${issuer.generation} has an RSA key below ${MIN_RSA_BITS} bits` });
  }
  try {
    // Only an explicit true passes (house style §9.3: verification fails closed).
    return { ok: verify(alg.hash, crl.tbs, key, crl.signature) === true };
  } catch (cause) {
    return { ok: false, cause };
  }
}

/**
 * Finds the CA that signed a CRL and checks the signature over the exact TBSCertList bytes.
 * Candidates must have the CRL's purpose, a subject equal (byte for byte) to the CRL issuer and,
 * when the CRL names one (RFC 5280 requires it), a key identifier equal to its AKI keyid. None →
 * PKI_UNTRUSTED_ISSUER; candidates whose signature does not verify → PKI_SIGNATURE_INVALID.
 */
export function verifyCrlSignature(crl: ParsedCrl, purpose: JpkiPurpose, issuers: readonly TrustedIssuer[]): TrustedIssuer {
  const candidates = issuers.filter(
    (i) => i.purpose === purpose && i.subjectDer.equals(crl.issuerDer) && (crl.authorityKeyId === null || issuerKeyId(i) === crl.authorityKeyId),
  );
  if (candidates.length === 0) {
    throw new AppError('PKI_UNTRUSTED_ISSUER', {
      detail: `no trusted ${purpose} CA matches the CRL issuer${crl.authorityKeyId ? ` and key id ${crl.authorityKeyId}` : ''}`,
    });
  }
  let cause: unknown;
  for (const candidate of candidates) {
    const result = signatureVerifies(crl, candidate);
    if (result.ok) return candidate;
    cause ??= result.cause;
  }
  throw new AppError('PKI_SIGNATURE_INVALID', {
    detail: `CRL signature does not verify with ${candidates.map((c) => c.generation).join(', ')}`,
    cause,
  });
}
