import { createHash, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../../../platform/src/jpki/verify/index.js';
import { cardSign, digestInfoSha256 } from './card-signing.js';
import { buildHierarchy } from './hierarchy.js';
import { rsaKey } from './pki-builder.js';

const h = buildHierarchy();
const nonce = Buffer.from('login-nonce-3f1c9a7e5b2d4086');

describe('verifySignature', () => {
  it('accepts the card signature over DigestInfo(SHA-256(nonce))', async () => {
    await expect(verifySignature(h.authLeaf, nonce, cardSign(h.authKey, digestInfoSha256(nonce)))).resolves.toBeUndefined();
  });

  it('is the same as sha256WithRSA over the message', async () => {
    expect(sign('sha256', nonce, h.authKey)).toEqual(cardSign(h.authKey, digestInfoSha256(nonce)));
    await expect(verifySignature(h.signLeaf, nonce, sign('sha256', nonce, h.signKey))).resolves.toBeUndefined();
  });

  it('refuses another message with PKI_SIGNATURE_INVALID', async () => {
    const sig = cardSign(h.authKey, digestInfoSha256(nonce));
    await expect(verifySignature(h.authLeaf, Buffer.from('another nonce'), sig)).rejects.toMatchObject({ code: 'PKI_SIGNATURE_INVALID' });
  });

  it('refuses a signature by another key, a flipped bit and a wrong length', async () => {
    const sig = cardSign(h.authKey, digestInfoSha256(nonce));
    await expect(verifySignature(h.signLeaf, nonce, sig)).rejects.toMatchObject({ code: 'PKI_SIGNATURE_INVALID' });
    const flipped = Buffer.from(sig);
    flipped[10]! ^= 0x80;
    await expect(verifySignature(h.authLeaf, nonce, flipped)).rejects.toMatchObject({ code: 'PKI_SIGNATURE_INVALID' });
    await expect(verifySignature(h.authLeaf, nonce, sig.subarray(1))).rejects.toMatchObject({ code: 'PKI_SIGNATURE_INVALID' });
    await expect(verifySignature(h.authLeaf, nonce, new Uint8Array(0))).rejects.toMatchObject({ code: 'PKI_SIGNATURE_INVALID' });
  });

  it('refuses a SHA-1 DigestInfo signature (the card would sign it, the verifier must not accept it)', async () => {
    const sha1Info = Buffer.concat([Buffer.from('3021300906052b0e03021a05000414', 'hex'), createHash('sha1').update(nonce).digest()]);
    await expect(verifySignature(h.authLeaf, nonce, cardSign(h.authKey, sha1Info))).rejects.toMatchObject({ code: 'PKI_SIGNATURE_INVALID' });
  });

  it('refuses a certificate with an RSA-1024 key with PKI_WEAK_ALGORITHM', async () => {
    const small = rsaKey('small', 1024);
    const cert = h.leaf('auth', 'A', { key: small });
    await expect(verifySignature(cert, nonce, sign('sha256', nonce, small))).rejects.toMatchObject({ code: 'PKI_WEAK_ALGORITHM' });
  });
});
