import { createHash, createHmac } from 'node:crypto';
import type { Config } from '../config.js';
import { AppError } from '../shared/errors.js';
import { distributionPointOf, issuerFromCertificate, keyIdOf, RevocationStore, type IngestOptions, type IngestResult, type RevocationStatus } from './revocation/index.js';
import { normaliseKeyId } from './revocation/verify-crl.js';
import {
  loadDevTrustStore, loadProductionTrustStore, parseCertificate, verifyChain, verifySignature,
  type ChainResult, type JpkiCertificate, type JpkiPurpose, type TrustStore,
} from './verify/index.js';

export { assembleCms, buildSignedAttributes, readPersonalData, verifyCms, type ChainResult, type PersonalData } from './verify/index.js';
export { acceptUnknown, distributionPointOf, parseCrl, requireGood, type CrlInfo, type IngestOptions, type CrlReason, type RevocationStatus } from './revocation/index.js';
export type { JpkiPurpose };

/**
 * Everything the platform needs from JPKI, built once from config: the trust store of the mode,
 * the revocation store for its roots, and the keyed hash that names a certificate in the database.
 */
export class JpkiContext {
  constructor(
    readonly trustStore: TrustStore,
    readonly revocation: RevocationStore,
    private readonly lookupSecret: string,
  ) {}

  /** Parses a certificate (DER or base64 of it); PKI_MALFORMED when it is not one. */
  parse(input: Uint8Array | string): JpkiCertificate {
    return parseCertificate(typeof input === 'string' ? Buffer.from(input, 'base64') : input);
  }

  /** Chain, purpose, validity and algorithms of `cert` at `at`. */
  verify(cert: JpkiCertificate, purpose: JpkiPurpose, at = new Date()): Promise<ChainResult> {
    return verifyChain(cert, { purpose, trustStore: this.trustStore, at });
  }

  /** RSA PKCS#1 v1.5 SHA-256 signature of `message` by `cert`'s key; PKI_SIGNATURE_INVALID otherwise. */
  verifySignature(cert: JpkiCertificate, message: Uint8Array, signature: Uint8Array): Promise<void> {
    return verifySignature(cert, message, signature);
  }

  /** What the CRLs say about a verified certificate: its own distribution point's CRL, or the CA's whole CRL. */
  revocationStatus(chain: ChainResult, at = new Date()): RevocationStatus {
    return this.revocation.status(chain.purpose, rootKeyId(chain), chain.serial, at, distributionPointOf(chain.certificate));
  }

  /**
   * シリアル番号変換値: HMAC-SHA-256 of purpose, the issuing root's key id and the serial under
   * the platform's secret. The database and the logs only ever see this, never the serial. The
   * key id (not a label) names the root, so CRLs and J-LIS linkage data map to the same key.
   */
  lookupKey(purpose: JpkiPurpose, issuerKeyId: string, serialHex: string): string {
    return createHmac('sha256', this.lookupSecret)
      .update(`${purpose}\n${normaliseKeyId(issuerKeyId)}\n${serialHex.replace(/^0+(?=.)/, '').toUpperCase()}`)
      .digest('hex');
  }

  /** Lookup key of a verified certificate. */
  lookupKeyOf(chain: ChainResult): string {
    return this.lookupKey(chain.purpose, rootKeyId(chain), chain.serial);
  }

  /** Verifies and installs a DER CRL (see RevocationStore.ingest). */
  ingestCrl(purpose: JpkiPurpose, der: Buffer, options?: IngestOptions): IngestResult {
    return this.revocation.ingest(purpose, der, options);
  }
}

/** Key identifier of the root that issued a verified certificate (its SKI, else derived from its key). */
function rootKeyId(chain: ChainResult): string {
  return chain.root.certificate.subjectKeyId ?? keyIdOf(chain.root.certificate.publicKey);
}

/** Builds the JPKI context of the configured mode (production: J-LIS roots; dev: the dev center's). */
export async function createJpkiContext(config: Pick<Config, 'jpkiMode' | 'jpkiDevDir' | 'certLookupSecret' | 'crlMaxAgeSeconds'>): Promise<JpkiContext> {
  const trustStore = config.jpkiMode === 'production' ? loadProductionTrustStore() : await loadDevTrustStore(config.jpkiDevDir);
  const issuers = (['sign', 'auth'] as const).flatMap((purpose) =>
    trustStore.anchors(purpose).map((a) => issuerFromCertificate(Buffer.from(a.certificate.der), purpose, a.generation)),
  );
  if (!issuers.length) throw new AppError('CONFIG_INVALID', { detail: `no JPKI roots in ${config.jpkiMode} trust store` });
  return new JpkiContext(trustStore, new RevocationStore({ issuers, maxAgeSeconds: config.crlMaxAgeSeconds }), config.certLookupSecret);
}
