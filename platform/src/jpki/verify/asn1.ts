import * as asn1js from 'asn1js';
import type { AppError } from '../../shared/errors.js';

/**
 * The verifier's one call into asn1js's decoder. asn1js reports most bad input through `offset
 * -1`, but some (a GeneralizedTime or UTCTime it cannot convert, for one) it throws as a plain
 * `Error`; both become the caller's catalogue error here, so no untrusted bytes can surface as
 * an unexpected exception (a 500) above this module. Exactly one value, nothing after it.
 */
export function decodeBer(bytes: Uint8Array, fail: (detail: string, cause?: unknown) => AppError, what: string): asn1js.AsnType {
  let decoded: ReturnType<typeof asn1js.fromBER>;
  try {
    decoded = asn1js.fromBER(bytes);
  } catch (err) {
    throw fail(`${what} cannot be decoded: ${(err as Error).message}`, err);
  }
  if (decoded.offset !== bytes.length) throw fail(`${what} is not a single ASN.1 value`);
  return decoded.result;
}
