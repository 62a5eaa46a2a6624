import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { certIdFor, type CertIdentity } from '../ocsp/cert-id.js';
import { nonceExtension, pkijsCertId, readOcspRequest } from '../ocsp/request.js';
import { OID_OCSP_BASIC, OID_OCSP_SIGNING } from '../ocsp/response.js';
import { asBytes } from '../verify/der.js';
import { baseCertificate, keyIdentifier, parseCertificate, signCertificate } from './certificates.js';
import { REVOCATION_REASONS, type RevocationReason } from './crl.js';
import { caDn, extension, KEY_USAGE, keyUsageBits, sha256WithRsa, type Dn, type Purpose } from './profile.js';
import { fromPem, loadState, readCaCertificate, readCaKey, saveState, toPem, withCenterLock, writeFileAtomic, type CenterState } from './store.js';

/**
 * The dev center's OCSP responder (RFC 6960): for each CA generation a delegated responder
 * certificate (id-kp-OCSPSigning, id-pkix-ocsp-nocheck) issued by that CA, and answers built from
 * the center's own records — good for a certificate the CA issued and has not revoked by `now`,
 * revoked with its time and reason, unknown for a serial that CA never issued. J-LIS's real
 * responder is only for authorised verifiers; this stands in for it in development and tests.
 */

/** Folder (inside a dev center) holding the delegated responder certificates and keys. */
export const OCSP_DIR = 'ocsp';
/** id-pkix-ocsp-nocheck: the responder certificate itself is not checked for revocation (RFC 6960 §4.2.2.2.1). */
const OID_OCSP_NOCHECK = '1.3.6.1.5.5.7.48.1.5';
const OID_EKU = '2.5.29.37';
const OID_AKI = '2.5.29.35';
const OID_SKI = '2.5.29.14';

/** Who signs responses: the CA (certificate null) or a responder it delegated to. */
export interface OcspSigner {
  caCertificate: Uint8Array;
  /** The delegated responder's certificate, or null when the CA signs with its own key. */
  certificate: Uint8Array | null;
  key: KeyObject;
}

/** A certificate's status as the responder states it. */
export type ResponderStatus =
  | { state: 'good' }
  | { state: 'revoked'; revokedAt: Date; reason: RevocationReason | null }
  | { state: 'unknown' };

/** What a responder certificate looks like; `ocspSigning: false` and another issuer exist for tests. */
export interface ResponderCertificateSpec {
  issuerCertificate: Uint8Array;
  issuerKey: KeyObject;
  key: KeyObject;
  serial: number;
  subject: Dn;
  notBefore: Date;
  notAfter: Date;
  /** Default true; false leaves the EKU out (a responder a verifier must refuse). */
  ocspSigning?: boolean;
}

/** Issues a delegated OCSP responder certificate. */
export function issueResponderCertificate(spec: ResponderCertificateSpec): Promise<Buffer> {
  const issuer = parseCertificate(spec.issuerCertificate);
  const cert = baseCertificate(spec.serial, [], spec.subject, spec.notBefore, spec.notAfter, spec.key);
  cert.issuer = issuer.subject;
  cert.extensions = [
    extension('2.5.29.15', true, keyUsageBits([KEY_USAGE.digitalSignature])),
    ...(spec.ocspSigning === false ? [] : [extension(OID_EKU, false, new pkijs.ExtKeyUsage({ keyPurposes: [OID_OCSP_SIGNING] }))]),
    extension(OID_OCSP_NOCHECK, false, new asn1js.Null()),
    extension(OID_AKI, false, new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: keyIdentifier(spec.issuerKey) }) })),
    extension(OID_SKI, false, new asn1js.OctetString({ valueHex: keyIdentifier(spec.key) })),
  ];
  return signCertificate(cert, spec.issuerKey);
}

/** Options of a response. */
export interface OcspResponseSpec {
  signer: OcspSigner;
  responses: ReadonlyArray<{ id: CertIdentity; status: ResponderStatus }>;
  nonce: Uint8Array | null;
  producedAt: Date;
  thisUpdate: Date;
  nextUpdate: Date | null;
}

const ctx = (n: number, value: asn1js.BaseBlock[] = []) => new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: n }, value });

function certStatus(status: ResponderStatus): asn1js.BaseBlock {
  if (status.state === 'good') return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 } });
  if (status.state === 'unknown') return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 } });
  const time = new asn1js.GeneralizedTime({ valueDate: status.revokedAt });
  // Like the CRLs: `unspecified` is left out rather than written (RFC 5280 §5.3.1).
  return status.reason && status.reason !== 'unspecified'
    ? ctx(1, [time, ctx(0, [new asn1js.Enumerated({ value: REVOCATION_REASONS[status.reason] })])])
    : ctx(1, [time]);
}

/** Signs a successful BasicOCSPResponse (ResponderID byKey, SHA-256 with RSA) and wraps it in an OCSPResponse. */
export function buildOcspResponse(spec: OcspResponseSpec): Uint8Array {
  const signerCert = parseCertificate(spec.signer.certificate ?? spec.signer.caCertificate);
  const keyHash = asBytes(new Uint8Array(keyIdentifier(spec.signer.key)));
  const second = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);
  const data = new pkijs.ResponseData({
    responderID: new asn1js.OctetString({ valueHex: keyHash }),
    producedAt: second(spec.producedAt),
    responses: spec.responses.map(({ id, status }) => new pkijs.SingleResponse({
      certID: pkijsCertId(id),
      certStatus: certStatus(status),
      thisUpdate: second(spec.thisUpdate),
      ...(spec.nextUpdate ? { nextUpdate: second(spec.nextUpdate) } : {}),
    })),
    ...(spec.nonce ? { responseExtensions: [nonceExtension(spec.nonce)] } : {}),
  });
  const tbs = asBytes(data.toSchema(true).toBER());
  const basic = new pkijs.BasicOCSPResponse({
    tbsResponseData: new pkijs.ResponseData({ schema: asn1js.fromBER(tbs).result }),
    signatureAlgorithm: sha256WithRsa(),
    signature: new asn1js.BitString({ valueHex: sign('sha256', tbs, spec.signer.key) }),
    ...(spec.signer.certificate ? { certs: [signerCert] } : {}),
  });
  return wrap(0, asBytes(basic.toSchema().toBER()));
}

