import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AppError } from '../../shared/errors.js';
import { JpkiCertificate, parseCertificate, type CertificateInput } from './certificate.js';
import { asBytes, bytesEqual, concat, contentOf, setOf, tlv } from './der.js';
import { OID } from './oids.js';
import { readSignedAttributes } from './cms-attributes.js';

const INTEGER_1 = Uint8Array.of(0x02, 0x01, 0x01);
const NULL = Uint8Array.of(0x05, 0x00);

function oid(value: string): Uint8Array {
  return asBytes(new asn1js.ObjectIdentifier({ value }).toBER());
}

/** AlgorithmIdentifier for SHA-256 with absent parameters (RFC 5754 §2). */
const SHA256_ALGORITHM = tlv(0x30, oid(OID.sha256));
/** rsaEncryption with NULL parameters as the SignerInfo signature algorithm (RFC 5754 §3.2). */
const RSA_ALGORITHM = tlv(0x30, oid(OID.rsaEncryption), NULL);

/**
 * The DER of the signed attributes (RFC 5652 §5.3, SET OF with tag 0x31) over `document`:
 * contentType id-data, signingTime, messageDigest SHA-256(document). The card signs
 * DigestInfo(SHA-256(these bytes)) (SPEC §4); pass them unchanged to `assembleCms`.
 */
export function buildSignedAttributes(document: Uint8Array | ArrayBuffer, signingTime: Date): Uint8Array {
  const digest = createHash('sha256').update(asBytes(document)).digest();
  return setOf([
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.signingTime, encodeTime(signingTime)),
    attribute(OID.messageDigest, tlv(0x04, digest)),
  ]);
}

/**
 * Builds the DER ContentInfo/SignedData for a signature the card made over DigestInfo(SHA-256(
 * signedAttrsDer)): one SignerInfo (version 1, issuerAndSerialNumber, sha256, rsaEncryption),
 * the signer certificate embedded, the document encapsulated unless `detached`. Refuses (with
 * PKI_CMS_*) attributes that do not fit the document, so it never emits a CMS that cannot verify
 * for that reason; the signature itself is not checked here.
 */
export function assembleCms(
  document: Uint8Array | ArrayBuffer,
  signedAttrsDer: Uint8Array | ArrayBuffer,
  signature: Uint8Array | ArrayBuffer,
  certificate: JpkiCertificate | CertificateInput,
  options: { detached?: boolean; unsignedAttributes?: readonly Uint8Array[] } = {},
): Uint8Array {
  const doc = asBytes(document);
  const attrs = asBytes(signedAttrsDer);
  const cert = certificate instanceof JpkiCertificate ? certificate : parseCertificate(certificate);
  if (attrs[0] !== 0x31) throw new AppError('PKI_CMS_ATTRIBUTES_INVALID', { detail: 'signed attributes must be the DER SET (tag 0x31)' });
  const parsed = readSignedAttributes(attrs);
  if (parsed.contentType !== OID.data) throw new AppError('PKI_CMS_CONTENT_TYPE_MISMATCH', { detail: `contentType attribute is ${parsed.contentType}` });
  if (!bytesEqual(parsed.messageDigest, createHash('sha256').update(doc).digest())) {
    throw new AppError('PKI_CMS_DIGEST_MISMATCH', { detail: 'messageDigest is not SHA-256 of the document' });
  }

  // [0] IMPLICIT SignedAttributes: the same bytes with the context tag (RFC 5652 §5.4).
  const implicitAttrs = new Uint8Array(attrs);
  implicitAttrs[0] = 0xa0;
  const signerInfo = tlv(
    0x30,
    INTEGER_1,
    tlv(0x30, cert.issuerDer, cert.serialDer),
    SHA256_ALGORITHM,
    implicitAttrs,
    RSA_ALGORITHM,
    tlv(0x04, asBytes(signature)),
    // [1] IMPLICIT UnsignedAttributes (RFC 5652 §5.3): e.g. the CAdES signature timestamp.
    ...(options.unsignedAttributes?.length ? [tlv(0xa1, contentOf(setOf(options.unsignedAttributes)))] : []),
  );
  const encapsulated = options.detached ? tlv(0x30, oid(OID.data)) : tlv(0x30, oid(OID.data), tlv(0xa0, tlv(0x04, doc)));
  const signedData = tlv(
    0x30,
    INTEGER_1,
    tlv(0x31, SHA256_ALGORITHM),
    encapsulated,
    tlv(0xa0, cert.der),
    tlv(0x31, signerInfo),
  );
  return tlv(0x30, oid(OID.signedData), tlv(0xa0, signedData));
}

/** An Attribute (RFC 5652 §5.3): SEQUENCE { type OID, values SET OF }, with one value. */
export function cmsAttribute(type: string, value: Uint8Array): Uint8Array {
  return attribute(type, value);
}

function attribute(type: string, value: Uint8Array): Uint8Array {
  return tlv(0x30, oid(type), tlv(0x31, value));
}

/** UTCTime for 1950–2049, GeneralizedTime otherwise, whole seconds, `Z` (RFC 5652 §11.3). */
function encodeTime(date: Date): Uint8Array {
  if (Number.isNaN(date.getTime())) throw new AppError('REQ_INVALID', { detail: 'signing time is not a valid date' });
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const year = date.getUTCFullYear();
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  if (year >= 1950 && year < 2050) return concat([Uint8Array.of(0x17, 13), Buffer.from(`${digits.slice(2)}Z`, 'latin1')]);
  return concat([Uint8Array.of(0x18, 15), Buffer.from(`${digits}Z`, 'latin1')]);
}
