import { constants, createHash, privateEncrypt, type KeyObject } from 'node:crypto';

/** DigestInfo prefix for SHA-256 (SPEC §4). */
const SHA256_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** What the card does for `80 2A 00 80`: PKCS#1 v1.5 type-1 padding of the DigestInfo, then RSA. */
export function cardSign(key: KeyObject, digestInfo: Uint8Array): Buffer {
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo);
}

/** DigestInfo(SHA-256(data)), as a client sends to the card. */
export function digestInfoSha256(data: Uint8Array): Buffer {
  return Buffer.concat([SHA256_PREFIX, createHash('sha256').update(data).digest()]);
}

