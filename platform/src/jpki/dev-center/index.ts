/**
 * The dev JPKI center: a J-LIS stand-in that issues test My Number Cards (O=JPKI-TEST) for
 * development and tests. See README.md beside this file; the CLI is `npm run jpki-center`.
 */
export { readCardFile, writeCardFile } from './card-files.js';
export { CARD_ATR, issueCard, renewCard, TOKEN_LABEL, type CardRequest, type IssuedCard, type RenewOptions } from './issuance.js';
export { exportLinkage, type LinkageFile, type LinkedCertificate } from './linkage.js';
export { buildCrl, revokeCertificate, type BuiltCrl, type CrlOptions, type Revocation, type RevocationTarget } from './revocation.js';
export {
  cardCertificateSerial, DEFAULT_GENERATIONS, initCenter, loadCenter,
  type CaInfo, type CenterInfo, type CertificateRef, type ClockOptions, type GenerationWindow, type InitOptions,
} from './state.js';
export { isRevocationReason, REVOCATION_REASONS, type RevocationReason } from './crl.js';
export { eraCodedBirth, fifthBirthdayAfter, GENDERS, type Gender, type Person, type PersonInput } from './personal-data.js';
export { OID, PURPOSES, TEST_ORGANIZATION, type Purpose } from './profile.js';
export { buildPartitionedCrls, type PartitionCrl, type PartitionedCrlOptions } from './partitions.js';
export { OID_EVIDENCE_SIGNING, SERVICES_DIR, serviceCredentials, type ServiceCredential, type ServiceCredentials } from './services.js';
export { startTsaServer } from './tsa-server.js';
export {
  answerFromCenter, buildOcspResponse, centerResponders, issueResponderCertificate, OCSP_DIR, ocspErrorResponse, statusFromState,
  type CenterResponders, type OcspResponseSpec, type OcspSigner, type ResponderCertificateSpec, type ResponderStatus,
} from './ocsp-responder.js';
export { startOcspServer, type OcspServerOptions } from './ocsp-server.js';
