import { AppError } from '../../shared/errors.js';

/**
 * A certificate serial number as the revocation index compares it: a non-negative serial below
 * 2^64 is the pair (`hi`, `lo`) of unsigned 32-bit halves, the fast path (JPKI serials are
 * positive and at most 4 bytes, SPEC §3.4, so `hi` is 0 in practice). Anything else (RFC 5280
 * allows 20 octets; non-conforming CAs issue negative serials) goes in `long` as lowercase
 * minimal hex of the magnitude, prefixed by `-` when negative.
 */
export interface SerialKey {
  hi: number;
  lo: number;
  long: string | null;
}

/**
 * A serial as callers hold it: a `number` (safe integer), a `bigint`, a hex string (as
 * `X509Certificate#serialNumber` or `openssl` print it; colons and a leading `-` allowed), or the
 * content bytes of the DER INTEGER (two's complement, big-endian).
 */
export type SerialInput = number | bigint | string | Uint8Array;

const HEX = /^-?[0-9a-fA-F]+$/;
const TWO_POW_32 = 0x1_0000_0000;

function invalid(detail: string): AppError {
  return new AppError('REQ_INVALID', { detail: `serial: ${detail}` });
}

function fromMagnitudeHex(hex: string, negative: boolean, out: SerialKey): void {
  let i = 0;
  while (i < hex.length - 1 && hex.charCodeAt(i) === 0x30) i++;
  const h = i ? hex.slice(i) : hex;
  if (!negative && h.length <= 16) {
    out.long = null;
    out.hi = h.length > 8 ? parseInt(h.slice(0, -8), 16) : 0;
    out.lo = parseInt(h.length > 8 ? h.slice(-8) : h, 16);
    return;
  }
  out.hi = 0;
  out.lo = 0;
  out.long = negative && h !== '0' ? `-${h.toLowerCase()}` : h.toLowerCase();
}

/**
 * Sets `out` to the key of the DER INTEGER content `buf[start, start + len)`. Called once per CRL
 * entry: serials of up to 8 magnitude bytes are folded without allocating.
 */
export function serialKeyFromDer(buf: Uint8Array, start: number, len: number, out: SerialKey): void {
  if (buf[start]! & 0x80) {
    let v = 0n;
    for (let p = start; p < start + len; p++) v = (v << 8n) | BigInt(buf[p]!);
    v = (1n << BigInt(8 * len)) - v;
    fromMagnitudeHex(v.toString(16), true, out);
    return;
  }
  if (buf[start] === 0 && len > 1) {
    start++;
    len--;
  }
  if (len <= 8) {
    let hi = 0;
    let lo = 0;
    for (let p = start, end = start + len; p < end; p++) {
      hi = ((hi << 8) | (lo >>> 24)) >>> 0;
      lo = ((lo << 8) | buf[p]!) >>> 0;
    }
    out.hi = hi;
    out.lo = lo;
    out.long = null;
    return;
  }
  fromMagnitudeHex(Buffer.from(buf.buffer, buf.byteOffset + start, len).toString('hex'), false, out);
}

/**
 * The common case of a hex serial, without a regex or substrings: at most 16 significant digits,
 * colons allowed, no sign. Returns false (leaving the slow path to decide) for anything else.
 */
function shortHex(s: string, out: SerialKey): boolean {
  let hi = 0;
  let lo = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let v: number;
    if (c >= 0x30 && c <= 0x39) v = c - 0x30;
    else if (c >= 0x41 && c <= 0x46) v = c - 0x37;
    else if (c >= 0x61 && c <= 0x66) v = c - 0x57;
    else if (c === 0x3a) continue;
    else return false;
    if (digits === 0 && v === 0) continue;
    if (++digits > 16) return false;
    hi = ((hi << 4) | (lo >>> 28)) >>> 0;
    lo = ((lo << 4) | v) >>> 0;
  }
  if (s.length === 0 || s.charCodeAt(0) === 0x3a || s.charCodeAt(s.length - 1) === 0x3a) return false;
  out.hi = hi;
  out.lo = lo;
  out.long = null;
  return true;
}

/** Sets `out` to the key of a caller's serial; a value that is not a serial is REQ_INVALID. */
export function serialKeyFrom(serial: SerialInput, out: SerialKey): void {
  if (typeof serial === 'number') {
    if (!Number.isSafeInteger(serial)) throw invalid('a number serial must be a safe integer');
    if (serial >= 0) {
      out.hi = Math.floor(serial / TWO_POW_32);
      out.lo = serial >>> 0;
      out.long = null;
    } else {
      fromMagnitudeHex((-serial).toString(16), true, out);
    }
  } else if (typeof serial === 'bigint') {
    if (serial >= 0n && serial < 1n << 64n) {
      out.hi = Number(serial >> 32n);
      out.lo = Number(serial & 0xffff_ffffn);
      out.long = null;
    } else {
      fromMagnitudeHex((serial < 0n ? -serial : serial).toString(16), serial < 0n, out);
    }
  } else if (typeof serial === 'string') {
    if (shortHex(serial, out)) return;
    const s = serial.includes(':') ? serial.replaceAll(':', '') : serial;
    if (!HEX.test(s)) throw invalid('not a hex string');
    const negative = s.charCodeAt(0) === 0x2d;
    fromMagnitudeHex(negative ? s.slice(1) : s, negative, out);
  } else if (serial instanceof Uint8Array) {
    if (serial.length === 0) throw invalid('empty');
    serialKeyFromDer(serial, 0, serial.length, out);
  } else {
    throw invalid('unsupported type');
  }
}

/** A serial key as uppercase hex (`-` prefixed when negative), for logs and tests. */
export function serialKeyToHex(key: SerialKey): string {
  if (key.long !== null) return key.long.toUpperCase();
  const v = (BigInt(key.hi) << 32n) | BigInt(key.lo);
  const hex = v.toString(16).toUpperCase();
  return hex.length % 2 ? `0${hex}` : hex;
}
