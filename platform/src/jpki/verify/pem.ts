import { AppError } from '../../shared/errors.js';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes the CERTIFICATE blocks of a PEM text (RFC 7468 strict form): nothing but whitespace
 * outside the blocks, matching labels, canonical base64. Throws PKI_MALFORMED otherwise.
 */
export function decodePemCertificates(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  let last = 0;
  for (const m of text.matchAll(BLOCK)) {
    if (text.slice(last, m.index).trim() !== '') throw malformed('text outside a PEM block');
    last = m.index + m[0].length;
    const [, begin, body, end] = m;
    if (begin !== 'CERTIFICATE' || end !== 'CERTIFICATE') throw malformed(`PEM label "${begin}" is not CERTIFICATE`);
    const b64 = body!.replace(/[ \t\r\n]/g, '');
    if (!b64 || b64.length % 4 !== 0 || !BASE64_BODY.test(b64)) throw malformed('PEM body is not base64');
    const der = Buffer.from(b64, 'base64');
    if (der.toString('base64') !== b64) throw malformed('PEM body is not canonical base64');
    out.push(new Uint8Array(der.buffer, der.byteOffset, der.byteLength));
  }
  if (text.slice(last).trim() !== '') throw malformed('text outside a PEM block');
  if (!out.length) throw malformed('no PEM CERTIFICATE block');
  return out;
}

/** True when the bytes look like PEM text rather than DER (DER certificates start with 0x30). */
export function looksLikePem(bytes: Uint8Array): boolean {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // UTF-8 BOM
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x2d; // '-'
}

/** Text of PEM bytes (ASCII only; a UTF-8 BOM is dropped). */
export function pemText(bytes: Uint8Array): string {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (let i = start; i < bytes.length; i++) if (bytes[i]! > 0x7e) throw malformed('PEM text is not ASCII');
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.byteLength - start).toString('latin1');
}

function malformed(detail: string): AppError {
  return new AppError('PKI_MALFORMED', { detail });
}
