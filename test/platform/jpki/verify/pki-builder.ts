import { createHash, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * Builds JPKI-shaped certificates for the verifier's tests, including the odd ones a real center
 * never issues (SHA-1, RSA-1024, CA as leaf, missing SAN). Fixed dates only.
 */

export type Purpose = 'sign' | 'auth';
type Dn = ReadonlyArray<readonly [oid: string, value: string]>;

const C = '2.5.4.6', O = '2.5.4.10', OU = '2.5.4.11', L = '2.5.4.7', CN = '2.5.4.3';
export const OU_OF: Record<Purpose, string> = { sign: 'JPKI for digital signature', auth: 'JPKI for user authentication' };
export const POLICY: Record<Purpose, string> = { sign: '1.2.392.200149.8.5.1.1.20', auth: '1.2.392.200149.8.5.1.3.30' };
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const JLIS = 'Japan Agency for Local Authority Information Systems';

export function caName(purpose: Purpose, org = 'JPKI-TEST'): Dn {
  return [[C, 'JP'], [O, org], [OU, OU_OF[purpose]], [OU, JLIS]];
}

const keyCache = new Map<string, KeyObject>();
/** An RSA key, generated once per label and size within a test file. */
export function rsaKey(label: string, bits = 2048): KeyObject {
  const id = `${label}/${bits}`;
  let key = keyCache.get(id);
  if (!key) {
    key = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 }).privateKey;
    keyCache.set(id, key);
  }
  return key;
}

/** SHA-1 of the RSAPublicKey (RFC 5280 §4.2.1.2 method 1). */
export function keyId(key: KeyObject): Uint8Array {
  return createHash('sha1').update(createPublicKey(key).export({ type: 'pkcs1', format: 'der' })).digest();
}

function name(dn: Dn): pkijs.RelativeDistinguishedNames {
  const seq = new asn1js.Sequence({
    value: dn.map(([type, value]) => new asn1js.Set({
      value: [new asn1js.Sequence({
        value: [new asn1js.ObjectIdentifier({ value: type }), type === C ? new asn1js.PrintableString({ value }) : new asn1js.Utf8String({ value })],
      })],
    })),
  });
  return pkijs.RelativeDistinguishedNames.fromBER(seq.toBER());
}

function ext(extnID: string, critical: boolean, value: asn1js.BaseBlock | pkijs.PkiObject): pkijs.Extension {
  const schema = value instanceof pkijs.PkiObject ? value.toSchema() : value;
  return new pkijs.Extension({ extnID, critical, extnValue: schema.toBER() });
}

function keyUsage(bits: readonly number[]): asn1js.BitString {
  const bytes = [0, 0];
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  const len = Math.max(...bits) >= 8 ? 2 : 1;
  const highest = Math.max(...bits);
  return new asn1js.BitString({ valueHex: Uint8Array.from(bytes.slice(0, len)), unusedBits: 7 - (highest & 7) });
}

function otherName(oid: string, value: string): asn1js.Constructed {
  return new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: 0 },
    value: [new asn1js.ObjectIdentifier({ value: oid }), new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Utf8String({ value })] })],
  });
}

/** 基本4情報 as stored: keys are the last arc of 1.2.392.200149.8.5.5.x. */
export interface PersonalDataValues {
  name: string; nameSubstitutes: string; gender: string; birth: string; address: string; addressSubstitutes: string;
}
export const TARO: PersonalDataValues = {
  name: '山田　太郎', nameSubstitutes: '00000', gender: '1', birth: '319800217', address: '東京都渋谷区神南一丁目１９番１１号', addressSubstitutes: '0'.repeat(17),
};

function sanOf(pd: PersonalDataValues): asn1js.Sequence {
  const arc = '1.2.392.200149.8.5.5.';
  // observed order 5.5.1, 5.5.4, 5.5.3, 5.5.5, 5.5.2, 5.5.6 (SPEC §3.2)
  return new asn1js.Sequence({
    value: [
      otherName(`${arc}1`, pd.name), otherName(`${arc}4`, pd.birth), otherName(`${arc}3`, pd.gender),
      otherName(`${arc}5`, pd.address), otherName(`${arc}2`, pd.nameSubstitutes), otherName(`${arc}6`, pd.addressSubstitutes),
    ],
  });
}

const SIG_OIDS: Record<string, string> = { sha1: '1.2.840.113549.1.1.5', sha256: '1.2.840.113549.1.1.11', sha512: '1.2.840.113549.1.1.13' };

export interface CertSpec {
  serial: number;
  subject: Dn;
  issuer: Dn;
  notBefore: Date;
  notAfter: Date;
  /** Private key whose public half goes into the certificate. */
  key: KeyObject;
  /** Signing key (the issuer's), default `key` (self-signed). */
  signer?: KeyObject;
  hash?: 'sha1' | 'sha256' | 'sha512';
  extensions: pkijs.Extension[];
}

