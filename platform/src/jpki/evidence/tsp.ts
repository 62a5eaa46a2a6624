import { createHash, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../../shared/errors.js';
import { cmsAttribute } from '../verify/cms-build.js';
import { asBytes, bytesEqual, setOf, tlv } from '../verify/der.js';
import { OID } from '../verify/oids.js';
import { rsaVerify } from '../verify/signature.js';

/** RFC 3161 object identifiers. */
export const TSP_OID = {
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  /** The dev TSA's policy (a private-arc stand-in; a real TSA names its own). */
  devPolicy: '1.3.6.1.4.1.99999.15.2',
} as const;

const oidDer = (value: string) => asBytes(new asn1js.ObjectIdentifier({ value }).toBER());
const sha256 = (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest());
const sha256Algorithm = () => new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 });

/** A TimeStampReq (RFC 3161 §2.4.1) for SHA-256 of `data`, asking for the TSA certificate, with a fresh nonce. */
export function timestampRequest(data: Uint8Array): { der: Uint8Array; nonce: Uint8Array } {
  const nonce = randomBytes(8);
  nonce[0] = nonce[0]! & 0x7f; // a positive INTEGER
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({ hashAlgorithm: sha256Algorithm(), hashedMessage: new asn1js.OctetString({ valueHex: sha256(data) }) }),
    certReq: true,
    nonce: new asn1js.Integer({ valueHex: nonce }),
  });
  return { der: asBytes(req.toSchema().toBER()), nonce: new Uint8Array(nonce) };
}

/** What a TSA needs to answer: its key, its certificate, a serial source and a clock. */
export interface TimestampSigner {
  key: KeyObject;
  certificate: Uint8Array;
  nextSerial(): bigint;
  now(): Date;
}

/**
 * The TSA side: answers a DER TimeStampReq with a DER TimeStampResp. A request that cannot be read
 * or uses another hash gets a `rejection` status (RFC 3161 §2.4.2) rather than an exception, as a
 * TSA answers over HTTP. The token is SignedData over TSTInfo with contentType, messageDigest and
 * signingCertificateV2 (RFC 5816) signed attributes, signed with RSA PKCS#1 v1.5 SHA-256.
 */
export function answerTimestampRequest(requestDer: Uint8Array, signer: TimestampSigner): Uint8Array {
  let req: pkijs.TimeStampReq;
  try {
    req = pkijs.TimeStampReq.fromBER(Uint8Array.from(requestDer));
  } catch {
    return rejection(5, 'badDataFormat');
  }
  if (req.messageImprint.hashAlgorithm.algorithmId !== OID.sha256 || req.messageImprint.hashedMessage.valueBlock.valueHexView.length !== 32) {
    return rejection(0, 'badAlg');
  }
  const cert = pkijs.Certificate.fromBER(Uint8Array.from(signer.certificate));
  const serial = signer.nextSerial();
  const tstInfo = new pkijs.TSTInfo({
    version: 1,
    policy: TSP_OID.devPolicy,
    messageImprint: req.messageImprint,
    serialNumber: new asn1js.Integer({ valueHex: bigintBytes(serial) }),
    genTime: new Date(Math.floor(signer.now().getTime() / 1000) * 1000),
    ...(req.nonce ? { nonce: req.nonce } : {}),
  });
  const content = asBytes(tstInfo.toSchema().toBER());
  const essCertIdV2 = tlv(0x30, tlv(0x30, tlv(0x30, tlv(0x04, sha256(signer.certificate)))));
  const signedAttrs = setOf([
    cmsAttribute(OID.contentType, oidDer(TSP_OID.tstInfo)),
    cmsAttribute(OID.messageDigest, tlv(0x04, sha256(content))),
    cmsAttribute(TSP_OID.signingCertificateV2, essCertIdV2),
  ]);
  const signature = sign('sha256', signedAttrs, signer.key);
  const implicitAttrs = new Uint8Array(signedAttrs);
  implicitAttrs[0] = 0xa0;
  const sha256Alg = tlv(0x30, oidDer(OID.sha256));
  const signerInfo = tlv(0x30,
    Uint8Array.of(2, 1, 1),
    tlv(0x30, asBytes(cert.issuer.toSchema().toBER()), asBytes(cert.serialNumber.toBER())),
    sha256Alg,
    implicitAttrs,
    tlv(0x30, oidDer(OID.rsaEncryption), Uint8Array.of(5, 0)),
    tlv(0x04, signature),
  );
  const signedData = tlv(0x30,
    Uint8Array.of(2, 1, 3), // version 3: eContentType is not id-data (RFC 5652 §5.1)
    tlv(0x31, sha256Alg),
    tlv(0x30, oidDer(TSP_OID.tstInfo), tlv(0xa0, tlv(0x04, content))),
    tlv(0xa0, signer.certificate),
    tlv(0x31, signerInfo),
  );
  const token = tlv(0x30, oidDer(OID.signedData), tlv(0xa0, signedData));
  return tlv(0x30, tlv(0x30, Uint8Array.of(2, 1, 0)), token);
}

