import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../../shared/errors.js';
import { JpkiCertificate, parseCertificate, type CertificateInput } from './certificate.js';
import { verifyChain, type ChainResult } from './chain.js';
import { decodeBer } from './asn1.js';
import { readSignedAttributes } from './cms-attributes.js';
import { asBytes, bytesEqual, concat, toHex } from './der.js';
import { CERT_SIGNATURE_HASH, DIGEST_HASH, OID } from './oids.js';
import { assertStrongAlgorithms } from './purpose.js';
import { rsaVerify } from './signature.js';
import type { TrustStore } from './trust-store.js';

/** What `verifyCms` needs besides the CMS bytes. */
export interface CmsVerifyOptions {
  trustStore: TrustStore;
  /** The signed document; required for a detached signature, compared when encapsulated. */
  document?: Uint8Array | ArrayBuffer;
  /** The signer's certificate, when the SignedData does not carry it. */
  signerCertificate?: JpkiCertificate | CertificateInput;
  /** Time for the chain check; default the signingTime attribute, else now. */
  at?: Date;
}

/** A verified JPKI CMS signature. */
export interface CmsVerifyResult {
  /** The signed document (encapsulated or supplied). */
  content: Uint8Array;
  /** The signer's claim from the signingTime attribute (not a trusted timestamp). */
  signingTime: Date | null;
  /** node:crypto name of the digest, e.g. `sha256`. */
  digestAlgorithm: string;
  /** The signer certificate's chain result (purpose sign). */
  signer: ChainResult;
}

/**
 * Verifies CMS SignedData (RFC 5652) made with a JPKI sign key: one SignerInfo, id-data content,
 * signed attributes with contentType and messageDigest matching the content, an RSA PKCS#1 v1.5
 * signature over the DER signed attributes under the signer certificate, then `verifyChain`
 * with purpose sign at `at` / signingTime / now. Resolves only when all of it holds.
 */
export async function verifyCms(cms: Uint8Array | ArrayBuffer, options: CmsVerifyOptions): Promise<CmsVerifyResult> {
  const signedData = parseSignedData(asBytes(cms));
  if (signedData.signerInfos.length !== 1) throw malformed(`expected one signer, found ${signedData.signerInfos.length}`);
  const signerInfo = signedData.signerInfos[0]!;

  const eContentType = signedData.encapContentInfo.eContentType;
  if (eContentType !== OID.data) throw new AppError('PKI_CMS_CONTENT_TYPE_MISMATCH', { detail: `eContentType ${eContentType} is not id-data` });
  const content = resolveContent(signedData, options.document);

  const digestAlgorithm = DIGEST_HASH[signerInfo.digestAlgorithm.algorithmId];
  if (!digestAlgorithm) throw new AppError('PKI_WEAK_ALGORITHM', { detail: `digest algorithm ${signerInfo.digestAlgorithm.algorithmId}` });
  const sigAlg = signerInfo.signatureAlgorithm.algorithmId;
  if (sigAlg !== OID.rsaEncryption && CERT_SIGNATURE_HASH[sigAlg] !== digestAlgorithm) {
    throw new AppError('PKI_WEAK_ALGORITHM', { detail: `signature algorithm ${sigAlg} with digest ${digestAlgorithm}` });
  }

  if (!signerInfo.signedAttrs) throw new AppError('PKI_CMS_ATTRIBUTES_INVALID', { detail: 'no signed attributes' });
  const signedAttrs = asBytes(signerInfo.signedAttrs.encodedValue); // tag already 0x31 (RFC 5652 §5.4)
  const attrs = readSignedAttributes(signedAttrs);
  if (attrs.contentType !== eContentType) {
    throw new AppError('PKI_CMS_CONTENT_TYPE_MISMATCH', { detail: `contentType attribute ${attrs.contentType} ≠ eContentType ${eContentType}` });
  }
  if (!bytesEqual(attrs.messageDigest, createHash(digestAlgorithm).update(content).digest())) {
    throw new AppError('PKI_CMS_DIGEST_MISMATCH', { detail: `messageDigest is not ${digestAlgorithm} of the content` });
  }

  const signer = findSigner(signedData, signerInfo, options.signerCertificate);
  assertStrongAlgorithms(signer, 'signer');
  const signature = signerInfo.signature.valueBlock.valueHexView;
  if (!rsaVerify(digestAlgorithm, signedAttrs, signer.publicKey, signature)) {
    throw new AppError('PKI_SIGNATURE_INVALID', { detail: "CMS signature does not verify under the signer certificate" });
  }

  const chain = await verifyChain(signer, {
    purpose: 'sign',
    trustStore: options.trustStore,
    at: options.at ?? attrs.signingTime ?? new Date(),
  });
  return { content, signingTime: attrs.signingTime, digestAlgorithm, signer: chain };
}

