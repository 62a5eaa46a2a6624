import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * The JPKI certificate profile as the dev center writes it (SPEC §3): names, OIDs and the DER
 * building blocks shared by the CA certificates, the two leaves and the CRLs.
 */

/** Which of the two JPKI hierarchies: 署名用 (sign) or 利用者証明用 (auth). */
export type Purpose = 'sign' | 'auth';
export const PURPOSES: readonly Purpose[] = ['sign', 'auth'];

export const OID = {
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  issuingDistributionPoint: '2.5.29.28',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  cpsQualifier: '1.3.6.1.5.5.7.2.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  ocsp: '1.3.6.1.5.5.7.48.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  /** cp-digitalSignature (SPEC §3.2). */
  signPolicy: '1.2.392.200149.8.5.1.1.20',
  /** cp-authenticate (SPEC §3.3). */
  authPolicy: '1.2.392.200149.8.5.1.3.30',
  /** personalData arc: 5.5.1 氏名, 5.5.2 氏名代替文字, 5.5.3 性別, 5.5.4 生年月日, 5.5.5 住所, 5.5.6 住所代替文字. */
  pdCommonName: '1.2.392.200149.8.5.5.1',
  pdNameSubstitutes: '1.2.392.200149.8.5.5.2',
  pdGender: '1.2.392.200149.8.5.5.3',
  pdDateOfBirth: '1.2.392.200149.8.5.5.4',
  pdAddress: '1.2.392.200149.8.5.5.5',
  pdAddressSubstitutes: '1.2.392.200149.8.5.5.6',
} as const;

/** `O=` of the test hierarchy; the real one is `JPKI` (SPEC §3.1). Verifiers refuse it in production. */
export const TEST_ORGANIZATION = 'JPKI-TEST';
export const JLIS_OU = 'Japan Agency for Local Authority Information Systems';
export const PURPOSE_OU: Record<Purpose, string> = {
  sign: 'JPKI for digital signature',
  auth: 'JPKI for user authentication',
};
export const CPS_URL = 'http://www.jpki.go.jp/cps.html';
/** OCSP responder named in test auth certificates; `.invalid` never resolves (RFC 6761). */
export const DEFAULT_OCSP_URL = 'http://ocspauthnorm.jpki-test.invalid';

/** A distinguished name as ordered (type, value) pairs, one attribute per RDN as in real JPKI certs. */
export type Dn = ReadonlyArray<readonly [type: 'C' | 'O' | 'OU' | 'L' | 'CN', value: string]>;

/** Subject = issuer DN of every generation of one purpose (they share it, SPEC §3.1). */
export function caDn(purpose: Purpose): Dn {
  return [['C', 'JP'], ['O', TEST_ORGANIZATION], ['OU', PURPOSE_OU[purpose]], ['OU', JLIS_OU]];
}

/** The Japanese DirName of the CA's subjectAltName and the leaves' issuerAltName (SPEC §3.1). */
export function caAltDn(purpose: Purpose): Dn {
  const ou = purpose === 'sign' ? '公的個人認証サービス署名用' : '公的個人認証サービス利用者証明用';
  return [['C', 'JP'], ['O', '公的個人認証サービス'], ['OU', ou], ['OU', '地方公共団体情報システム機構']];
}

/** A leaf's CRL distribution point DirName (SPEC §3.2/§3.3). */
export function leafCrlDpDn(purpose: Purpose, prefecture: string, municipality: string): Dn {
  return [
    ['C', 'JP'], ['O', TEST_ORGANIZATION], ['OU', PURPOSE_OU[purpose]], ['OU', 'CRL Distribution Points'],
    ['OU', prefecture], ['CN', `${municipality} CRLDP`],
  ];
}

const ATTRIBUTE_OIDS = { C: OID.countryName, O: OID.organizationName, OU: OID.organizationalUnitName, L: OID.localityName, CN: OID.commonName };

/** `C=JP, O=JPKI-TEST, …` in certificate order, as openssl prints it by default. */
export function dnToString(dn: Dn): string {
  return dn.map(([t, v]) => `${t}=${v}`).join(', ');
}