function rejection(failBit: number, text: string): Uint8Array {
  const resp = new pkijs.TimeStampResp({
    status: new pkijs.PKIStatusInfo({
      status: 2,
      statusStrings: [new asn1js.Utf8String({ value: text })],
      failInfo: new asn1js.BitString({ valueHex: Uint8Array.of(0x80 >> failBit % 8), unusedBits: 7 - (failBit % 8) }),
    }),
  });
  return asBytes(resp.toSchema().toBER());
}

/**
 * Reads a TimeStampResp: granted (0) or grantedWithMods (1) with a token, else TSA_REJECTED. The
 * returned token is then checked by `verifyTimestampToken` like any other.
 */
export function tokenFromResponse(responseDer: Uint8Array): Uint8Array {
  let resp: pkijs.TimeStampResp;
  try {
    resp = pkijs.TimeStampResp.fromBER(Uint8Array.from(responseDer));
  } catch (cause) {
    throw new AppError('TSA_REJECTED', { detail: 'the TSA answer is not a TimeStampResp', cause });
  }
  if ((resp.status.status !== 0 && resp.status.status !== 1) || !resp.timeStampToken) {
    throw new AppError('TSA_REJECTED', { detail: `TSA status ${resp.status.status}` });
  }
  return asBytes(resp.timeStampToken.toSchema().toBER());
}

/** A verified RFC 3161 timestamp. */
export interface VerifiedTimestamp {
  genTime: Date;
  /** TSTInfo serial (hex) and the TSA certificate subject, for the report. */
  serial: string;
  tsa: string;
}

/**
 * Checks a timestamp token over `data` (here: a CMS signature value) offline: a SignedData over
 * TSTInfo whose messageImprint is SHA-256 of `data` (and whose nonce is `nonce` when given); one
 * signer whose certificate is in the token, carries id-kp-timeStamping, was valid at genTime, is
 * issued by one of `anchors` and is bound by signingCertificateV2; the signature over the signed
 * attributes verifies. Every failure is PKI_TIMESTAMP_INVALID (fails closed).
 */
