import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../../shared/errors.js';
import { decodeBer } from './asn1.js';
import { assertDer, asBytes, bytesEqual, DerError, toHex } from './der.js';
import { NAME_ATTRIBUTE_LABELS, OID } from './oids.js';
import { decodePemCertificates, looksLikePem, pemText } from './pem.js';

/** Key usage bits by name (RFC 5280 §4.2.1.3, bit 0 first). */
export const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageBit = (typeof KEY_USAGE_BITS)[number];

/** One attribute of a distinguished name, in certificate order. */
export interface NameAttribute {
  readonly type: string;
  readonly value: string;
}

/** What a verifier needs of one extension. */
interface ExtensionInfo {
  readonly critical: boolean;
  readonly value: Uint8Array;
  readonly parsed: unknown;
}

/** Input accepted wherever a certificate is expected: DER bytes, PEM text or PEM bytes. */
export type CertificateInput = Uint8Array | ArrayBuffer | string;

/**
 * A parsed, immutable X.509 certificate with the fields the JPKI checks use. Construct it with
 * `parseCertificate`; no pkijs type leaks out of this class.
 */
export class JpkiCertificate {
  /** The DER encoding. */
  readonly der: Uint8Array;
  /** SHA-256 of the DER, lower-case hex. */
  readonly fingerprint: string;
  /** Serial number as upper-case hex of the positive integer (e.g. `0132C4AB`). */
  readonly serial: string;
  readonly subject: string;
  readonly issuer: string;
  readonly subjectAttributes: readonly NameAttribute[];
  readonly issuerAttributes: readonly NameAttribute[];
  /** DER of the subject and issuer Names, for byte-exact issuer matching and CMS. */
  readonly subjectDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  /** DER of the serialNumber INTEGER (tag included). */
  readonly serialDer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Outer signatureAlgorithm OID. */
  readonly signatureAlgorithm: string;
  /** The signed bytes (TBSCertificate DER) and the signature over them. */
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
  /** SubjectPublicKeyInfo DER and what it holds. */
  readonly spki: Uint8Array;
  readonly publicKeyAlgorithm: string;
  readonly rsaModulusBits: number | null;
  readonly rsaExponent: number | null;
  /** Extensions, `null` when absent. */
  readonly keyUsage: { critical: boolean; bits: ReadonlySet<KeyUsageBit> } | null;
  readonly basicConstraints: { critical: boolean; ca: boolean; pathLength: number | null } | null;
  readonly policies: readonly string[] | null;
  readonly extKeyUsage: readonly string[] | null;
  /** AKI keyIdentifier / SKI, upper-case hex. */
  readonly authorityKeyId: string | null;
  readonly subjectKeyId: string | null;
  /** extnValue of subjectAltName (the GeneralNames DER), for the personal-data reader. */
  readonly subjectAltNameDer: Uint8Array | null;
  /** extnValue of cRLDistributionPoints: which partitioned CRL covers this certificate. */
  readonly crlDistributionPointsDer: Uint8Array | null;
  /** OIDs of critical extensions this verifier does not understand (RFC 5280 §4.2). */
  readonly unknownCriticalExtensions: readonly string[];

  #publicKey: KeyObject | undefined;

