import { createHash, createHmac, X509Certificate } from 'node:crypto';
import type { Config } from '../config.js';
import { AppError } from '../shared/errors.js';
import { distributionPointOf, issuerFromCertificate, keyIdOf, RevocationStore, type IngestOptions, type IngestResult, type RevocationStatus } from './revocation/index.js';
import { normaliseKeyId } from './revocation/verify-crl.js';
import { decideByCrl, decideRevocation, DEFAULT_REVOCATION_POLICY, OcspClient, type RevocationDecision, type RevocationOperation, type RevocationPolicy } from './ocsp/index.js';
import {
  loadDevTrustStore, loadProductionTrustStore, parseCertificate, verifyChain, verifySignature,
  type ChainResult, type JpkiCertificate, type JpkiPurpose, type TrustStore,
} from './verify/index.js';

export {
  assembleCms, buildSignedAttributes, loadDevTrustStore, parseCertificate, readPersonalData, verifyCms,
  type ChainResult, type JpkiCertificate, type PersonalData, type TrustStore,
} from './verify/index.js';
export * from './evidence/index.js';
export { acceptUnknown, distributionPointOf, parseCrl, requireGood, type CrlInfo, type IngestOptions, type CrlReason, type RevocationStatus } from './revocation/index.js';
export type { JpkiPurpose };
export {
  certIdFor, DEFAULT_REVOCATION_POLICY, OcspClient, verifyOcspResponse,
  type OcspAnswer, type OcspResult, type RevocationDecision, type RevocationOperation, type RevocationPolicy,
} from './ocsp/index.js';

/** How a JpkiContext asks OCSP: the client, the per-operation policy and the responders of certificates without AIA. */
export interface OcspSetup {
  client: OcspClient;
  policy: RevocationPolicy;
  urls: { sign: string | null; auth: string | null };
}

/**
 * Everything the platform needs from JPKI, built once from config: the trust store of the mode,
 * the revocation store for its roots, and the keyed hash that names a certificate in the database.
 */
export class JpkiContext {
  constructor(
    readonly trustStore: TrustStore,
    readonly revocation: RevocationStore,
    private readonly lookupSecret: string,
    readonly ocsp: OcspSetup = defaultOcspSetup(),
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
   * The OCSP responder of a verified certificate: its AIA OCSP URL, else the configured one of its
   * purpose. Reading the AIA parses the certificate again (node's X509Certificate), so it is read
   * once per certificate and only for operations that ask OCSP.
   */
  ocspUrlOf(chain: ChainResult): string | null {
    let aia = this._aiaOcsp.get(chain.certificate);
    if (aia === undefined) {
      const access = new X509Certificate(chain.certificate.der).infoAccess ?? '';
      this._aiaOcsp.set(chain.certificate, (aia = /^OCSP - URI:(\S+)$/m.exec(access)?.[1] ?? null));
    }
    return aia ?? this.ocsp.urls[chain.purpose];
  }

  private readonly _aiaOcsp = new WeakMap<JpkiCertificate, string | null>();

  /**
   * Revocation of a verified certificate as `operation`'s configured policy decides it: the CRLs
   * (its own DP), or OCSP first with a fresh-CRL fallback when the responder is unreachable. Throws
   * PKI_REVOKED, PKI_REVOCATION_UNKNOWN or a PKI_OCSP_* code; the decision says which source answered.
   */
  async decideRevocation(operation: RevocationOperation, chain: ChainResult, at = new Date()): Promise<RevocationDecision> {
    const byCrl = this.decideRevocationByCrl(operation, chain, at);
    if (byCrl) return byCrl;
    const url = this.ocspUrlOf(chain);
    const issuer = chain.root.certificate.der;
    return decideRevocation(operation, this.ocsp.policy, {
      crl: () => this.revocationStatus(chain, at),
      ocsp: url === null ? null : () => this.ocsp.client.check({ serial: chain.serial, issuer, url }),
    });
  }

  /**
   * The same decision, synchronously, when `operation`'s policy asks the CRLs alone (a lookup in
   * memory: no await on a login's hot path); null when it asks OCSP (then use decideRevocation).
   */
  decideRevocationByCrl(operation: RevocationOperation, chain: ChainResult, at = new Date()): RevocationDecision | null {
    return decideByCrl(operation, this.ocsp.policy, () => this.revocationStatus(chain, at));
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

/** The OCSP setup of a context built without those settings: the defaults of config.ts. */
function defaultOcspSetup(config: Partial<Pick<Config, 'revocationPolicy' | 'ocspTimeoutMs' | 'ocspSkewSeconds' | 'ocspUrls' | 'crlMaxAgeSeconds'>> = {}): OcspSetup {
  return {
    client: new OcspClient({
      timeoutMs: config.ocspTimeoutMs ?? 3000,
      skewMs: (config.ocspSkewSeconds ?? 300) * 1000,
      // A response without nextUpdate ages like a CRL.
      maxAgeMs: (config.crlMaxAgeSeconds ?? 48 * 3600) * 1000,
    }),
    policy: config.revocationPolicy ?? DEFAULT_REVOCATION_POLICY,
    urls: config.ocspUrls ?? { sign: null, auth: null },
  };
}

/** Builds the JPKI context of the configured mode (production: J-LIS roots; dev: the dev center's). */
export async function createJpkiContext(
  config: Pick<Config, 'jpkiMode' | 'jpkiDevDir' | 'certLookupSecret' | 'crlMaxAgeSeconds'> &
    Partial<Pick<Config, 'revocationPolicy' | 'ocspTimeoutMs' | 'ocspSkewSeconds' | 'ocspUrls'>>,
): Promise<JpkiContext> {
  const trustStore = config.jpkiMode === 'production' ? loadProductionTrustStore() : await loadDevTrustStore(config.jpkiDevDir);
  const issuers = (['sign', 'auth'] as const).flatMap((purpose) =>
    trustStore.anchors(purpose).map((a) => issuerFromCertificate(Buffer.from(a.certificate.der), purpose, a.generation)),
  );
  if (!issuers.length) throw new AppError('CONFIG_INVALID', { detail: `no JPKI roots in ${config.jpkiMode} trust store` });
  return new JpkiContext(trustStore, new RevocationStore({ issuers, maxAgeSeconds: config.crlMaxAgeSeconds }), config.certLookupSecret, defaultOcspSetup(config));
}
