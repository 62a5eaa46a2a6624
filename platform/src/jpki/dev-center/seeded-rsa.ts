import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { HmacDrbg } from './hmac-drbg.js';

/** RSA modulus size and public exponent of every JPKI key (SPEC §3.1). */
export const RSA_BITS = 2048;
export const RSA_E = 65537n;

const PRIME_BITS = RSA_BITS / 2;
/** Miller-Rabin rounds for a 1024-bit prime with error ≤ 2^-100 (FIPS 186-5 table B.1). */
const MR_ROUNDS = 5;
const SMALL_PRIMES = sievePrimes(17863); // the 2047 odd primes below 17863
/** Candidates looked at from one random start before drawing a new start. */
const SEARCH_SPAN = 4096;

/**
 * An RSA-2048 private key (e = 65537). With a DRBG the key is a pure function of the DRBG's stream,
 * so a seeded dev center is reproducible; without one, node's (OpenSSL's) generator is used.
 */
export function generateRsaKey(drbg: HmacDrbg | null): KeyObject {
  if (!drbg) return generateKeyPairSync('rsa', { modulusLength: RSA_BITS, publicExponent: Number(RSA_E) }).privateKey;
  return rsaKeyFromPrimes(...seededPrimePair(drbg));
}

/** Two distinct primes p > q whose product has exactly 2048 bits, drawn from the DRBG. */
export function seededPrimePair(drbg: HmacDrbg): [bigint, bigint] {
  const p = seededPrime(drbg);
  for (;;) {
    const q = seededPrime(drbg);
    // FIPS 186-5 A.1.3: |p - q| > 2^(nlen/2 - 100)
    const diff = p > q ? p - q : q - p;
    if (diff >> BigInt(PRIME_BITS - 100) === 0n) continue;
    return p > q ? [p, q] : [q, p];
  }
}

/** Builds the private key object from its two primes (via JWK, so node does the PKCS#8 encoding). */
export function rsaKeyFromPrimes(p: bigint, q: bigint): KeyObject {
  const n = p * q;
  const lambda = lcm(p - 1n, q - 1n);
  const d = modInverse(RSA_E, lambda);
  const jwk = {
    kty: 'RSA',
    n: b64u(n), e: b64u(RSA_E), d: b64u(d), p: b64u(p), q: b64u(q),
    dp: b64u(d % (p - 1n)), dq: b64u(d % (q - 1n)), qi: b64u(modInverse(q, p)),
  };
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

/** A 1024-bit probable prime with its two top bits set and gcd(p - 1, e) = 1. */
export function seededPrime(drbg: HmacDrbg): bigint {
  for (;;) {
    const bytes = drbg.generate(PRIME_BITS / 8);
    bytes[0]! |= 0xc0; // two top bits: the product of two such primes has the full 2048 bits
    bytes[bytes.length - 1]! |= 0x01;
    const start = BigInt('0x' + bytes.toString('hex'));
    const residues = SMALL_PRIMES.map((sp) => Number(start % BigInt(sp)));
    for (let delta = 0; delta < SEARCH_SPAN; delta += 2) {
      if (!passesSieve(residues, delta)) continue;
      const candidate = start + BigInt(delta);
      if (candidate >> BigInt(PRIME_BITS) !== 0n) break;
      if (candidate % RSA_E === 1n) continue; // e must not divide p - 1
      if (isProbablePrime(candidate, drbg)) return candidate;
    }
  }
}

function passesSieve(residues: number[], delta: number): boolean {
  for (let i = 0; i < residues.length; i++) {
    if ((residues[i]! + delta) % SMALL_PRIMES[i]! === 0) return false;
  }
  return true;
}

/** Miller-Rabin: base 2 first (cheap rejection of almost all composites), then random bases. */
export function isProbablePrime(n: bigint, drbg: HmacDrbg, rounds = MR_ROUNDS): boolean {
  if (n < 2n) return false;
  if (n === 2n) return true;
  if ((n & 1n) === 0n) return false;
  for (const sp of SMALL_PRIMES.slice(0, 64)) {
    if (n === BigInt(sp)) return true;
    if (n % BigInt(sp) === 0n) return false;
  }
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  const witnessesComposite = (a: bigint): boolean => {
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) return false;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) return false;
      if (x === 1n) return true;
    }
    return true;
  };
  if (witnessesComposite(2n)) return false;
  const byteLength = Math.ceil(n.toString(16).length / 2);
  for (let i = 0; i < rounds; i++) {
    const a = 2n + (BigInt('0x' + drbg.generate(byteLength).toString('hex')) % (n - 3n)); // a in [2, n-2]
    if (witnessesComposite(a)) return false;
  }
  return true;
}

/** base^exp mod m, left-to-right with a 4-bit fixed window. */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m === 1n) return 0n;
  const table: bigint[] = [1n, base % m];
  for (let i = 2; i < 16; i++) table.push((table[i - 1]! * table[1]!) % m);
  const hex = exp.toString(16);
  let result = 1n;
  for (let i = 0; i < hex.length; i++) {
    if (i > 0) {
      result = (result * result) % m;
      result = (result * result) % m;
      result = (result * result) % m;
      result = (result * result) % m;
    }
    const digit = parseInt(hex[i]!, 16);
    if (digit) result = (result * table[digit]!) % m;
  }
  return result;
}

export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) throw new RangeError('not invertible');
  return ((oldS % m) + m) % m;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function lcm(a: bigint, b: bigint): bigint {
  return (a / gcd(a, b)) * b;
}

function b64u(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return Buffer.from(hex, 'hex').toString('base64url');
}

function sievePrimes(limit: number): number[] {
  const composite = new Uint8Array(limit + 1);
  const primes: number[] = [];
  for (let i = 3; i <= limit; i += 2) {
    if (composite[i]) continue;
    primes.push(i);
    for (let j = i * i; j <= limit; j += 2 * i) composite[j] = 1;
  }
  return primes;
}
