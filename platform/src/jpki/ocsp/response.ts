import { X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError, type ErrorCode } from '../../shared/errors.js';
import { reasonName, type CrlReason } from '../revocation/reasons.js';
import { keyIdOf } from '../revocation/verify-crl.js';
import { asBytes, bytesEqual } from '../verify/der.js';
import { rsaVerify } from '../verify/signature.js';
import { OID_SHA1, subjectNameDer, type CertIdentity } from './cert-id.js';
import { nonceOf } from './request.js';

/** id-pkix-ocsp-basic: the one response type RFC 6960 requires. */
export const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
/** id-kp-OCSPSigning: the key purpose a delegated responder certificate must carry (RFC 6960 §4.2.2.2). */
export const OID_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

/** RSA PKCS#1 v1.5 signature algorithms accepted on a response, by OID. SHA-1 is refused. */
const SIGNATURE_HASHES: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};

/** OCSPResponseStatus values other than successful (RFC 6960 §4.2.1) and what each means for us. */
const STATUS_CODES: Record<number, { name: string; code: ErrorCode }> = {
  1: { name: 'malformedRequest', code: 'PKI_OCSP_REFUSED' },
  2: { name: 'internalError', code: 'PKI_OCSP_UNAVAILABLE' },
  3: { name: 'tryLater', code: 'PKI_OCSP_UNAVAILABLE' },
  5: { name: 'sigRequired', code: 'PKI_OCSP_REFUSED' },
  6: { name: 'unauthorized', code: 'PKI_OCSP_REFUSED' },
};

/** A verified OCSP answer for one certificate. */
export interface OcspAnswer {
  state: 'good' | 'revoked' | 'unknown';
  /** For `revoked`: the CRLReason when the responder gave one, and the revocation time. */
  reason: CrlReason | null;
  revokedAt: Date | null;
  thisUpdate: Date;
  nextUpdate: Date | null;
  producedAt: Date;
  /** Who signed: the CA itself or a responder it delegated to. */
  signedBy: 'ca' | 'delegated';
  /** The signer's subject, for the record (never personal data: a CA or responder name). */
  responder: string;
  /** The DER OCSPResponse exactly as received: the signed evidence an operation may keep. */
  der: Uint8Array;
}

/** What a response must match. */
export interface VerifyOcspOptions {
  /** Certificate (DER) of the CA that issued the certificate asked about. */
  issuer: Uint8Array;
  id: CertIdentity;
  /**
   * The request's nonce; the response must echo it. Null for a response kept as evidence and
   * re-checked offline: its nonce was checked when it arrived, and its times stand in for it.
   */
  nonce: Uint8Array | null;
  /** Time of judgement, ms since the epoch. */
  now: number;
  /** Tolerated clock difference with the responder, ms (thisUpdate ahead, nextUpdate behind). */
  skewMs: number;
  /** Without a nextUpdate, a response older than this (from thisUpdate) is stale. */
  maxAgeMs: number;
}

const fail = (code: ErrorCode, detail: string, cause?: unknown) => new AppError(code, { detail, cause });

/**
 * Checks a DER OCSPResponse for one certificate, failing closed with one code per way it can be
 * wrong: PKI_OCSP_UNAVAILABLE (tryLater, internalError), PKI_OCSP_REFUSED (malformedRequest,
 * sigRequired, unauthorized), PKI_OCSP_MALFORMED (unreadable, not basic, no answer for this CertID,
 * an unsupported signature algorithm), PKI_OCSP_RESPONDER_UNAUTHORISED (signed by neither the CA
 * nor a currently valid certificate the CA issued with id-kp-OCSPSigning), PKI_OCSP_SIGNATURE_INVALID,
 * PKI_OCSP_NONCE_MISMATCH (absent or different), PKI_OCSP_STALE (thisUpdate ahead of now + skew,
 * nextUpdate behind now − skew, or no nextUpdate and older than maxAge).
 */