  /** @internal use `parseCertificate` */
  constructor(der: Uint8Array, cert: pkijs.Certificate) {
    this.der = der;
    this.fingerprint = createHash('sha256').update(der).digest('hex');

    const serialBytes = cert.serialNumber.valueBlock.valueHexView;
    if (serialBytes.length === 0 || serialBytes[0]! & 0x80) throw malformed('serial number is not positive');
    const serialValue = serialBytes[0] === 0 && serialBytes.length > 1 ? serialBytes.subarray(1) : serialBytes;
    if (serialValue.every((b) => b === 0)) throw malformed('serial number is zero');
    this.serial = toHex(serialValue);
    this.serialDer = asBytes(cert.serialNumber.toBER());

    this.subjectAttributes = nameAttributes(cert.subject);
    this.issuerAttributes = nameAttributes(cert.issuer);
    this.subject = formatName(this.subjectAttributes);
    this.issuer = formatName(this.issuerAttributes);
    this.subjectDer = asBytes(cert.subject.valueBeforeDecode);
    this.issuerDer = asBytes(cert.issuer.valueBeforeDecode);

    this.notBefore = cert.notBefore.value;
    this.notAfter = cert.notAfter.value;
    if (!(this.notBefore.getTime() <= this.notAfter.getTime())) throw malformed('validity period is inverted or unreadable');

    this.signatureAlgorithm = cert.signatureAlgorithm.algorithmId;
    // RFC 5280 §4.1.1.2: the outer algorithm must equal the one inside the signed part.
    if (!bytesEqual(asBytes(cert.signatureAlgorithm.toSchema().toBER()), asBytes(cert.signature.toSchema().toBER()))) {
      throw malformed('signatureAlgorithm differs from tbsCertificate.signature');
    }
    this.tbs = cert.tbsView;
    if (cert.signatureValue.valueBlock.unusedBits !== 0) throw malformed('signature has unused bits');
    this.signature = cert.signatureValue.valueBlock.valueHexView;

    const spki = cert.subjectPublicKeyInfo;
    this.spki = asBytes(spki.toSchema().toBER());
    this.publicKeyAlgorithm = spki.algorithm.algorithmId;
    if (this.publicKeyAlgorithm === OID.rsaEncryption) {
      const key = spki.parsedKey;
      if (!(key instanceof pkijs.RSAPublicKey)) throw malformed('RSA public key cannot be parsed');
      this.rsaModulusBits = bitLength(key.modulus.valueBlock.valueHexView);
      const e = key.publicExponent.valueBlock.valueHexView;
      this.rsaExponent = e.length <= 6 ? Number.parseInt(toHex(e) || '0', 16) : null;
    } else {
      this.rsaModulusBits = null;
      this.rsaExponent = null;
    }

    const extensions = readExtensions(cert);
    const ku = extensions.get(OID.keyUsage);
    if (ku) {
      if (!(ku.parsed instanceof asn1js.BitString)) throw malformed('keyUsage is not a BIT STRING');
      const bytes = ku.parsed.valueBlock.valueHexView;
      const bits = new Set<KeyUsageBit>();
      KEY_USAGE_BITS.forEach((name, i) => {
        if ((bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) bits.add(name);
      });
      this.keyUsage = { critical: ku.critical, bits };
    } else this.keyUsage = null;

    const bc = extensions.get(OID.basicConstraints);
    if (bc) {
      const v = bc.parsed as pkijs.BasicConstraints;
      const pathLength = v.pathLenConstraint === undefined ? null : typeof v.pathLenConstraint === 'number' ? v.pathLenConstraint : v.pathLenConstraint.valueBlock.valueDec;
      this.basicConstraints = { critical: bc.critical, ca: v.cA === true, pathLength };
    } else this.basicConstraints = null;

    const cp = extensions.get(OID.certificatePolicies);
    this.policies = cp ? (cp.parsed as pkijs.CertificatePolicies).certificatePolicies.map((p) => p.policyIdentifier) : null;
    const eku = extensions.get(OID.extKeyUsage);
    this.extKeyUsage = eku ? [...(eku.parsed as pkijs.ExtKeyUsage).keyPurposes] : null;

    const aki = extensions.get(OID.authorityKeyIdentifier);
    const akiId = aki ? (aki.parsed as pkijs.AuthorityKeyIdentifier).keyIdentifier : undefined;
    this.authorityKeyId = akiId ? toHex(akiId.valueBlock.valueHexView) : null;
    const ski = extensions.get(OID.subjectKeyIdentifier);
    if (ski && !(ski.parsed instanceof asn1js.OctetString)) throw malformed('subjectKeyIdentifier is not an OCTET STRING');
    this.subjectKeyId = ski ? toHex((ski.parsed as asn1js.OctetString).valueBlock.valueHexView) : null;

    this.subjectAltNameDer = extensions.get(OID.subjectAltName)?.value ?? null;
    this.crlDistributionPointsDer = extensions.get(OID.crlDistributionPoints)?.value ?? null;

    this.unknownCriticalExtensions = [...extensions]
      .filter(([oid, ext]) => ext.critical && !UNDERSTOOD_EXTENSIONS.has(oid))
      .map(([oid]) => oid);
  }

  /** The value of the first subject/issuer attribute of `type`, or null. */
  subjectAttribute(type: string): string | null {
    return this.subjectAttributes.find((a) => a.type === type)?.value ?? null;
  }
  issuerAttribute(type: string): string | null {
    return this.issuerAttributes.find((a) => a.type === type)?.value ?? null;
  }

  /** True when the subject is its own issuer (same Name bytes). */
  get isSelfIssued(): boolean {
    return bytesEqual(this.subjectDer, this.issuerDer);
  }

  /** The node:crypto public key, created once per certificate. */
  get publicKey(): KeyObject {
    if (!this.#publicKey) {
      try {
        this.#publicKey = createPublicKey({ key: Buffer.from(this.spki), format: 'der', type: 'spki' });
      } catch (err) {
        throw new AppError('PKI_MALFORMED', { detail: 'public key cannot be imported', cause: err });
      }
    }
    return this.#publicKey;
  }
}

/** Extensions this verifier interprets, so they may be critical. */
const UNDERSTOOD_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.keyUsage,
  OID.basicConstraints,
  OID.certificatePolicies,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.crlDistributionPoints,
  OID.authorityInfoAccess,
]);

const PARSE_CACHE_SIZE = 2048;
const parseCache = new Map<string, JpkiCertificate>();