function parseSignedData(bytes: Uint8Array): pkijs.SignedData {
  if (!bytes.length) throw malformed('empty CMS');
  const asn = decodeBer(bytes, malformed, 'CMS');
  let info: pkijs.ContentInfo;
  try {
    info = new pkijs.ContentInfo({ schema: asn });
  } catch (err) {
    throw malformed('not a CMS ContentInfo', err);
  }
  if (info.contentType !== OID.signedData) throw malformed(`ContentInfo holds ${info.contentType}, not SignedData`);
  try {
    return new pkijs.SignedData({ schema: info.content });
  } catch (err) {
    throw malformed('SignedData cannot be parsed', err);
  }
}

function resolveContent(signedData: pkijs.SignedData, document: Uint8Array | ArrayBuffer | undefined): Uint8Array {
  const eContent = signedData.encapContentInfo.eContent;
  const encapsulated = eContent ? octets(eContent) : null;
  const supplied = document === undefined ? null : asBytes(document);
  if (encapsulated && supplied && !bytesEqual(encapsulated, supplied)) {
    throw new AppError('PKI_CMS_DIGEST_MISMATCH', { detail: 'the supplied document differs from the encapsulated one' });
  }
  const content = encapsulated ?? supplied;
  if (!content) throw malformed('detached signature and no document supplied');
  return content;
}

/** Content of an OCTET STRING, primitive or (BER) constructed. */
function octets(value: asn1js.OctetString): Uint8Array {
  if (!value.idBlock.isConstructed) return asBytes(value.valueBlock.valueHexView);
  return concat((value.valueBlock.value as asn1js.OctetString[]).map(octets));
}

/**
 * The certificate named by the SignerInfo sid (RFC 5652 §5.3): the supplied one or one carried in
 * the SignedData. Only the matching certificate is parsed (strictly), so an unrelated odd extra
 * certificate does not fail the verification.
 */
function findSigner(signedData: pkijs.SignedData, signerInfo: pkijs.SignerInfo, supplied: JpkiCertificate | CertificateInput | undefined): JpkiCertificate {
  const sid = signerInfo.sid;
  const byIssuerSerial = sid instanceof pkijs.IssuerAndSerialNumber
    ? { issuer: asBytes(sid.issuer.valueBeforeDecode), serial: asBytes(sid.serialNumber.toBER()) }
    : null;
  const ski = byIssuerSerial ? null : (sid as asn1js.Primitive).valueBlock?.valueHexView;
  const matches = (cert: JpkiCertificate): boolean =>
    byIssuerSerial
      ? bytesEqual(byIssuerSerial.issuer, cert.issuerDer) && bytesEqual(byIssuerSerial.serial, cert.serialDer)
      : ski !== undefined && ski !== null && cert.subjectKeyId !== null && toHex(ski) === cert.subjectKeyId;

  if (supplied !== undefined) {
    const cert = supplied instanceof JpkiCertificate ? supplied : parseCertificate(supplied);
    if (matches(cert)) return cert;
  }
  for (const c of signedData.certificates ?? []) {
    if (!(c instanceof pkijs.Certificate)) continue;
    if (byIssuerSerial) {
      // cheap pre-match on the pkijs fields before the strict parse
      if (!bytesEqual(asBytes(c.serialNumber.toBER()), byIssuerSerial.serial)) continue;
      if (!bytesEqual(asBytes(c.issuer.valueBeforeDecode), byIssuerSerial.issuer)) continue;
      return parseCertificate(asBytes(c.toSchema().toBER()));
    }
    let cert: JpkiCertificate;
    try {
      cert = parseCertificate(asBytes(c.toSchema().toBER()));
    } catch {
      continue; // not the signer's (the signer's must parse, and is then matched by SKI)
    }
    if (matches(cert)) return cert;
  }
  throw new AppError('PKI_CMS_SIGNER_NOT_FOUND', { detail: 'no certificate matches the SignerInfo sid' });
}

function malformed(detail: string, cause?: unknown): AppError {
  return new AppError('PKI_MALFORMED', { detail, cause });
}
