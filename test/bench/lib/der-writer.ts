/**
 * A tiny DER encoder for test fixtures and benchmarks: enough to build CRLs and CA certificates
 * byte by byte (X.690 §8/§10). Not for product code.
 */

/** DER length octets for `len`. */
export function derLength(len: number): Buffer {
  if (len < 0x80) return Buffer.of(len);
  const bytes: number[] = [];
  for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One element: tag, length, content. */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.of(tag), derLength(body.length), body]);
}

export const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c);
export const set = (...c: Buffer[]): Buffer => tlv(0x31, ...c);
export const octets = (b: Buffer): Buffer => tlv(0x04, b);
export const bitString = (b: Buffer): Buffer => tlv(0x03, Buffer.of(0), b);
export const nullValue = (): Buffer => Buffer.of(0x05, 0x00);
export const bool = (v: boolean): Buffer => Buffer.of(0x01, 0x01, v ? 0xff : 0x00);
export const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
export const printable = (s: string): Buffer => tlv(0x13, Buffer.from(s, 'latin1'));
export const explicit = (n: number, ...c: Buffer[]): Buffer => tlv(0xa0 | n, ...c);

/** Minimal two's-complement content bytes of an integer (X.690 §8.3). */
export function integerContent(v: bigint | number): Buffer {
  let n = BigInt(v);
  const bytes: number[] = [];
  if (n >= 0n) {
    do {
      bytes.unshift(Number(n & 0xffn));
      n >>= 8n;
    } while (n > 0n);
    if (bytes[0]! & 0x80) bytes.unshift(0);
  } else {
    do {
      bytes.unshift(Number(n & 0xffn));
      n >>= 8n;
    } while (n < -1n || !(bytes[0]! & 0x80));
  }
  return Buffer.from(bytes);
}

export const integer = (v: bigint | number): Buffer => tlv(0x02, integerContent(v));

/** An OBJECT IDENTIFIER from dotted form. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [];
    let v = arc;
    do {
      chunk.unshift((v & 0x7f) | (chunk.length ? 0x80 : 0));
      v = Math.floor(v / 128);
    } while (v > 0);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** RFC 5280 Time: UTCTime for 1950–2049, else GeneralizedTime (or GeneralizedTime when forced). */
export function time(d: Date, generalized = false): Buffer {
  const y = d.getUTCFullYear();
  const rest = `${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}Z`;
  if (!generalized && y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(`${pad(y % 100, 2)}${rest}`, 'latin1'));
  return tlv(0x18, Buffer.from(`${pad(y, 4)}${rest}`, 'latin1'));
}

/** An Extension: SEQUENCE { extnID, critical?, extnValue }. */
export function extension(dottedOid: string, value: Buffer, critical = false): Buffer {
  return seq(oid(dottedOid), ...(critical ? [bool(true)] : []), octets(value));
}

/** A Name of JPKI shape: C=JP (PrintableString), O and OUs (UTF8String), each in its own RDN. */
export function jpkiName(o: string, ...ous: string[]): Buffer {
  return seq(
    set(seq(oid('2.5.4.6'), printable('JP'))),
    set(seq(oid('2.5.4.10'), utf8(o))),
    ...ous.map((ou) => set(seq(oid('2.5.4.11'), utf8(ou)))),
  );
}
