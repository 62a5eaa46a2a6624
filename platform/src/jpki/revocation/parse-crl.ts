import { AppError } from '../../shared/errors.js';
import { CrlEntries, META_LONG_SERIAL, META_NO_REASON } from './crl-entries.js';
import { checkIntegerContent, ctx, ctxPrim, DerCursor, malformed, readBigInteger, readBoolean, TAG } from './der.js';
import { readTimeSeconds } from './der-time.js';
import { readDistributionPointName } from './distribution-point.js';
import { serialKeyFromDer, type SerialKey } from './serial.js';

/** A CRL signature algorithm this platform accepts (SHA-256 or stronger, SPEC §3.6). */
export interface SignatureAlgorithm {
  name: 'sha256WithRSAEncryption' | 'sha384WithRSAEncryption' | 'sha512WithRSAEncryption' | 'ecdsa-with-SHA256' | 'ecdsa-with-SHA384' | 'ecdsa-with-SHA512';
  /** Digest name for `node:crypto` `verify()`. */
  hash: 'sha256' | 'sha384' | 'sha512';
  /** Whether the AlgorithmIdentifier carries (and requires) NULL parameters. */
  rsa: boolean;
}

/**
 * An X.509 v2 CRL (RFC 5280 §5) as read by `parseCrl`. `tbs`, `signature` and `issuerDer` are
 * views into the input buffer: copy them to keep them longer than the input.
 */
export interface ParsedCrl {
  /** The exact TBSCertList bytes (header included): what the signature covers. */
  tbs: Buffer;
  signatureAlgorithm: SignatureAlgorithm;
  /** The signature value (BIT STRING content without the unused-bits byte). */
  signature: Buffer;
  /** The issuer Name, DER (header included). */
  issuerDer: Buffer;
  thisUpdate: Date;
  nextUpdate: Date | null;
  /** cRLNumber extension (RFC 5280 §5.2.3), or null when absent. */
  crlNumber: bigint | null;
  /** authorityKeyIdentifier keyIdentifier (RFC 5280 §5.2.1) as lowercase hex, or null. */
  authorityKeyId: string | null;
  /** True when an issuingDistributionPoint limits the CRL to end-entity certificates. */
  onlyUserCerts: boolean;
  /**
   * The distribution point this CRL is the partition of (its critical issuingDistributionPoint's
   * DirName, as `readNameKey` spells it), or null for a CRL of the whole CA.
   */
  distributionPoint: string | null;
  entries: CrlEntries;
}

// OIDs as DER content bytes, compared in place.
const OID_RSA_PREFIX = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01]; // 1.2.840.113549.1.1
const OID_ECDSA_PREFIX = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03]; // 1.2.840.10045.4.3
const RSA_ALGORITHMS: Record<number, SignatureAlgorithm | 'weak'> = {
  0x02: 'weak', // md2
  0x04: 'weak', // md5
  0x05: 'weak', // sha1
  0x0e: 'weak', // sha224
  0x0b: { name: 'sha256WithRSAEncryption', hash: 'sha256', rsa: true },
  0x0c: { name: 'sha384WithRSAEncryption', hash: 'sha384', rsa: true },
  0x0d: { name: 'sha512WithRSAEncryption', hash: 'sha512', rsa: true },
};
const ECDSA_ALGORITHMS: Record<number, SignatureAlgorithm | 'weak'> = {
  0x01: 'weak', // sha224
  0x02: { name: 'ecdsa-with-SHA256', hash: 'sha256', rsa: false },
  0x03: { name: 'ecdsa-with-SHA384', hash: 'sha384', rsa: false },
  0x04: { name: 'ecdsa-with-SHA512', hash: 'sha512', rsa: false },
};
// id-ce extensions (2.5.29.x) are 55 1D xx.
const CE_CRL_NUMBER = 0x14;
const CE_REASON_CODE = 0x15;
const CE_INVALIDITY_DATE = 0x18;
const CE_DELTA_CRL_INDICATOR = 0x1b;
const CE_ISSUING_DISTRIBUTION_POINT = 0x1c;
const CE_CERTIFICATE_ISSUER = 0x1d;
const CE_AUTHORITY_KEY_IDENTIFIER = 0x23;

