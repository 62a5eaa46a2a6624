/**
 * Long-term evidence around a JPKI CMS signature: RFC 3161 timestamps (request, the dev TSA's
 * answer, offline token checks), the CAdES-T signature-timestamp attribute, and the platform's own
 * signed statements. pkijs stays inside the jpki module; callers see bytes and AppErrors.
 */
export { readCmsParts, signatureTimestampAttribute, type CmsParts } from './cades.js';
export { signStatement, verifyStatement, type EvidenceSigner } from './statement-signature.js';
export {
  answerTimestampRequest, timestampRequest, tokenFromResponse, TSP_OID, verifyTimestampToken,
  type TimestampSigner, type VerifiedTimestamp,
} from './tsp.js';
