import { createHash, X509Certificate } from 'node:crypto';
import { AppError } from '../../shared/errors.js';
import { keyIdOf } from '../revocation/verify-crl.js';

/**
 * An OCSP CertID (RFC 6960 §4.1.1) as the client and the dev responder compare it: SHA-1 of the
 * issuer's Name DER and of its subjectPublicKey bits, and the serial as the INTEGER content bytes
 * (minimal, positive). SHA-1 is what RFC 5019 responders (J-LIS's among them) must accept; it names
 * the certificate here, it does not sign anything.
 */
export interface CertIdentity {
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  serial: Uint8Array;
  /** `nameHash:keyHash:serial` in lowercase hex: the cache key and the responder's lookup key. */
  key: string;
}

/** OID of SHA-1, the CertID hash. */
export const OID_SHA1 = '1.3.14.3.2.26';

/** Minimal positive INTEGER content of a hex serial (`018C453E`, colons allowed). */
export function serialBytes(serialHex: string): Uint8Array {
  const hex = serialHex.replaceAll(':', '');
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new AppError('REQ_INVALID', { detail: 'serial: not a hex string' });
  let bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0 && !(bytes[i + 1]! & 0x80)) i++;
  bytes = bytes.subarray(i);
  return bytes[0]! & 0x80 ? Buffer.concat([Buffer.of(0), bytes]) : bytes;
}

/** Builds the key from the three parts (as read off a request or a response). */
export function certIdentity(issuerNameHash: Uint8Array, issuerKeyHash: Uint8Array, serial: Uint8Array): CertIdentity {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  return { issuerNameHash, issuerKeyHash, serial, key: `${hex(issuerNameHash)}:${hex(issuerKeyHash)}:${hex(serial)}` };
}

/** The CertID of certificate `serialHex` issued by the CA whose certificate (DER) is `issuerDer`. */
export function certIdFor(issuerDer: Uint8Array, serialHex: string): CertIdentity {
  const issuer = new X509Certificate(issuerDer);
  return certIdentity(issuerNameHashOf(issuer), Buffer.from(keyIdOf(issuer.publicKey), 'hex'), serialBytes(serialHex));
}

/** SHA-1 of the DER subject Name of a CA certificate. */
export function issuerNameHashOf(issuer: X509Certificate): Uint8Array {
  return createHash('sha1').update(subjectNameDer(issuer.raw)).digest();
}

/**
 * The subject Name DER of a certificate, read off the TBS (version, serial, signature, issuer,
 * validity, subject) without a full parse: the hash must be over the exact bytes the CA signed.
 */
export function subjectNameDer(certDer: Uint8Array): Uint8Array {
  let pos = 0;
  const header = (): { start: number; end: number } => {
    const tag = certDer[pos++];
    if (tag === undefined) throw new AppError('PKI_MALFORMED', { detail: 'certificate ends early' });
    let len = certDer[pos++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + certDer[pos++]!;
    }
    return { start: pos, end: pos + len };
  };
  header(); // Certificate
  header(); // TBSCertificate
  const skip = () => {
    const start = pos;
    const h = header();
    pos = h.end;
    return { start, end: h.end };
  };
  if (certDer[pos] === 0xa0) skip(); // [0] version
  skip(); // serialNumber
  skip(); // signature
  skip(); // issuer
  skip(); // validity
  const subject = skip();
  return certDer.subarray(subject.start, subject.end);
}