// The hot loop reads these through local bindings: under tsx every imported binding is a property
// getter, which cost a third of the parse time on 1,000,000 entries.
const T_INTEGER = 0x02;
const T_OID = 0x06;
const T_OCTET_STRING = 0x04;
const T_ENUMERATED = 0x0a;
const T_BOOLEAN = 0x01;
const T_GENERALIZED_TIME = 0x18;
const T_SEQUENCE = 0x30;
const M_LONG_SERIAL = META_LONG_SERIAL;
const M_NO_REASON = META_NO_REASON;
const timeSeconds = readTimeSeconds;
const integerCheck = checkIntegerContent;
const keyFromDer = serialKeyFromDer;
const booleanAt = readBoolean;

/** Smallest possible revokedCertificates entry: SEQUENCE(2) + INTEGER(3) + UTCTime(15). */
const MIN_ENTRY_BYTES = 20;
const MAX_UINT32 = 0xffff_ffff;

function unsupported(detail: string): AppError {
  return new AppError('PKI_CRL_UNSUPPORTED', { detail });
}

/** Dotted form of an OID's content bytes, for error details only. */
function oidToString(buf: Buffer, start: number, end: number): string {
  const arcs: number[] = [];
  let v = 0;
  for (let p = start; p < end; p++) {
    v = v * 128 + (buf[p]! & 0x7f);
    if (!(buf[p]! & 0x80)) {
      if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else arcs.push(v);
      v = 0;
    }
  }
  return arcs.join('.');
}

