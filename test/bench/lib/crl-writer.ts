import { sign, type KeyObject } from 'node:crypto';
import { bitString, derLength, explicit, extension, integer, integerContent, nullValue, oid, seq, time, tlv } from './der-writer.js';

/**
 * A fast DER CRL writer for tests and the benchmark: entries are written straight into one
 * buffer (1,000,000 in about a second), the TBSCertList is signed with node:crypto. It can also
 * write what a real CA must not (weak algorithms, odd extensions) so the parser's refusals can be
 * tested.
 */

/** One revoked certificate; the writer reuses one object for every entry (no per-entry garbage). */
export interface CrlEntrySpec {
  /** A number (≤ 2^53), a bigint, or DER INTEGER content bytes written as given. */
  serial: number | bigint | Buffer;
  /** revocationDate, seconds since the epoch. */
  revokedAt: number;
  /** CRLReason code, or null for no reasonCode extension. */
  reason: number | null;
  /** invalidityDate, seconds since the epoch, or null. */
  invalidityDate: number | null;
}

/** The signer: a CA's key and the Name and key identifier written into the CRL. */
export interface CrlSigner {
  privateKey: KeyObject;
  subjectDer: Buffer;
  skiHex: string;
}

export interface CrlSpec {
  signer: CrlSigner;
  thisUpdate: Date;
  /** null omits nextUpdate. */
  nextUpdate: Date | null;
  /** null omits the cRLNumber extension. */
  crlNumber: bigint | number | null;
  /** Number of entries; `entry(i, out)` fills entry `i`. */
  count: number;
  entry?: (i: number, out: CrlEntrySpec) => void;
  /** Digest for signing (default sha256); `signatureOid` overrides the written algorithm. */
  hash?: string;
  signatureOid?: string;
  /** Write the AKI extension (default true). */
  authorityKeyId?: boolean;
  /** Further DER Extensions appended to crlExtensions. */
  extraExtensions?: Buffer[];
  /** Raw DER entry extensions appended to entry `i` (tests only; slow path). */
  entryExtensions?: (i: number) => Buffer[] | null;
}

const SIG_OIDS: Record<string, string> = {
  sha1: '1.2.840.113549.1.1.5',
  sha256: '1.2.840.113549.1.1.11',
  sha384: '1.2.840.113549.1.1.12',
  sha512: '1.2.840.113549.1.1.13',
};

/** Deterministic distinct positive 31-bit serials (an odd multiplier is a bijection mod 2^31). */
export function serialAt(i: number): number {
  return (Math.imul(i + 1, 0x2f0b3a49) & 0x7fffffff) || 0x7fffffff;
}

/** The default entry: JPKI-like 31-bit serials, a reason on most entries, an invalidityDate on 1%. */
export function defaultEntry(base: number): (i: number, out: CrlEntrySpec) => void {
  const reasons = [null, 0, 1, 3, 4, 5, 6, 9];
  return (i, out) => {
    out.serial = serialAt(i);
    out.revokedAt = base - (i % 31_536_000);
    out.reason = reasons[i % reasons.length]!;
    out.invalidityDate = i % 100 === 7 ? out.revokedAt - 86_400 : null;
  };
}

/** Writes a Time for `seconds` at `p` (UTCTime 1950–2049, else GeneralizedTime); returns the new offset. */
function writeTime(buf: Buffer, p: number, seconds: number, generalized: boolean): number {
  let days = Math.floor(seconds / 86400);
  let rem = seconds - days * 86400;
  // civil_from_days (H. Hinnant)
  days += 719468;
  const era = Math.floor(days / 146097);
  const doe = days - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const hh = Math.floor(rem / 3600);
  rem -= hh * 3600;
  const mi = Math.floor(rem / 60);
  const ss = rem - mi * 60;
  const utc = !generalized && y >= 1950 && y < 2050;
  buf[p++] = utc ? 0x17 : 0x18;
  buf[p++] = utc ? 13 : 15;
  if (!utc) p = writeTwoDigits(buf, p, Math.floor(y / 100));
  p = writeTwoDigits(buf, p, y % 100);
  p = writeTwoDigits(buf, p, m);
  p = writeTwoDigits(buf, p, d);
  p = writeTwoDigits(buf, p, hh);
  p = writeTwoDigits(buf, p, mi);
  p = writeTwoDigits(buf, p, ss);
  buf[p++] = 0x5a;
  return p;
}

function writeLength(buf: Buffer, p: number, len: number): number {
  if (len < 0x80) {
    buf[p++] = len;
  } else if (len < 0x100) {
    buf[p++] = 0x81;
    buf[p++] = len;
  } else if (len < 0x10000) {
    buf[p++] = 0x82;
    buf[p++] = len >>> 8;
    buf[p++] = len & 0xff;
  } else if (len < 0x1000000) {
    buf[p++] = 0x83;
    buf[p++] = len >>> 16;
    buf[p++] = (len >>> 8) & 0xff;
    buf[p++] = len & 0xff;
  } else {
    buf[p++] = 0x84;
    buf.writeUInt32BE(len, p);
    p += 4;
  }
  return p;
}

