import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Locality } from './localities.js';
import { eraCodedBirth, type Person } from './personal-data.js';
import {
  caAltDn, caDn, crlDistributionPoints, dirName, extension, KEY_USAGE, keyUsageBits, leafCrlDpDn, OID,
  otherName, policies, positiveInteger, sha256WithRsa, toPkijsName, utcTime, type Dn, type Purpose,
} from './profile.js';

/** A CA generation able to sign: its certificate, key and the values leaves point back to. */
export interface Issuer {
  purpose: Purpose;
  certificate: pkijs.Certificate;
  key: KeyObject;
}

/** Self-signed CA certificate of one generation (SPEC §3.1): KU, SAN, BC, CRLDP, SKI; no AKI. */
export async function buildCaCertificate(spec: {
  purpose: Purpose; serial: number; notBefore: Date; notAfter: Date; key: KeyObject;
}): Promise<Buffer> {
  const dn = caDn(spec.purpose);
  const cert = baseCertificate(spec.serial, dn, dn, spec.notBefore, spec.notAfter, spec.key);
  cert.extensions = [
    extension(OID.keyUsage, true, keyUsageBits([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign])),
    extension(OID.subjectAltName, false, new pkijs.GeneralNames({ names: [dirName(caAltDn(spec.purpose))] })),
    extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: true })),
    extension(OID.crlDistributionPoints, false, crlDistributionPoints(dn)),
    extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyIdentifier(spec.key) })),
  ];
  return signCertificate(cert, spec.key);
}

/** Shared inputs of both leaves. */
export interface LeafSpec {
  issuer: Issuer;
  serial: number;
  notBefore: Date;
  notAfter: Date;
  /** The holder's key (private; only its public half goes into the certificate). */
  key: KeyObject;
  commonName: string;
  locality: Locality;
}

/**
 * 署名用電子証明書 (SPEC §3.2): subject C/L/L/CN, extensions KU, SAN (基本4情報), CP, IAN, CRLDP, AKI,
 * SKI in that order; no EKU, no AIA.
 */
export async function buildSignCertificate(spec: LeafSpec & { person: Person }): Promise<Buffer> {
  const { issuer, locality, person } = spec;
  const subject: Dn = [['C', 'JP'], ['L', locality.prefecture], ['L', locality.municipality], ['CN', spec.commonName]];
  const cert = baseCertificate(spec.serial, issuerDn(issuer), subject, spec.notBefore, spec.notAfter, spec.key);
  cert.extensions = [
    extension(OID.keyUsage, true, keyUsageBits([KEY_USAGE.digitalSignature, KEY_USAGE.nonRepudiation])),
    extension(OID.subjectAltName, false, personalDataNames(person)),
    extension(OID.certificatePolicies, true, policies(OID.signPolicy)),
    extension(OID.issuerAltName, false, new pkijs.GeneralNames({ names: [dirName(caAltDn('sign'))] })),
    extension(OID.crlDistributionPoints, false, crlDistributionPoints(leafCrlDpDn('sign', locality.prefecture, locality.municipality))),
    extension(OID.authorityKeyIdentifier, false, authorityKeyIdentifier(issuer)),
    extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyIdentifier(spec.key) })),
  ];
  return signCertificate(cert, issuer.key);
}

/**
 * 利用者証明用電子証明書 (SPEC §3.3): subject C/CN only, extensions KU, EKU, CP, IAN, CRLDP, AIA,
 * AKI, SKI in that order.
 */
export async function buildAuthCertificate(spec: LeafSpec & { ocspUrl: string }): Promise<Buffer> {
  const { issuer, locality } = spec;
  const subject: Dn = [['C', 'JP'], ['CN', spec.commonName]];
  const cert = baseCertificate(spec.serial, issuerDn(issuer), subject, spec.notBefore, spec.notAfter, spec.key);
  cert.extensions = [
    extension(OID.keyUsage, true, keyUsageBits([KEY_USAGE.digitalSignature])),
    extension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [OID.clientAuth] })),
    extension(OID.certificatePolicies, true, policies(OID.authPolicy)),
    extension(OID.issuerAltName, false, new pkijs.GeneralNames({ names: [dirName(caAltDn('auth'))] })),
    extension(OID.crlDistributionPoints, false, crlDistributionPoints(leafCrlDpDn('auth', locality.prefecture, locality.municipality))),
    extension(OID.authorityInfoAccess, false, new pkijs.InfoAccess({
      accessDescriptions: [new pkijs.AccessDescription({
        accessMethod: OID.ocsp,
        accessLocation: new pkijs.GeneralName({ type: 6, value: spec.ocspUrl }),
      })],
    })),
    extension(OID.authorityKeyIdentifier, false, authorityKeyIdentifier(issuer)),
    extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyIdentifier(spec.key) })),
  ];
  return signCertificate(cert, issuer.key);
}

/** SAN of the sign certificate: six otherNames in the order real certificates use (SPEC §3.2). */
export function personalDataNames(person: Person): asn1js.Sequence {
  return new asn1js.Sequence({
    value: [
      otherName(OID.pdCommonName, person.name),
      otherName(OID.pdDateOfBirth, eraCodedBirth(person.birth)),
      otherName(OID.pdGender, person.gender),
      otherName(OID.pdAddress, person.address),
      otherName(OID.pdNameSubstitutes, person.nameSubstitutes),
      otherName(OID.pdAddressSubstitutes, person.addressSubstitutes),
    ],
  });
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the DER RSAPublicKey (the subjectPublicKey BIT STRING's content). */
export function keyIdentifier(key: KeyObject): Buffer {
  const rsaPublicKey = createPublicKey(key).export({ type: 'pkcs1', format: 'der' });
  return createHash('sha1').update(rsaPublicKey).digest();
}

/** The issuer's key identifier, DirName and serial, as the JPKI leaves carry them (SPEC §3.2). */
function authorityKeyIdentifier(issuer: Issuer): pkijs.AuthorityKeyIdentifier {
  return new pkijs.AuthorityKeyIdentifier({
    keyIdentifier: new asn1js.OctetString({ valueHex: keyIdentifier(issuer.key) }),
    authorityCertIssuer: [new pkijs.GeneralName({ type: 4, value: issuer.certificate.issuer })],
    authorityCertSerialNumber: issuer.certificate.serialNumber,
  });
}

function issuerDn(issuer: Issuer): Dn {
  return caDn(issuer.purpose);
}

export function baseCertificate(serial: number, issuer: Dn, subject: Dn, notBefore: Date, notAfter: Date, key: KeyObject): pkijs.Certificate {
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return new pkijs.Certificate({
    version: 2,
    serialNumber: positiveInteger(serial),
    issuer: toPkijsName(issuer),
    subject: toPkijsName(subject),
    notBefore: utcTime(notBefore),
    notAfter: utcTime(notAfter),
    subjectPublicKeyInfo: pkijs.PublicKeyInfo.fromBER(spki),
  });
}

/** sha256WithRSAEncryption (PKCS#1 v1.5, deterministic) over the TBS; returns the DER certificate. */
export async function signCertificate(cert: pkijs.Certificate, key: KeyObject): Promise<Buffer> {
  cert.signature = sha256WithRsa();
  cert.signatureAlgorithm = sha256WithRsa();
  cert.tbsView = new Uint8Array(cert.encodeTBS().toBER(false));
  cert.signatureValue = new asn1js.BitString({ valueHex: sign('sha256', cert.tbsView, key) });
  return Buffer.from(cert.toSchema().toBER(false));
}

/** Parses DER into a pkijs certificate (dev-center input is trusted; errors surface as thrown). */
export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(Uint8Array.from(der));
}