export function verifyOcspResponse(der: Uint8Array, o: VerifyOcspOptions): OcspAnswer {
  try {
    return verifyResponse(der, o);
  } catch (err) {
    // asn1js and pkijs throw plain errors on odd shapes of untrusted bytes; none may escape uncoded.
    if (err instanceof AppError) throw err;
    throw fail('PKI_OCSP_MALFORMED', 'the OCSP response has an unexpected structure', err);
  }
}

function verifyResponse(der: Uint8Array, o: VerifyOcspOptions): OcspAnswer {
  let basic: pkijs.BasicOCSPResponse;
  let resp: pkijs.OCSPResponse;
  try {
    resp = pkijs.OCSPResponse.fromBER(Uint8Array.from(der));
  } catch (cause) {
    throw fail('PKI_OCSP_MALFORMED', 'the answer is not an OCSPResponse', cause);
  }
  const status = resp.responseStatus.valueBlock.valueDec;
  if (status !== 0) {
    const known = STATUS_CODES[status];
    throw fail(known?.code ?? 'PKI_OCSP_MALFORMED', `OCSP responder status ${known?.name ?? status}`);
  }
  if (!resp.responseBytes || resp.responseBytes.responseType !== OID_OCSP_BASIC) throw fail('PKI_OCSP_MALFORMED', 'not a basic OCSP response');
  try {
    basic = pkijs.BasicOCSPResponse.fromBER(Uint8Array.from(resp.responseBytes.response.valueBlock.valueHexView));
  } catch (cause) {
    throw fail('PKI_OCSP_MALFORMED', 'BasicOCSPResponse cannot be read', cause);
  }
  const hash = SIGNATURE_HASHES[basic.signatureAlgorithm.algorithmId];
  if (!hash) throw fail('PKI_OCSP_MALFORMED', `unsupported OCSP signature algorithm ${basic.signatureAlgorithm.algorithmId}`);

  const ca = new X509Certificate(o.issuer);
  const signer = responderOf(basic, ca, o.now, o.skewMs);
  const tbs = asBytes(basic.tbsResponseData.tbsView);
  if (!rsaVerify(hash, tbs, signer.key, asBytes(basic.signature.valueBlock.valueHexView))) {
    throw fail('PKI_OCSP_SIGNATURE_INVALID', 'the OCSP response signature does not verify under the responder key');
  }

  const data = basic.tbsResponseData;
  const answers = data.responses.filter((r) => sameCertId(r.certID, o.id));
  const single = answers[0];
  if (!single) throw fail('PKI_OCSP_MALFORMED', 'the response does not answer for the certificate asked about');
  // Two answers for one certificate: taking the first would let their order decide good or revoked.
  if (answers.length > 1) throw fail('PKI_OCSP_MALFORMED', 'the response answers more than once for the certificate asked about');
  const echoed = nonceOf(data.responseExtensions);
  if (o.nonce !== null && (!echoed || !bytesEqual(echoed, o.nonce))) throw fail('PKI_OCSP_NONCE_MISMATCH', echoed ? 'the response carries another nonce' : 'the response carries no nonce');

  const thisUpdate = single.thisUpdate;
  const nextUpdate = single.nextUpdate ?? null;
  if (thisUpdate.getTime() > o.now + o.skewMs) throw fail('PKI_OCSP_STALE', `thisUpdate ${thisUpdate.toISOString()} is in the future`);
  if (nextUpdate && nextUpdate.getTime() < o.now - o.skewMs) throw fail('PKI_OCSP_STALE', `nextUpdate ${nextUpdate.toISOString()} has passed`);
  if (!nextUpdate && thisUpdate.getTime() < o.now - o.maxAgeMs) throw fail('PKI_OCSP_STALE', `thisUpdate ${thisUpdate.toISOString()} is too old and no nextUpdate was given`);

  return { ...certStatusOf(single.certStatus), thisUpdate, nextUpdate, producedAt: data.producedAt, signedBy: signer.signedBy, responder: signer.subject, der: Uint8Array.from(der) };
}

