import { createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacDrbg } from '../../../../platform/src/jpki/dev-center/hmac-drbg.js';
import { generateRsaKey, isProbablePrime, modInverse, modPow, seededPrimePair } from '../../../../platform/src/jpki/dev-center/seeded-rsa.js';

describe('HmacDrbg', () => {
  it('gives the same stream for the same seed and label, and different ones otherwise', () => {
    const a = new HmacDrbg('seed', 'x').generate(64);
    expect(new HmacDrbg('seed', 'x').generate(64)).toEqual(a);
    expect(new HmacDrbg('seed', 'y').generate(64)).not.toEqual(a);
    expect(new HmacDrbg('seed2', 'x').generate(64)).not.toEqual(a);
  });

  it('keeps nextInt inside its bound', () => {
    const d = new HmacDrbg('bounds');
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(d.nextInt(7));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('BigInt arithmetic', () => {
  it('computes modPow and modInverse', () => {
    expect(modPow(4n, 13n, 497n)).toBe(445n);
    expect(modPow(2n, 2n ** 127n - 2n, 2n ** 127n - 1n)).toBe(1n); // Fermat on a Mersenne prime
    expect((modInverse(65537n, 3120n * 7n + 1n) * 65537n) % (3120n * 7n + 1n)).toBe(1n);
  });

  it('tells primes from composites, including Carmichael numbers', () => {
    const d = new HmacDrbg('mr');
    for (const p of [2n, 3n, 65537n, 2n ** 61n - 1n, 2n ** 127n - 1n]) expect(isProbablePrime(p, d)).toBe(true);
    for (const c of [1n, 561n, 41041n, 825265n, 2n ** 128n + 1n, (2n ** 61n - 1n) * (2n ** 89n - 1n)]) expect(isProbablePrime(c, d)).toBe(false);
  });
});

describe('generateRsaKey', () => {
  it('makes a working RSA-2048 key, e = 65537, p ≠ q, from the seed alone', () => {
    const started = performance.now();
    const key = generateRsaKey(new HmacDrbg('rsa-test', 'k1'));
    console.log(`seeded RSA-2048 key: ${((performance.now() - started) / 1000).toFixed(2)} s`);
    expect(key.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
    const jwk = key.export({ format: 'jwk' });
    expect(jwk.p).not.toBe(jwk.q);
    const message = Buffer.from('JPKI');
    expect(verify('sha256', message, createPublicKey(key), sign('sha256', message, key))).toBe(true);
    const again = generateRsaKey(new HmacDrbg('rsa-test', 'k1'));
    expect(again.export({ type: 'pkcs8', format: 'der' })).toEqual(key.export({ type: 'pkcs8', format: 'der' }));
    const other = generateRsaKey(new HmacDrbg('rsa-test', 'k2'));
    expect(other.export({ type: 'pkcs8', format: 'der' })).not.toEqual(key.export({ type: 'pkcs8', format: 'der' }));
  });

  it('draws primes of exactly 1024 bits whose product has exactly 2048 bits', () => {
    const [p, q] = seededPrimePair(new HmacDrbg('bits'));
    expect(p.toString(2)).toHaveLength(1024);
    expect(q.toString(2)).toHaveLength(1024);
    expect((p * q).toString(2)).toHaveLength(2048);
    expect(p).not.toBe(q);
  });

  it('uses the OS generator without a DRBG', () => {
    const a = generateRsaKey(null);
    const b = generateRsaKey(null);
    expect(a.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(a.export({ type: 'pkcs8', format: 'der' })).not.toEqual(b.export({ type: 'pkcs8', format: 'der' }));
  });
});