/** An unsuccessful OCSPResponse: 1 malformedRequest, 2 internalError, 3 tryLater, 5 sigRequired, 6 unauthorized. */
export function ocspErrorResponse(status: 1 | 2 | 3 | 5 | 6): Uint8Array {
  return wrap(status, null);
}

function wrap(status: number, basic: Uint8Array | null): Uint8Array {
  const resp = new pkijs.OCSPResponse({
    responseStatus: new asn1js.Enumerated({ value: status }),
    ...(basic ? { responseBytes: new pkijs.ResponseBytes({ responseType: OID_OCSP_BASIC, response: new asn1js.OctetString({ valueHex: basic }) }) } : {}),
  });
  return asBytes(resp.toSchema().toBER());
}

/** One CA generation as the responder serves it. */
interface ServedCa {
  purpose: Purpose;
  generation: string;
  signer: OcspSigner;
}

/** The responders of every CA generation of a center, by the CertID issuer part (`nameHash:keyHash`). */
export type CenterResponders = Map<string, ServedCa>;

const issuerPart = (id: CertIdentity) => id.key.slice(0, id.key.lastIndexOf(':'));

/**
 * Every CA generation's delegated responder, issued on first use into `DIR/ocsp/` (one writer at a
 * time; serials from the center's counter). Valid as long as its CA.
 */
export function centerResponders(dir: string): Promise<CenterResponders> {
  return withCenterLock(dir, async () => {
    const state = await loadState(dir);
    const served: CenterResponders = new Map();
    let changed = false;
    for (const ca of state.cas) {
      const caCertificate = await readCaCertificate(dir, ca);
      const base = join(dir, OCSP_DIR, `${ca.purpose}ca${ca.generation}-responder`);
      let certificate: Buffer;
      let key: KeyObject;
      try {
        key = createPrivateKey(await readFile(`${base}.key.pem`, 'utf8'));
        certificate = fromPem(await readFile(`${base}.pem`, 'utf8'));
      } catch {
        key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
        certificate = await issueResponderCertificate({
          issuerCertificate: caCertificate, issuerKey: await readCaKey(dir, ca), key, serial: state.nextSerial++,
          subject: [...caDn(ca.purpose).filter(([t]) => t !== 'CN'), ['CN', `OCSP Responder ${ca.purpose} ${ca.generation}`]],
          notBefore: new Date(ca.notBefore), notAfter: new Date(ca.notAfter),
        });
        await writeFileAtomic(`${base}.key.pem`, toPem(key.export({ type: 'pkcs8', format: 'der' }), 'PRIVATE KEY'));
        await writeFileAtomic(`${base}.pem`, toPem(certificate, 'CERTIFICATE'));
        changed = true;
      }
      served.set(issuerPart(certIdFor(caCertificate, '01')), { purpose: ca.purpose, generation: ca.generation, signer: { caCertificate, certificate, key } });
    }
    if (changed) await saveState(dir, state);
    return served;
  });
}

/** The status of serial (INTEGER content) among what CA (purpose, generation) issued, at `now`. */
export function statusFromState(state: CenterState, ca: { purpose: Purpose; generation: string }, serial: Uint8Array, now: Date): ResponderStatus {
  const n = serial.length <= 6 ? serial.reduce((v, b) => v * 256 + b, 0) : -1;
  const issued = state.certificates.some((c) => c.purpose === ca.purpose && c.generation === ca.generation && c.serial === n);
  if (!issued) return { state: 'unknown' };
  const r = state.revocations.find((x) => x.purpose === ca.purpose && x.generation === ca.generation && x.serial === n && new Date(x.revokedAt) <= now);
  return r ? { state: 'revoked', revokedAt: new Date(r.revokedAt), reason: r.reason } : { state: 'good' };
}

/**
 * Answers a DER OCSPRequest from the center's records. Unreadable → malformedRequest; CertIDs of a
 * CA this center does not run, or of several CAs at once → unauthorized (RFC 6960 §2.3).
 */
export function answerFromCenter(requestDer: Uint8Array, state: CenterState, responders: CenterResponders, now: Date, validityMs: number): Uint8Array {
  let req: ReturnType<typeof readOcspRequest>;
  try {
    req = readOcspRequest(requestDer);
  } catch {
    return ocspErrorResponse(1);
  }
  if (req.ids.length === 0 || req.otherHash) return ocspErrorResponse(1);
  const cas = new Set(req.ids.map(issuerPart));
  const served = cas.size === 1 ? responders.get([...cas][0]!) : undefined;
  if (!served) return ocspErrorResponse(6);
  return buildOcspResponse({
    signer: served.signer,
    responses: req.ids.map((id) => ({ id, status: statusFromState(state, served, id.serial, now) })),
    nonce: req.nonce,
    producedAt: now,
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + validityMs),
  });
}


