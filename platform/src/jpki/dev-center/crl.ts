import { sign, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { keyIdentifier } from './certificates.js';
import { extension, OID, positiveInteger, sha256WithRsa, utcTime } from './profile.js';

/** CRLReason values of RFC 5280 §5.3.1 (7 is unused; removeFromCRL only belongs in delta CRLs). */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

export function isRevocationReason(value: string): value is RevocationReason {
  return Object.hasOwn(REVOCATION_REASONS, value);
}

/** One revoked certificate on a CRL. */
export interface CrlEntry {
  serial: number;
  revokedAt: Date;
  reason: RevocationReason;
}

/**
 * A DER CRL v2 signed with sha256WithRSAEncryption by one CA generation: per-entry reasonCode
 * (left out for `unspecified`, as RFC 5280 §5.3.1 asks), CRL number and AKI (key identifier).
 */
export function buildCrlDer(spec: {
  issuer: pkijs.Certificate;
  issuerKey: KeyObject;
  crlNumber: number;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: readonly CrlEntry[];
  /**
   * DER of an IssuingDistributionPoint naming one distribution point: the CRL is then that DP's
   * partition (J-LIS: one per municipality), and the extension is critical (RFC 5280 §5.2.5).
   */
  issuingDistributionPoint?: Uint8Array;
}): Buffer {
  const crl = new pkijs.CertificateRevocationList({
    version: 1, // v2
    signature: sha256WithRsa(),
    issuer: spec.issuer.subject,
    thisUpdate: utcTime(spec.thisUpdate),
    nextUpdate: utcTime(spec.nextUpdate),
    crlExtensions: new pkijs.Extensions({
      extensions: [
        extension(OID.authorityKeyIdentifier, false, new pkijs.AuthorityKeyIdentifier({
          keyIdentifier: new asn1js.OctetString({ valueHex: keyIdentifier(spec.issuerKey) }),
        })),
        extension(OID.crlNumber, false, positiveInteger(spec.crlNumber)),
        ...(spec.issuingDistributionPoint
          ? [new pkijs.Extension({ extnID: OID.issuingDistributionPoint, critical: true, extnValue: Uint8Array.from(spec.issuingDistributionPoint).buffer })]
          : []),
      ],
    }),
    signatureAlgorithm: sha256WithRsa(),
  });
  if (spec.entries.length) {
    crl.revokedCertificates = spec.entries.map((e) => new pkijs.RevokedCertificate({
      userCertificate: positiveInteger(e.serial),
      revocationDate: utcTime(e.revokedAt),
      ...(e.reason === 'unspecified' ? {} : {
        crlEntryExtensions: new pkijs.Extensions({
          extensions: [extension(OID.crlReason, false, new asn1js.Enumerated({ value: REVOCATION_REASONS[e.reason] }))],
        }),
      }),
    }));
  }
  // toSchema(true) encodes the TBSCertList from the fields set above.
  const tbs = (crl.toSchema(true) as asn1js.Sequence).valueBlock.value[0]!.toBER(false);
  crl.tbsView = new Uint8Array(tbs);
  crl.signatureValue = new asn1js.BitString({ valueHex: sign('sha256', crl.tbsView, spec.issuerKey) });
  return Buffer.from((crl.toSchema() as asn1js.Sequence).toBER(false));
}