/** DER of a certificate signed with node:crypto. */
export function buildCertificate(spec: CertSpec): Uint8Array {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  let hex = spec.serial.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  cert.serialNumber = new asn1js.Integer({ valueHex: Buffer.from(hex, 'hex') });
  cert.issuer = name(spec.issuer);
  cert.subject = name(spec.subject);
  cert.notBefore = new pkijs.Time({ type: 0, value: spec.notBefore });
  cert.notAfter = new pkijs.Time({ type: 0, value: spec.notAfter });
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(createPublicKey(spec.key).export({ type: 'spki', format: 'der' }));
  cert.extensions = spec.extensions;
  const hash = spec.hash ?? 'sha256';
  const alg = () => new pkijs.AlgorithmIdentifier({ algorithmId: SIG_OIDS[hash]!, algorithmParams: new asn1js.Null() });
  cert.signature = alg();
  cert.signatureAlgorithm = alg();
  const tbs = new Uint8Array(cert.encodeTBS().toBER());
  cert.tbsView = tbs;
  cert.signatureValue = new asn1js.BitString({ valueHex: sign(hash, tbs, spec.signer ?? spec.key) });
  return new Uint8Array(cert.toSchema().toBER());
}

export interface CaSpec {
  purpose: Purpose;
  key: KeyObject;
  serial: number;
  notBefore: Date;
  notAfter: Date;
  org?: string;
  hash?: 'sha1' | 'sha256';
}

/** A self-signed JPKI-shaped root (SPEC §3.1): KU keyCertSign+cRLSign, BC CA, SKI. */
export function buildRoot(spec: CaSpec): Uint8Array {
  const dn = caName(spec.purpose, spec.org);
  return buildCertificate({
    serial: spec.serial, subject: dn, issuer: dn, notBefore: spec.notBefore, notAfter: spec.notAfter, key: spec.key, hash: spec.hash ?? 'sha256',
    extensions: [
      ext('2.5.29.15', true, keyUsage([5, 6])),
      ext('2.5.29.19', true, new pkijs.BasicConstraints({ cA: true })),
      ext('2.5.29.14', false, new asn1js.OctetString({ valueHex: keyId(spec.key) })),
    ],
  });
}

export interface LeafSpec {
  purpose: Purpose;
  key: KeyObject;
  issuerKey: KeyObject;
  serial: number;
  notBefore: Date;
  notAfter: Date;
  org?: string;
  hash?: 'sha1' | 'sha256';
  /** Override pieces of the profile. */
  policy?: string | null;
  keyUsageBits?: readonly number[] | null;
  keyUsageCritical?: boolean;
  eku?: readonly string[] | null;
  ca?: boolean;
  aki?: boolean;
  personalData?: PersonalDataValues | null;
  extraExtensions?: pkijs.Extension[];
}

/** A leaf of the sign or auth profile (SPEC §3.2/§3.3), with switches to break it. */
export function buildLeaf(spec: LeafSpec): Uint8Array {
  const sign = spec.purpose === 'sign';
  const subject: Dn = sign
    ? [[C, 'JP'], [L, 'Tokyo-to'], [L, 'Shibuya-ku'], [CN, `2020010110101012345${String(spec.serial).padStart(9, '0')}`]]
    : [[C, 'JP'], [CN, `308014E45JEFIG${String(spec.serial % 1e9).padStart(9, '0')}`]];
  const extensions: pkijs.Extension[] = [];
  const kuBits = spec.keyUsageBits === undefined ? (sign ? [0, 1] : [0]) : spec.keyUsageBits;
  if (kuBits) extensions.push(ext('2.5.29.15', spec.keyUsageCritical ?? true, keyUsage(kuBits)));
  const eku = spec.eku === undefined ? (sign ? null : [CLIENT_AUTH]) : spec.eku;
  if (eku) extensions.push(ext('2.5.29.37', false, new pkijs.ExtKeyUsage({ keyPurposes: [...eku] })));
  const pd = spec.personalData === undefined ? (sign ? TARO : null) : spec.personalData;
  if (pd) extensions.push(ext('2.5.29.17', false, sanOf(pd)));
  const policy = spec.policy === undefined ? POLICY[spec.purpose] : spec.policy;
  if (policy) extensions.push(ext('2.5.29.32', true, new pkijs.CertificatePolicies({ certificatePolicies: [new pkijs.PolicyInformation({ policyIdentifier: policy })] })));
  if (spec.ca) extensions.push(ext('2.5.29.19', true, new pkijs.BasicConstraints({ cA: true })));
  if (spec.aki ?? true) {
    extensions.push(ext('2.5.29.35', false, new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: keyId(spec.issuerKey) }) })));
  }
  extensions.push(ext('2.5.29.14', false, new asn1js.OctetString({ valueHex: keyId(spec.key) })));
  extensions.push(...(spec.extraExtensions ?? []));
  return buildCertificate({
    serial: spec.serial, subject, issuer: caName(spec.purpose, spec.org), notBefore: spec.notBefore, notAfter: spec.notAfter,
    key: spec.key, signer: spec.issuerKey, hash: spec.hash ?? 'sha256', extensions,
  });
}

/** An extension builder for tests that need an odd one. */
export { ext as extension };

export function toPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
