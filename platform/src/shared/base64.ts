/** Standard base64 (with padding), the encoding of every binary field on the wire (HTTP API and driver protocol). */
export const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** Bytes of a standard base64 string (schemas have checked its alphabet before it gets here). */
export const fromBase64 = (text: string): Buffer => Buffer.from(text, 'base64');
