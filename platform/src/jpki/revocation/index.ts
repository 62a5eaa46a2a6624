/**
 * CRL ingest and lookup for the JPKI hierarchies: a one-pass DER CRL parser, signature checks
 * against the trusted CA generations, an O(1) typed-array index per (purpose, CA, distribution point), and the
 * per-operation policies applied to its answers.
 */
export { parseCrl, type ParsedCrl, type SignatureAlgorithm } from './parse-crl.js';
export { CrlEntries, type CrlEntry } from './crl-entries.js';
export { RevocationIndex } from './revocation-index.js';
export { RevocationStore, type CrlInfo, type IngestOptions, type IngestResult, type RevocationStatus, type RevocationStoreOptions, type UnknownCause } from './revocation-store.js';
export { acceptUnknown, requireGood, type AcceptedStatus, type GoodStatus } from './policy.js';
export { issuerFromCertificate, keyIdOf, verifyCrlSignature, type JpkiPurpose, type TrustedIssuer } from './verify-crl.js';
export { CRL_REASONS, type CrlReason } from './reasons.js';
export { distributionPointOf, distributionPointOfExtension } from './distribution-point.js';
export type { SerialInput } from './serial.js';