export function verifyTimestampToken(tokenDer: Uint8Array, data: Uint8Array, anchors: readonly Uint8Array[], nonce?: Uint8Array): VerifiedTimestamp {
  const bad = (detail: string, cause?: unknown) => new AppError('PKI_TIMESTAMP_INVALID', { detail, cause });
  let signedData: pkijs.SignedData;
  try {
    const info = pkijs.ContentInfo.fromBER(Uint8Array.from(tokenDer));
    if (info.contentType !== OID.signedData) throw new Error('not SignedData');
    signedData = new pkijs.SignedData({ schema: info.content });
  } catch (cause) {
    throw bad('the token is not a CMS SignedData', cause);
  }
  if (signedData.encapContentInfo.eContentType !== TSP_OID.tstInfo || !signedData.encapContentInfo.eContent) throw bad('the token does not hold a TSTInfo');
  const content = asBytes(signedData.encapContentInfo.eContent.valueBlock.valueHexView);
  let tst: pkijs.TSTInfo;
  try {
    tst = pkijs.TSTInfo.fromBER(Uint8Array.from(content));
  } catch (cause) {
    throw bad('TSTInfo cannot be read', cause);
  }
  if (tst.messageImprint.hashAlgorithm.algorithmId !== OID.sha256) throw bad('messageImprint is not SHA-256');
  if (!bytesEqual(asBytes(tst.messageImprint.hashedMessage.valueBlock.valueHexView), sha256(data))) throw bad('the timestamp is over other data');
  if (nonce && (!tst.nonce || !bytesEqual(asBytes(tst.nonce.valueBlock.valueHexView), nonce))) throw bad('the nonce differs from the request');
  if (signedData.signerInfos.length !== 1) throw bad('expected one signer');
  const signerInfo = signedData.signerInfos[0]!;
  // The fields outside the TSA's signature must hold the one value we accept, so none can vary.
  if (signedData.version !== 3 || signedData.digestAlgorithms.length !== 1 || signedData.digestAlgorithms[0]!.algorithmId !== OID.sha256) throw bad('unexpected SignedData version or digest algorithms');
  if (signerInfo.version !== 1 || signerInfo.unsignedAttrs) throw bad('unexpected SignerInfo version or unsigned attributes');
  const sigAlg = signerInfo.signatureAlgorithm;
  const params = sigAlg.algorithmParams ? asBytes((sigAlg.algorithmParams as asn1js.BaseBlock).toBER()) : null;
  if (sigAlg.algorithmId !== OID.rsaEncryption || !params || !bytesEqual(params, Uint8Array.of(5, 0))) throw bad('unexpected TSA signature algorithm');
  if (!bytesEqual(asBytes(pkijs.ContentInfo.fromBER(Uint8Array.from(tokenDer)).toSchema().toBER()), tokenDer)) throw bad('the token is not in DER');
  if (signerInfo.digestAlgorithm.algorithmId !== OID.sha256) throw bad('signer digest is not SHA-256');
  if (!signerInfo.signedAttrs) throw bad('no signed attributes');
  const signedAttrs = asBytes(signerInfo.signedAttrs.encodedValue);
  const attr = (type: string) => signerInfo.signedAttrs!.attributes.find((a) => a.type === type)?.values[0];
  const digest = attr(OID.messageDigest);
  if (!(digest instanceof asn1js.OctetString) || !bytesEqual(asBytes(digest.valueBlock.valueHexView), sha256(content))) throw bad('messageDigest does not match the TSTInfo');
  const contentType = attr(OID.contentType);
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== TSP_OID.tstInfo) throw bad('contentType is not TSTInfo');

  const certs = (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const sid = signerInfo.sid;
  const signerCert = sid instanceof pkijs.IssuerAndSerialNumber
    ? certs.find((c) => c.serialNumber.isEqual(sid.serialNumber) && c.issuer.isEqual(sid.issuer))
    : undefined;
  if (!signerCert) throw bad('the TSA certificate is not in the token');
  const certDer = asBytes(signerCert.toSchema().toBER());
  const essCert = attr(TSP_OID.signingCertificateV2);
  if (!essCert || !Buffer.from(asBytes(essCert.toBER())).includes(Buffer.from(sha256(certDer)))) throw bad('signingCertificateV2 does not name the TSA certificate');

  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certDer);
  } catch (cause) {
    throw bad('the TSA certificate cannot be read', cause);
  }
  if (!rsaVerify('sha256', signedAttrs, x509.publicKey, asBytes(signerInfo.signature.valueBlock.valueHexView))) throw bad('the TSA signature does not verify');
  const genTime = tst.genTime;
  if (genTime < new Date(x509.validFrom) || genTime > new Date(x509.validTo)) throw bad('the TSA certificate was not valid at genTime');
  if (!(x509.keyUsage ?? []).includes(TSP_OID.timeStamping)) throw bad('the certificate is not for timestamping');
  const ekuCritical = signerCert.extensions?.find((e) => e.extnID === '2.5.29.37')?.critical === true;
  if (!ekuCritical) throw bad('the timestamping key purpose is not critical (RFC 3161 §2.3)');
  if (!issuedByOneOf(x509, anchors)) throw bad('the TSA certificate is not issued by a trusted root');
  return {
    genTime,
    serial: Buffer.from(tst.serialNumber.valueBlock.valueHexView).toString('hex').toUpperCase(),
    tsa: x509.subject.replace(/\n/g, ', '),
  };
}

/** `cert` is signed by (and names as issuer) one of the `anchors`, or is one of them. */
export function issuedByOneOf(cert: X509Certificate, anchors: readonly Uint8Array[]): boolean {
  for (const der of anchors) {
    let anchor: X509Certificate;
    try {
      anchor = new X509Certificate(der);
    } catch {
      continue;
    }
    if (anchor.raw.equals(cert.raw)) return true;
    if (cert.checkIssued(anchor) && cert.verify(anchor.publicKey)) return true;
  }
  return false;
}

function bigintBytes(n: bigint): Uint8Array {
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = '00' + hex;
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}