function startsWith(buf: Buffer, start: number, len: number, prefix: number[]): boolean {
  if (len !== prefix.length + 1) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

/** Returns the id-ce arc (2.5.29.x) of an OID's content, or -1 for any other OID. */
function idCeArc(buf: Buffer, start: number, len: number): number {
  return len === 3 && buf[start] === 0x55 && buf[start + 1] === 0x1d ? buf[start + 2]! : -1;
}

function readAlgorithm(c: DerCursor, limit: number): SignatureAlgorithm {
  const algEnd = c.expect(TAG.SEQUENCE, limit, 'signature AlgorithmIdentifier');
  const oidEnd = c.expect(TAG.OID, algEnd, 'signature algorithm OID');
  const { buf } = c;
  const oidStart = c.pos;
  const len = c.len;
  let found: SignatureAlgorithm | 'weak' | undefined;
  if (startsWith(buf, oidStart, len, OID_RSA_PREFIX)) found = RSA_ALGORITHMS[buf[oidEnd - 1]!];
  else if (startsWith(buf, oidStart, len, OID_ECDSA_PREFIX)) found = ECDSA_ALGORITHMS[buf[oidEnd - 1]!];
  const oid = oidToString(buf, oidStart, oidEnd);
  if (found === 'weak') throw new AppError('PKI_WEAK_ALGORITHM', { detail: `CRL signed with ${oid}` });
  if (!found) throw unsupported(`CRL signature algorithm ${oid} is not supported`);
  c.pos = oidEnd;
  if (found.rsa && c.pos < algEnd) {
    // RFC 4055 §5: parameters are NULL; some encoders omit them, which we also accept.
    c.expect(TAG.NULL, algEnd, 'algorithm parameters');
    if (c.len !== 0) throw malformed('NULL with content', c.pos);
  }
  if (c.pos !== algEnd) throw malformed('unexpected algorithm parameters', c.pos);
  return found;
}

function readTime(c: DerCursor, limit: number): number {
  const tag = c.header(limit);
  const seconds = readTimeSeconds(c.buf, tag, c.pos, c.len);
  c.pos += c.len;
  return seconds;
}

/** Reads one Extension's header fields; leaves the cursor on the extnValue content. */
interface ExtensionHead {
  arc: number;
  critical: boolean;
  oid: string;
  valueEnd: number;
}

function readExtensionHead(c: DerCursor, limit: number): ExtensionHead {
  const extEnd = c.expect(TAG.SEQUENCE, limit, 'Extension');
  const oidEnd = c.expect(TAG.OID, extEnd, 'extnID');
  const arc = idCeArc(c.buf, c.pos, c.len);
  const oidStart = c.pos;
  c.pos = oidEnd;
  let critical = false;
  if (c.peek(extEnd) === TAG.BOOLEAN) critical = readBoolean(c, extEnd, 'critical');
  const valueEnd = c.expect(TAG.OCTET_STRING, extEnd, 'extnValue');
  if (valueEnd !== extEnd) throw malformed('bytes after extnValue', valueEnd);
  return { arc, critical, oid: arc >= 0 ? `2.5.29.${arc}` : oidToString(c.buf, oidStart, oidEnd), valueEnd };
}

/** Fields of `crlExtensions` (RFC 5280 §5.2). */
function readCrlExtensions(c: DerCursor, limit: number, out: ParsedCrl): void {
  const seqEnd = c.expect(TAG.SEQUENCE, limit, 'crlExtensions');
  if (c.pos === seqEnd) throw malformed('empty crlExtensions', c.pos);
  const seen = new Set<string>();
  while (c.pos < seqEnd) {
    const ext = readExtensionHead(c, seqEnd);
    if (seen.has(ext.oid)) throw malformed(`extension ${ext.oid} appears twice`, c.pos);
    seen.add(ext.oid);
    switch (ext.arc) {
      case CE_CRL_NUMBER: {
        out.crlNumber = readBigInteger(c, ext.valueEnd, 'cRLNumber');
        if (out.crlNumber < 0n) throw malformed('negative cRLNumber', c.pos);
        break;
      }
      case CE_AUTHORITY_KEY_IDENTIFIER: {
        const akiEnd = c.expect(TAG.SEQUENCE, ext.valueEnd, 'AuthorityKeyIdentifier');
        if (c.peek(akiEnd) === ctxPrim(0)) {
          c.header(akiEnd);
          out.authorityKeyId = c.buf.toString('hex', c.pos, c.pos + c.len);
        }
        c.pos = akiEnd; // authorityCertIssuer and authorityCertSerialNumber are not needed
        break;
      }
      case CE_ISSUING_DISTRIBUTION_POINT: {
        // A partition (J-LIS: one per municipality) covers only the certificates naming its DP:
        // the store files it under that DP and never applies it to others. Anything else that
        // narrows the scope (reasons, CA-only, indirect, a DP that is not one DirName) is refused.
        const idpEnd = c.expect(TAG.SEQUENCE, ext.valueEnd, 'IssuingDistributionPoint');
        if (c.peek(idpEnd) === ctx(0)) {
          const dpEnd = c.expect(ctx(0), idpEnd, 'distributionPoint');
          const dp = readDistributionPointName(c, dpEnd);
          if (dp === null) throw unsupported('issuingDistributionPoint that is not one directoryName');
          // RFC 5280 §5.2.5: critical, so a verifier that does not understand it cannot take a
          // partition for the whole CA's list.
          if (!ext.critical) throw unsupported('partitioned CRL whose issuingDistributionPoint is not critical');
          out.distributionPoint = dp;
        }
        while (c.pos < idpEnd) {
          const at = c.pos;
          const tag = c.header(idpEnd);
          if (tag !== ctxPrim(1)) throw unsupported(`issuingDistributionPoint field [${tag & 0x1f}] (scoped or indirect CRL)`);
          if (c.len !== 1 || (c.buf[c.pos] !== 0xff && c.buf[c.pos] !== 0)) throw malformed('onlyContainsUserCerts', at);
          out.onlyUserCerts = c.buf[c.pos] === 0xff;
          c.pos += c.len;
        }
        break;
      }
      case CE_DELTA_CRL_INDICATOR:
        throw unsupported('delta CRLs are not supported');
      default:
        if (ext.critical) throw unsupported(`unknown critical CRL extension ${ext.oid}`);
        c.pos = ext.valueEnd;
    }
    if (c.pos !== ext.valueEnd) throw malformed(`bytes after extension ${ext.oid} value`, c.pos);
  }
}

/**
 * Parses a DER X.509 v2 CRL in one pass (RFC 5280 §5.1). The revoked certificates go straight
 * into typed arrays; nothing is allocated per entry unless a serial needs more than 64 bits.
 * Strict DER: any truncation, bad length, trailing byte or malformed field is PKI_MALFORMED; a
 * signature algorithm below SHA-256 is PKI_WEAK_ALGORITHM; a partition names its DP in
 * `distributionPoint`; delta, reason-scoped or indirect CRLs and
 * unknown critical extensions are PKI_CRL_UNSUPPORTED. The signature is NOT checked here (see
 * `verifyCrlSignature`).
 */
export function parseCrl(der: Buffer): ParsedCrl {
  if (!Buffer.isBuffer(der)) throw malformed('CRL must be a Buffer');
  const c = new DerCursor(der);
  const outerEnd = c.expect(TAG.SEQUENCE, der.length, 'CertificateList');
  if (outerEnd !== der.length) throw malformed('trailing bytes after the CRL', outerEnd);

  const tbsStart = c.pos;
  const tbsEnd = c.expect(TAG.SEQUENCE, outerEnd, 'TBSCertList');
  if (c.peek(tbsEnd) !== TAG.INTEGER) throw unsupported('version 1 CRL (RFC 5280 requires v2)');
  if (readBigInteger(c, tbsEnd, 'version') !== 1n) throw unsupported('CRL version is not v2');
  const sigAlgStart = c.pos;
  const signatureAlgorithm = readAlgorithm(c, tbsEnd);
  const sigAlgBytes = der.subarray(sigAlgStart, c.pos);

  const issuerStart = c.pos;
  const issuerEnd = c.expect(TAG.SEQUENCE, tbsEnd, 'issuer');
  const issuerDer = der.subarray(issuerStart, issuerEnd);
  c.pos = issuerEnd;

  const thisUpdate = readTime(c, tbsEnd);
  let nextUpdate: number | null = null;
  const next = c.peek(tbsEnd);
  if (next === TAG.UTC_TIME || next === TAG.GENERALIZED_TIME) {
    nextUpdate = readTime(c, tbsEnd);
    if (nextUpdate < thisUpdate) throw malformed('nextUpdate is before thisUpdate');
  }

  const out: ParsedCrl = {
    tbs: der.subarray(tbsStart, tbsEnd),
    signatureAlgorithm,
    signature: der.subarray(0, 0),
    issuerDer,
    thisUpdate: new Date(thisUpdate * 1000),
    nextUpdate: nextUpdate === null ? null : new Date(nextUpdate * 1000),
    crlNumber: null,
    authorityKeyId: null,
    onlyUserCerts: false,
    distributionPoint: null,
    entries: EMPTY_ENTRIES,
  };

  if (c.peek(tbsEnd) === TAG.SEQUENCE) out.entries = readRevokedCertificates(c, tbsEnd);
  if (c.peek(tbsEnd) === ctx(0)) {
    const extsEnd = c.expect(ctx(0), tbsEnd, 'crlExtensions');
    readCrlExtensions(c, extsEnd, out);
    if (c.pos !== extsEnd) throw malformed('bytes after crlExtensions', c.pos);
  }
  if (c.pos !== tbsEnd) throw malformed('unexpected field in TBSCertList', c.pos);

  const outerAlgStart = c.pos;
  readAlgorithm(c, outerEnd);
  // RFC 5280 §5.1.1.2: the outer algorithm MUST equal TBSCertList.signature.
  if (!der.subarray(outerAlgStart, c.pos).equals(sigAlgBytes)) throw malformed('signatureAlgorithm differs from TBSCertList.signature', outerAlgStart);
  const sigEnd = c.expect(TAG.BIT_STRING, outerEnd, 'signatureValue');
  if (c.len < 2 || der[c.pos] !== 0) throw malformed('signatureValue must be whole bytes', c.pos);
  out.signature = der.subarray(c.pos + 1, sigEnd);
  if (sigEnd !== outerEnd) throw malformed('unexpected field after signatureValue', sigEnd);
  return out;
}

const EMPTY_ENTRIES = new CrlEntries(0, new Uint32Array(0), null, new Uint32Array(0), new Uint8Array(0), null, null);

/** The hot loop: `revokedCertificates`, straight into typed arrays. */
function readRevokedCertificates(c: DerCursor, limit: number): CrlEntries {
  const listEnd = c.expect(T_SEQUENCE, limit, 'revokedCertificates');
  const buf = c.buf;
  // RFC 5280 §5.1.2.6: when there are no revoked certificates the list MUST be absent.
  if (c.pos === listEnd) throw malformed('empty revokedCertificates', c.pos);
  // An upper bound on the count, so nothing grows inside the loop; trimmed at the end.
  const capacity = Math.ceil((listEnd - c.pos) / MIN_ENTRY_BYTES);
  let lo = new Uint32Array(capacity);
  let hi: Uint32Array | null = null;
  let revokedAt = new Uint32Array(capacity);
  let meta = new Uint8Array(capacity);
  let invalidAt: Uint32Array | null = null;
  let long: Map<string, number> | null = null;
  const key: SerialKey = { hi: 0, lo: 0, long: null };
  let n = 0;

  while (c.pos < listEnd) {
    const entryEnd = c.expect(T_SEQUENCE, listEnd, 'revokedCertificate');
    const serialEnd = c.expect(T_INTEGER, entryEnd, 'userCertificate');
    const serialLen = c.len;
    integerCheck(buf, c.pos, serialLen, 'userCertificate');
    if (serialLen > 64) throw malformed('serial number longer than 64 bytes', c.pos);
    keyFromDer(buf, c.pos, serialLen, key);
    c.pos = serialEnd;
    if (key.long !== null) {
      long ??= new Map();
      if (!long.has(key.long)) long.set(key.long, n);
      meta[n] = M_LONG_SERIAL;
    } else {
      lo[n] = key.lo;
      if (key.hi !== 0) (hi ??= new Uint32Array(capacity))[n] = key.hi;
    }

    const timeTag = c.header(entryEnd);
    const at = timeSeconds(buf, timeTag, c.pos, c.len);
    c.pos += c.len;
    if (at < 0 || at > MAX_UINT32) throw malformed('revocationDate outside 1970–2106', c.pos);
    revokedAt[n] = at;

    let reason = M_NO_REASON;
    if (c.pos < entryEnd) {
      const extsEnd = c.expect(T_SEQUENCE, entryEnd, 'crlEntryExtensions');
      if (c.pos === extsEnd) throw malformed('empty crlEntryExtensions', c.pos);
      let seen = 0;
      while (c.pos < extsEnd) {
        const extEnd = c.expect(T_SEQUENCE, extsEnd, 'Extension');
        const oidEnd = c.expect(T_OID, extEnd, 'extnID');
        const arc = idCeArc(buf, c.pos, c.len);
        const oidStart = c.pos;
        c.pos = oidEnd;
        let critical = false;
        if (c.peek(extEnd) === T_BOOLEAN) critical = booleanAt(c, extEnd, 'critical');
        const valueEnd = c.expect(T_OCTET_STRING, extEnd, 'extnValue');
        if (valueEnd !== extEnd) throw malformed('bytes after extnValue', valueEnd);
        if (arc === CE_REASON_CODE) {
          if (seen & 1) throw malformed('reasonCode appears twice', c.pos);
          seen |= 1;
          c.expect(T_ENUMERATED, valueEnd, 'reasonCode');
          const code = c.len === 1 ? buf[c.pos]! : -1;
          // 7 is unassigned; removeFromCRL (8) only belongs in delta CRLs (RFC 5280 §5.3.1).
          if (code < 0 || code > 10 || code === 7 || code === 8) throw malformed(`reasonCode ${code} is not valid in a full CRL`, c.pos);
          reason = code;
          c.pos += c.len;
        } else if (arc === CE_INVALIDITY_DATE) {
          if (seen & 2) throw malformed('invalidityDate appears twice', c.pos);
          seen |= 2;
          const tag = c.header(valueEnd);
          if (tag !== T_GENERALIZED_TIME) throw malformed('invalidityDate must be GeneralizedTime', c.pos);
          const t = timeSeconds(buf, tag, c.pos, c.len);
          c.pos += c.len;
          if (t <= 0 || t > MAX_UINT32) throw malformed('invalidityDate outside 1970–2106', c.pos);
          (invalidAt ??= new Uint32Array(capacity))[n] = t;
        } else if (arc === CE_CERTIFICATE_ISSUER) {
          throw unsupported('certificateIssuer entry extension (indirect CRL)');
        } else if (critical) {
          throw unsupported(`unknown critical CRL entry extension ${oidToString(buf, oidStart, oidEnd)}`);
        } else {
          c.pos = valueEnd;
        }
        if (c.pos !== valueEnd) throw malformed('bytes after entry extension value', c.pos);
      }
    }
    if (c.pos !== entryEnd) throw malformed('unexpected field in revokedCertificate', c.pos);
    meta[n] = (meta[n]! & M_LONG_SERIAL) | reason;
    n++;
  }

  if (n < capacity) {
    lo = lo.slice(0, n);
    if (hi) hi = hi.slice(0, n);
    revokedAt = revokedAt.slice(0, n);
    meta = meta.slice(0, n);
    if (invalidAt) invalidAt = invalidAt.slice(0, n);
  }
  return new CrlEntries(n, lo, hi, revokedAt, meta, invalidAt, long);
}