function sameCertId(c: pkijs.CertID, id: CertIdentity): boolean {
  return (
    c.hashAlgorithm.algorithmId === OID_SHA1 &&
    bytesEqual(asBytes(c.issuerNameHash.valueBlock.valueHexView), id.issuerNameHash) &&
    bytesEqual(asBytes(c.issuerKeyHash.valueBlock.valueHexView), id.issuerKeyHash) &&
    bytesEqual(asBytes(c.serialNumber.valueBlock.valueHexView), id.serial)
  );
}

interface Signer {
  key: KeyObject;
  signedBy: 'ca' | 'delegated';
  subject: string;
}

/** Whether `cert` is the one the ResponderID names (byName: subject DER; byKey: SHA-1 of the key bits). */
function namedBy(responderId: pkijs.RelativeDistinguishedNames | asn1js.OctetString, cert: X509Certificate): boolean {
  if (responderId instanceof asn1js.OctetString) return keyIdOf(cert.publicKey) === Buffer.from(responderId.valueBlock.valueHexView).toString('hex');
  return bytesEqual(asBytes(responderId.toSchema().toBER()), subjectNameDer(cert.raw));
}

/**
 * The key that must have signed: the CA's when the ResponderID names the CA, else that of a
 * certificate in the response the ResponderID names, which the CA must have issued (name and
 * signature), with id-kp-OCSPSigning, and valid now. RFC 6960 §4.2.2.2.
 */
function responderOf(basic: pkijs.BasicOCSPResponse, ca: X509Certificate, now: number, skewMs: number): Signer {
  const responderId = basic.tbsResponseData.responderID as pkijs.RelativeDistinguishedNames | asn1js.OctetString;
  if (namedBy(responderId, ca)) return { key: ca.publicKey, signedBy: 'ca', subject: ca.subject.replace(/\n/g, ', ') };
  const unauthorised = (detail: string) => fail('PKI_OCSP_RESPONDER_UNAUTHORISED', detail);
  let cert: X509Certificate | undefined;
  for (const c of basic.certs ?? []) {
    let x: X509Certificate;
    try {
      x = new X509Certificate(asBytes(c.toSchema().toBER()));
    } catch {
      continue;
    }
    if (namedBy(responderId, x)) {
      cert = x;
      break;
    }
  }
  if (!cert) throw unauthorised('the responder is not the CA and its certificate is not in the response');
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) throw unauthorised('the responder certificate was not issued by the CA of the certificate');
  if (!(cert.keyUsage ?? []).includes(OID_OCSP_SIGNING)) throw unauthorised('the responder certificate does not carry id-kp-OCSPSigning');
  if (now + skewMs < Date.parse(cert.validFrom) || now - skewMs > Date.parse(cert.validTo)) throw unauthorised('the responder certificate is outside its validity');
  return { key: cert.publicKey, signedBy: 'delegated', subject: cert.subject.replace(/\n/g, ', ') };
}

/** Reads CertStatus: good [0], revoked [1] { revocationTime, [0] reason }, unknown [2]. */
function certStatusOf(status: unknown): Pick<OcspAnswer, 'state' | 'reason' | 'revokedAt'> {
  const block = status as asn1js.BaseBlock;
  switch (block.idBlock.tagNumber) {
    case 0:
      return { state: 'good', reason: null, revokedAt: null };
    case 1: {
      const parts = (block as asn1js.Constructed).valueBlock.value;
      const time = parts[0];
      if (!(time instanceof asn1js.GeneralizedTime)) throw fail('PKI_OCSP_MALFORMED', 'revoked status without a revocationTime');
      let reason: CrlReason | null = null;
      const tagged = parts[1] as asn1js.Constructed | undefined;
      const enumerated = tagged?.valueBlock.value[0];
      if (enumerated instanceof asn1js.Enumerated) reason = reasonName(enumerated.valueBlock.valueDec);
      return { state: 'revoked', reason, revokedAt: time.toDate() };
    }
    case 2:
      return { state: 'unknown', reason: null, revokedAt: null };
    default:
      throw fail('PKI_OCSP_MALFORMED', 'unknown certStatus');
  }
}
