/**
 * JPKI verification: the platform's only door to pkijs. Parse certificates strictly, check them
 * against the production (J-LIS) or dev trust store, read 基本4情報, verify login signatures and
 * CMS signatures. Every failure is an AppError with a PKI_* code; nothing passes by default.
 */
export { JpkiCertificate, parseCertificate, parseCertificateBundle, type CertificateInput, type KeyUsageBit, type NameAttribute } from './certificate.js';
export { verifyChain, type ChainOptions, type ChainResult } from './chain.js';
export { assembleCms, buildSignedAttributes } from './cms-build.js';
export { verifyCms, type CmsVerifyOptions, type CmsVerifyResult } from './cms-verify.js';
export { readPersonalData, type BirthEra, type Gender, type PersonalData } from './personal-data.js';
export { isTestHierarchy, PURPOSE_OU, purposeOf, TEST_ORGANIZATION, type JpkiPurpose } from './purpose.js';
export { verifySignature } from './signature.js';
export { createTrustStore, loadDevTrustStore, loadProductionTrustStore, TrustStore, type RootInput, type TrustAnchor, type TrustMode } from './trust-store.js';
