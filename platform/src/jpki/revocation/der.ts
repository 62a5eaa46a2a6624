import { AppError } from '../../shared/errors.js';

/** DER tags used by CRLs and certificates (X.690 §8). */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag `[n]`, constructed. */
export const ctx = (n: number): number => 0xa0 | n;
/** Context-specific tag `[n]`, primitive (IMPLICIT over a primitive type). */
export const ctxPrim = (n: number): number => 0x80 | n;

/** The one way this module fails: PKI_MALFORMED, with where and what in the logged detail. */
export function malformed(what: string, at?: number): AppError {
  return new AppError('PKI_MALFORMED', { detail: at === undefined ? what : `${what} (at byte ${at})` });
}

/**
 * A forward-only cursor over DER bytes that allocates nothing per element: `header(limit)` reads
 * one tag and length, leaves `pos` on the first content byte and the length in `len`; the caller
 * moves `pos` on. Every length is checked against the enclosing element's end, so a truncated or
 * overlong element is caught where it is read. Only DER is accepted (X.690 §10.1): definite,
 * minimal lengths; single-byte tags.
 */
export class DerCursor {
  pos: number;
  /** Content length of the element whose header was read last. */
  len = 0;

  constructor(
    readonly buf: Buffer,
    pos = 0,
  ) {
    this.pos = pos;
  }

  /** Reads a header ending no later than `limit`; returns the tag. */
  header(limit: number): number {
    const buf = this.buf;
    let p = this.pos;
    if (p + 2 > limit) throw malformed('truncated element header', p);
    const tag = buf[p++]!;
    if ((tag & 0x1f) === 0x1f) throw malformed('multi-byte tag', p - 1);
    let len = buf[p++]!;
    if (len >= 0x80) {
      const n = len & 0x7f;
      if (n === 0) throw malformed('indefinite length is not DER', p - 1);
      if (n > 4) throw malformed('length too large', p - 1);
      if (p + n > limit) throw malformed('truncated length', p);
      if (buf[p] === 0) throw malformed('non-minimal length', p);
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
      if (len < 0x80) throw malformed('non-minimal length', p - n);
    }
    if (p + len > limit) throw malformed('element runs past its container', p);
    this.pos = p;
    this.len = len;
    return tag;
  }

  /** Reads a header that must carry `tag`; returns the content end. */
  expect(tag: number, limit: number, what: string): number {
    const at = this.pos;
    const got = this.header(limit);
    if (got !== tag) throw malformed(`${what}: expected tag 0x${tag.toString(16)}, got 0x${got.toString(16)}`, at);
    return this.pos + this.len;
  }

  /** Skips one whole element; returns its tag. */
  skip(limit: number): number {
    const tag = this.header(limit);
    this.pos += this.len;
    return tag;
  }

  /** Tag of the next element, or -1 at `limit`. */
  peek(limit: number): number {
    return this.pos < limit ? this.buf[this.pos]! : -1;
  }
}

/** Reads a BOOLEAN's content (DER: 0x00 or 0xFF). */
export function readBoolean(c: DerCursor, limit: number, what: string): boolean {
  const end = c.expect(TAG.BOOLEAN, limit, what);
  if (c.len !== 1) throw malformed(`${what}: BOOLEAN of length ${c.len}`, c.pos);
  const v = c.buf[c.pos]!;
  if (v !== 0 && v !== 0xff) throw malformed(`${what}: BOOLEAN is not DER`, c.pos);
  c.pos = end;
  return v === 0xff;
}

/** Checks X.690 §8.3.2: an INTEGER's content is non-empty and minimal. */
export function checkIntegerContent(buf: Buffer, start: number, len: number, what: string): void {
  if (len === 0) throw malformed(`${what}: empty INTEGER`, start);
  if (len > 1) {
    const a = buf[start]!;
    const b = buf[start + 1]!;
    if ((a === 0 && b < 0x80) || (a === 0xff && b >= 0x80)) throw malformed(`${what}: non-minimal INTEGER`, start);
  }
}

/** Reads an INTEGER of any size as a bigint. */
export function readBigInteger(c: DerCursor, limit: number, what: string): bigint {
  const end = c.expect(TAG.INTEGER, limit, what);
  checkIntegerContent(c.buf, c.pos, c.len, what);
  let v = 0n;
  for (let p = c.pos; p < end; p++) v = (v << 8n) | BigInt(c.buf[p]!);
  if (c.buf[c.pos]! & 0x80) v -= 1n << BigInt(8 * c.len);
  c.pos = end;
  return v;
}