/**
 * Parses one certificate strictly: DER (exactly one TLV, definite minimal lengths, nothing after
 * it) or PEM text holding exactly one CERTIFICATE block. Throws AppError PKI_MALFORMED.
 * Results are cached by content, so repeated logins with one card parse once.
 */
export function parseCertificate(input: CertificateInput): JpkiCertificate {
  const der = certificateDer(input);
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const hit = parseCache.get(key);
  if (hit) {
    // refresh LRU position
    parseCache.delete(key);
    parseCache.set(key, hit);
    return hit;
  }
  const cert = parseDer(der);
  parseCache.set(key, cert);
  if (parseCache.size > PARSE_CACHE_SIZE) parseCache.delete(parseCache.keys().next().value!);
  return cert;
}

/** Parses a PEM text that may hold several certificates (a trust-store bundle). */
export function parseCertificateBundle(input: CertificateInput): JpkiCertificate[] {
  const bytes = typeof input === 'string' ? null : asBytes(input);
  if (bytes && !looksLikePem(bytes)) return [parseCertificate(bytes)];
  const text = typeof input === 'string' ? input : pemText(bytes!);
  return decodePemCertificates(text).map((der) => parseCertificate(der));
}

function certificateDer(input: CertificateInput): Uint8Array {
  if (typeof input === 'string') return single(decodePemCertificates(input));
  const bytes = asBytes(input);
  if (bytes.length === 0) throw malformed('empty input');
  if (looksLikePem(bytes)) return single(decodePemCertificates(pemText(bytes)));
  return bytes;
}

function single(ders: Uint8Array[]): Uint8Array {
  if (ders.length !== 1) throw malformed(`expected one certificate, found ${ders.length}`);
  return ders[0]!;
}

function parseDer(input: Uint8Array): JpkiCertificate {
  // A private copy: callers may reuse their buffer, and the parsed views point into this one.
  const der = new Uint8Array(input);
  try {
    assertDer(der);
  } catch (err) {
    if (err instanceof DerError) throw malformed(`not DER: ${err.message}`, err);
    throw err;
  }
  const asn = decodeBer(der, malformed, 'certificate');
  let cert: pkijs.Certificate;
  try {
    cert = new pkijs.Certificate({ schema: asn });
  } catch (err) {
    throw malformed('not an X.509 certificate', err);
  }
  try {
    return new JpkiCertificate(der, cert);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw malformed('certificate fields cannot be read', err);
  }
}

/** Extensions whose structure the checks read (the others are kept as DER bytes). */
const STRUCTURED_EXTENSIONS = new Set<string>([
  OID.keyUsage, OID.basicConstraints, OID.certificatePolicies, OID.extKeyUsage, OID.authorityKeyIdentifier, OID.subjectKeyIdentifier,
]);

function readExtensions(cert: pkijs.Certificate): Map<string, ExtensionInfo> {
  const out = new Map<string, ExtensionInfo>();
  for (const ext of cert.extensions ?? []) {
    if (out.has(ext.extnID)) throw malformed(`duplicate extension ${ext.extnID}`);
    const value = ext.extnValue.valueBlock.valueHexView;
    try {
      assertDer(value);
    } catch (err) {
      throw malformed(`extension ${ext.extnID} is not DER`, err);
    }
    // pkijs builds an extension's structure only when asked, and that costs ~1 ms each for the
    // CRLDP, AIA and IAN on a first login; ask only for the ones the checks read. The rest are
    // still required to be DER (above) but are otherwise opaque to us.
    const parsed: unknown = STRUCTURED_EXTENSIONS.has(ext.extnID) ? ext.parsedValue : undefined;
    if (parsed && typeof parsed === 'object' && 'parsingError' in parsed && (parsed as { parsingError?: string }).parsingError) {
      throw malformed(`extension ${ext.extnID} cannot be parsed`);
    }
    out.set(ext.extnID, { critical: ext.critical, value, parsed });
  }
  return out;
}

function nameAttributes(name: pkijs.RelativeDistinguishedNames): NameAttribute[] {
  return name.typesAndValues.map((tv) => {
    const block = (tv.value as { valueBlock?: { value?: unknown } }).valueBlock;
    const value = typeof block?.value === 'string' ? block.value : `#${toHex(asBytes(tv.value.toBER()))}`;
    return { type: tv.type, value };
  });
}

/** `C=JP, O=JPKI, OU=…` in certificate order (the form SPEC §3 uses), RFC 4514 escaping. */
function formatName(attributes: readonly NameAttribute[]): string {
  return attributes.map((a) => `${NAME_ATTRIBUTE_LABELS[a.type] ?? a.type}=${escapeValue(a.value)}`).join(', ');
}

function escapeValue(value: string): string {
  if (value.startsWith('#') && /^#[0-9A-F]*$/.test(value)) return value;
  return value
    .replace(/([,+"\\<>;=])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}

function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

function malformed(detail: string, cause?: unknown): AppError {
  return new AppError('PKI_MALFORMED', { detail, cause });
}
