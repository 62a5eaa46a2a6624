/**
 * OCSP (RFC 6960) for the JPKI hierarchies: CertIDs, requests with a nonce, verification of the
 * signed response (the CA or a responder it delegated with id-kp-OCSPSigning), a client that
 * caches each answer until its nextUpdate, and the per-operation choice between OCSP and CRLs.
 */
export { certIdFor, certIdentity, serialBytes, subjectNameDer, type CertIdentity } from './cert-id.js';
export { buildOcspRequest, newNonce, nonceExtension, nonceOf, OCSP_REQUEST_TYPE, OCSP_RESPONSE_TYPE, OID_OCSP_NONCE, pkijsCertId, readOcspRequest, type ReadRequest } from './request.js';
export { OID_OCSP_BASIC, OID_OCSP_SIGNING, verifyOcspResponse, type OcspAnswer, type VerifyOcspOptions } from './response.js';
export { OcspClient, type OcspClientOptions, type OcspQuery, type OcspResult } from './client.js';
export {
  decideByCrl, decideRevocation, DEFAULT_REVOCATION_POLICY, parseRevocationPolicy, REVOCATION_OPERATIONS,
  type OperationPolicy, type RevocationDecision, type RevocationOperation, type RevocationPolicy, type RevocationSources,
} from './policy.js';
