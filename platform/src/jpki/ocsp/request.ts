import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { asBytes } from '../verify/der.js';
import { certIdentity, OID_SHA1, type CertIdentity } from './cert-id.js';

/** id-pkix-ocsp-nonce (RFC 6960 §4.4.1; RFC 8954: 1 to 32 octets). */
export const OID_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';
/** Media types of RFC 6960 Appendix A over HTTP. */
export const OCSP_REQUEST_TYPE = 'application/ocsp-request';
export const OCSP_RESPONSE_TYPE = 'application/ocsp-response';

/** A fresh 16-byte nonce (RFC 8954 asks for at least 16 when one is sent). */
export function newNonce(): Uint8Array {
  return new Uint8Array(randomBytes(16));
}

function pkijsCertId(id: CertIdentity): pkijs.CertID {
  return new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA1, algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: id.issuerNameHash }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: id.issuerKeyHash }),
    serialNumber: new asn1js.Integer({ valueHex: id.serial }),
  });
}

/** The nonce extension, as the request carries it and the responder echoes it. */
export function nonceExtension(nonce: Uint8Array): pkijs.Extension {
  return new pkijs.Extension({ extnID: OID_OCSP_NONCE, critical: false, extnValue: new asn1js.OctetString({ valueHex: nonce }).toBER() });
}

/** The nonce in a list of extensions, or null when there is none (or it cannot be read). */
export function nonceOf(extensions: readonly pkijs.Extension[] | undefined): Uint8Array | null {
  const ext = extensions?.find((e) => e.extnID === OID_OCSP_NONCE);
  if (!ext) return null;
  const inner = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView);
  return inner.offset !== -1 && inner.result instanceof asn1js.OctetString ? asBytes(inner.result.valueBlock.valueHexView) : null;
}

/** A DER OCSPRequest for one certificate with a nonce (unsigned, as RFC 6960 allows). */
export function buildOcspRequest(id: CertIdentity, nonce: Uint8Array): Uint8Array {
  const req = new pkijs.OCSPRequest({
    tbsRequest: new pkijs.TBSRequest({
      requestList: [new pkijs.Request({ reqCert: pkijsCertId(id) })],
      requestExtensions: [nonceExtension(nonce)],
    }),
  });
  return asBytes(req.toSchema(true).toBER());
}

/** What a responder reads off a request: the certificates asked about (SHA-1 CertIDs only) and the nonce. */
export interface ReadRequest {
  ids: CertIdentity[];
  /** True when some CertID used another hash than SHA-1. */
  otherHash: boolean;
  nonce: Uint8Array | null;
}

/** Parses a DER OCSPRequest; throws (any error) when it is not one. */
export function readOcspRequest(der: Uint8Array): ReadRequest {
  const req = pkijs.OCSPRequest.fromBER(Uint8Array.from(der));
  let otherHash = false;
  const ids: CertIdentity[] = [];
  for (const r of req.tbsRequest.requestList) {
    const c = r.reqCert;
    if (c.hashAlgorithm.algorithmId !== OID_SHA1) otherHash = true;
    else ids.push(certIdentity(asBytes(c.issuerNameHash.valueBlock.valueHexView), asBytes(c.issuerKeyHash.valueBlock.valueHexView), asBytes(c.serialNumber.valueBlock.valueHexView)));
  }
  return { ids, otherHash, nonce: nonceOf(req.tbsRequest.requestExtensions) };
}

export { pkijsCertId };