/**
 * pkijs Name with one attribute per RDN (pkijs would put them all into one multi-valued RDN), C as
 * PrintableString and everything else UTF8String (SPEC §3.1).
 */
export function toPkijsName(dn: Dn): pkijs.RelativeDistinguishedNames {
  const name = new asn1js.Sequence({
    value: dn.map(([type, value]) => new asn1js.Set({
      value: [new asn1js.Sequence({
        value: [
          new asn1js.ObjectIdentifier({ value: ATTRIBUTE_OIDS[type] }),
          type === 'C' ? new asn1js.PrintableString({ value }) : new asn1js.Utf8String({ value }),
        ],
      })],
    })),
  });
  // Parsed from DER so pkijs keeps (and re-emits) exactly these bytes.
  return pkijs.RelativeDistinguishedNames.fromBER(name.toBER(false));
}

export function dirName(dn: Dn): pkijs.GeneralName {
  return new pkijs.GeneralName({ type: 4, value: toPkijsName(dn) });
}

/** A certificate serial or CRL number as a minimal positive INTEGER. */
export function positiveInteger(n: number): asn1js.Integer {
  return new asn1js.Integer({ valueHex: positiveIntegerBytes(n) });
}

export function positiveIntegerBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`not a positive integer: ${n}`);
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = '00' + hex;
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** Serial as openssl prints it (`0132C4AB`): the INTEGER's content octets in upper-case hex. */
export function serialHex(n: number): string {
  return Buffer.from(positiveIntegerBytes(n)).toString('hex').toUpperCase();
}

/** A UTCTime (all JPKI dates are before 2050, RFC 5280 §4.1.2.5). */
export function utcTime(d: Date): pkijs.Time {
  if (d.getUTCFullYear() >= 2050) throw new RangeError('dates from 2050 on need GeneralizedTime');
  return new pkijs.Time({ type: 0, value: d });
}

/** KeyUsage BIT STRING with the named bits set (RFC 5280 §4.2.1.3), DER minimal. */
export function keyUsageBits(bits: number[]): asn1js.BitString {
  const value = bits.reduce((acc, bit) => acc | (0x80 >> bit), 0);
  const highest = Math.max(...bits);
  return new asn1js.BitString({ valueHex: Uint8Array.of(value), unusedBits: 7 - highest });
}

export const KEY_USAGE = { digitalSignature: 0, nonRepudiation: 1, keyCertSign: 5, cRLSign: 6 } as const;

export function extension(extnID: string, critical: boolean, value: asn1js.BaseBlock | pkijs.PkiObject): pkijs.Extension {
  const schema = value instanceof pkijs.PkiObject ? value.toSchema() : value;
  return new pkijs.Extension({ extnID, critical, extnValue: schema.toBER(false) });
}

export function policies(policyOid: string): pkijs.CertificatePolicies {
  return new pkijs.CertificatePolicies({
    certificatePolicies: [new pkijs.PolicyInformation({
      policyIdentifier: policyOid,
      policyQualifiers: [new pkijs.PolicyQualifierInfo({ policyQualifierId: OID.cpsQualifier, qualifier: new asn1js.IA5String({ value: CPS_URL }) })],
    })],
  });
}

export function crlDistributionPoints(dn: Dn): pkijs.CRLDistributionPoints {
  return new pkijs.CRLDistributionPoints({ distributionPoints: [new pkijs.DistributionPoint({ distributionPoint: [dirName(dn)] })] });
}

/** One SAN otherName: `[0] IMPLICIT SEQUENCE { type-id, [0] EXPLICIT UTF8String }` (SPEC §3.2). */
export function otherName(typeId: string, value: string): asn1js.Constructed {
  return new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: 0 },
    value: [
      new asn1js.ObjectIdentifier({ value: typeId }),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Utf8String({ value })] }),
    ],
  });
}

/** sha256WithRSAEncryption with the NULL parameters RFC 4055 §5 requires (and real JPKI certs carry). */
export function sha256WithRsa(): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256WithRsa, algorithmParams: new asn1js.Null() });
}
