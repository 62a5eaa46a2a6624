/**
 * The dev JPKI center: a J-LIS stand-in that issues test My Number Cards (O=JPKI-TEST) for
 * development and tests. See README.md beside this file; the CLI is `npm run jpki-center`.
 */
export {
  buildCrl, CARD_ATR, cardCertificateSerial, DEFAULT_GENERATIONS, exportLinkage, initCenter, issueCard, loadCenter,
  readCardFile, renewCard, revokeCertificate, TOKEN_LABEL, writeCardFile,
  type BuiltCrl, type CaInfo, type CardRequest, type CenterInfo, type CertificateRef, type ClockOptions, type CrlOptions,
  type GenerationWindow, type InitOptions, type IssuedCard, type LinkageFile, type LinkedCertificate, type RenewOptions,
  type Revocation, type RevocationTarget,
} from './center.js';
export { isRevocationReason, REVOCATION_REASONS, type RevocationReason } from './crl.js';
export { eraCodedBirth, fifthBirthdayAfter, GENDERS, type Gender, type Person, type PersonInput } from './personal-data.js';
export { OID, PURPOSES, TEST_ORGANIZATION, type Purpose } from './profile.js';
export { buildPartitionedCrls, type PartitionCrl, type PartitionedCrlOptions } from './partitions.js';
