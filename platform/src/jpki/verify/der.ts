/**
 * A minimal DER reader and writer. The reader only checks the TLV framing strictly (definite,
 * minimal lengths; nothing after the outermost value), which BER decoders such as asn1js accept
 * loosely; the writer concatenates TLVs for structures we must emit byte-exactly (CMS).
 */

/** Thrown by `assertDer`; callers turn it into PKI_MALFORMED. */
export class DerError extends Error {
  override readonly name = 'DerError';
}

/**
 * Checks that `bytes` is exactly one DER TLV whose constructed parts are all definite-length and
 * minimally encoded (X.690 §10.1), recursing into constructed values. Content of primitive values
 * is not interpreted.
 */
export function assertDer(bytes: Uint8Array): void {
  const end = readTlv(bytes, 0, 0);
  if (end !== bytes.length) throw new DerError(`${bytes.length - end} byte(s) after the DER value`);
}

const MAX_DEPTH = 32;

function readTlv(bytes: Uint8Array, offset: number, depth: number): number {
  if (depth > MAX_DEPTH) throw new DerError('DER nesting too deep');
  if (offset >= bytes.length) throw new DerError('truncated tag');
  const tag = bytes[offset]!;
  let pos = offset + 1;
  if ((tag & 0x1f) === 0x1f) {
    // high tag number form (X.690 §8.1.2.4): base-128, no leading 0x80 byte
    if (pos >= bytes.length || bytes[pos] === 0x80) throw new DerError('bad high tag number');
    while (pos < bytes.length && bytes[pos]! & 0x80) pos++;
    pos++;
  }
  if (pos >= bytes.length) throw new DerError('truncated length');
  const first = bytes[pos++]!;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count === 0) throw new DerError('indefinite length is not DER');
    if (count > 4) throw new DerError('length too large');
    if (pos + count > bytes.length) throw new DerError('truncated length');
    if (bytes[pos] === 0) throw new DerError('length not minimal');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[pos++]!;
    if (length < 0x80) throw new DerError('length not minimal');
  }
  const end = pos + length;
  if (end > bytes.length) throw new DerError('value runs past the end');
  if (tag & 0x20) {
    let inner = pos;
    while (inner < end) inner = readTlv(bytes, inner, depth + 1);
    if (inner !== end) throw new DerError('constructed value overruns its length');
  }
  return end;
}

/** DER length octets. */
function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const out: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) out.unshift(n & 0xff);
  return Uint8Array.of(0x80 | out.length, ...out);
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One TLV with a single-byte tag around already-encoded content. */
export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concat(content);
  return concat([Uint8Array.of(tag), encodeLength(body.length), body]);
}

/** The content octets of a single TLV (after checking its framing). */
export function contentOf(bytes: Uint8Array): Uint8Array {
  assertDer(bytes);
  let pos = 1;
  const first = bytes[pos++]!;
  if (first >= 0x80) pos += first & 0x7f;
  return bytes.subarray(pos);
}

/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
export function setOf(elements: readonly Uint8Array[]): Uint8Array {
  const sorted = [...elements].sort(compareBytes);
  return tlv(0x31, ...sorted);
}

/** Lexicographic order of byte strings, shorter first on a common prefix (X.690 §11.6 padding rule). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Constant-shape byte equality (inputs here are public, so no timing concern). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Upper-case hex. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}

/** A view of an ArrayBuffer or ArrayBufferView as Uint8Array (no copy). */
export function asBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}
