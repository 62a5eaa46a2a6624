import { createHash } from 'node:crypto';
import { AppError } from './errors.js';

/**
 * The DER DigestInfo a JPKI card signs (RSA PKCS#1 v1.5, SPEC §4): the platform builds it from
 * a message it wants signed, the reader driver and the tests from a hash they were given. Two
 * meanings, two names, so nobody hashes a hash.
 */

/** DER prefix of DigestInfo { sha256, NULL } (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO_PREFIX = Uint8Array.of(
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
);

/** Wraps a SHA-256 hash someone else computed: `3031300d060960864801650304020105000420 ∥ hash`, 51 bytes. REQ_INVALID unless 32 bytes. */
export function digestInfoForSha256Hash(hash: Uint8Array): Uint8Array {
  if (!(hash instanceof Uint8Array) || hash.length !== 32) throw new AppError('REQ_INVALID', { detail: 'a SHA-256 hash is 32 bytes' });
  const out = new Uint8Array(SHA256_DIGEST_INFO_PREFIX.length + hash.length);
  out.set(SHA256_DIGEST_INFO_PREFIX);
  out.set(hash, SHA256_DIGEST_INFO_PREFIX.length);
  return out;
}

/** Hashes `message` with SHA-256 and wraps the hash: the bytes the card's COMPUTE DIGITAL SIGNATURE gets for it. */
export function digestInfoForMessage(message: Uint8Array): Uint8Array {
  return digestInfoForSha256Hash(createHash('sha256').update(message).digest());
}