function writeTwoDigits(buf: Buffer, p: number, v: number): number {
  buf[p] = 0x30 + Math.floor(v / 10);
  buf[p + 1] = 0x30 + (v % 10);
  return p + 2;
}

// Extension { id-ce-reasonCode, OCTET STRING { ENUMERATED } } minus the final code byte.
const REASON_EXT = Buffer.from('300a0603551d150403 0a01'.replace(/ /g, ''), 'hex');
// Extension { id-ce-invalidityDate, OCTET STRING { GeneralizedTime } } minus the time.
const INVALIDITY_EXT = Buffer.from('30180603551d180411', 'hex');

/** Writes the revokedCertificates SEQUENCE (header included). */
function writeEntries(spec: CrlSpec): Buffer {
  const fill = spec.entry ?? defaultEntry(Math.floor(spec.thisUpdate.getTime() / 1000));
  const out: CrlEntrySpec = { serial: 0, revokedAt: 0, reason: null, invalidityDate: null };
  let buf = Buffer.allocUnsafe(Math.max(1024, spec.count * 72));
  let p = 8; // room for the SEQUENCE header, written last
  const scratch = Buffer.allocUnsafe(4096);
  for (let i = 0; i < spec.count; i++) {
    out.reason = null;
    out.invalidityDate = null;
    fill(i, out);
    const extra = spec.entryExtensions?.(i) ?? null;
    // Build the entry content in scratch (small), then its header into buf.
    let q = 0;
    scratch[q++] = 0x02;
    if (typeof out.serial === 'number' && out.serial >= 0 && out.serial <= 0x7fffffff) {
      const s = out.serial;
      const n = s < 0x80 ? 1 : s < 0x8000 ? 2 : s < 0x800000 ? 3 : 4;
      scratch[q++] = n;
      for (let k = n - 1; k >= 0; k--) scratch[q++] = (s >>> (8 * k)) & 0xff;
    } else {
      const content = Buffer.isBuffer(out.serial) ? out.serial : integerContent(out.serial);
      q = writeLength(scratch, q, content.length);
      content.copy(scratch, q);
      q += content.length;
    }
    q = writeTime(scratch, q, out.revokedAt, false);
    if (out.reason !== null || out.invalidityDate !== null || extra) {
      const extraBody = extra ? Buffer.concat(extra) : null;
      const bodyLen = (out.reason !== null ? 12 : 0) + (out.invalidityDate !== null ? 26 : 0) + (extraBody?.length ?? 0);
      scratch[q++] = 0x30;
      q = writeLength(scratch, q, bodyLen);
      if (out.reason !== null) {
        REASON_EXT.copy(scratch, q);
        q += REASON_EXT.length;
        scratch[q++] = out.reason;
      }
      if (out.invalidityDate !== null) {
        INVALIDITY_EXT.copy(scratch, q);
        q = writeTime(scratch, q + INVALIDITY_EXT.length, out.invalidityDate, true);
      }
      if (extraBody) {
        extraBody.copy(scratch, q);
        q += extraBody.length;
      }
    }
    if (p + q + 8 > buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, p);
      buf = bigger;
    }
    buf[p++] = 0x30;
    p = writeLength(buf, p, q);
    scratch.copy(buf, p, 0, q);
    p += q;
  }
  const header = Buffer.concat([Buffer.of(0x30), derLength(p - 8)]);
  header.copy(buf, 8 - header.length);
  return buf.subarray(8 - header.length, p);
}

/** The TBSCertList of `spec` (unsigned). */
export function writeTbsCertList(spec: CrlSpec): Buffer {
  const hash = spec.hash ?? 'sha256';
  const algorithm = seq(oid(spec.signatureOid ?? SIG_OIDS[hash]!), nullValue());
  const exts: Buffer[] = [];
  if (spec.authorityKeyId !== false) exts.push(extension('2.5.29.35', seq(tlv(0x80, Buffer.from(spec.signer.skiHex, 'hex')))));
  if (spec.crlNumber !== null) exts.push(extension('2.5.29.20', integer(spec.crlNumber)));
  exts.push(...(spec.extraExtensions ?? []));
  return seq(
    integer(1),
    algorithm,
    spec.signer.subjectDer,
    time(spec.thisUpdate),
    ...(spec.nextUpdate ? [time(spec.nextUpdate)] : []),
    ...(spec.count > 0 ? [writeEntries(spec)] : []),
    ...(exts.length ? [explicit(0, seq(...exts))] : []),
  );
}

/** A signed DER CRL. */
export function writeCrl(spec: CrlSpec): Buffer {
  const hash = spec.hash ?? 'sha256';
  const tbs = writeTbsCertList(spec);
  const signature = sign(hash, tbs, spec.signer.privateKey);
  return seq(tbs, seq(oid(spec.signatureOid ?? SIG_OIDS[hash]!), nullValue()), bitString(signature));
}
