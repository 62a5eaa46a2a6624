import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { bitString, bool, explicit, extension, integer, jpkiName, nullValue, oid, seq, time, tlv } from './der-writer.js';
import type { CrlSigner } from './crl-writer.js';

/** A self-signed CA for CRL tests and benchmarks (JPKI-TEST stand-in until the dev center is used). */
export interface TestCa extends CrlSigner {
  publicKey: KeyObject;
  /** The CA certificate, DER. */
  certDer: Buffer;
}

/** The subject the JPKI auth roots share across generations (SPEC §3.1, [V] on authca02/03). */
export const AUTH_CA_NAME = jpkiName('JPKI', 'JPKI for user authentication', 'Japan Agency for Local Authority Information Systems');
/** A sign-root-shaped subject. */
export const SIGN_CA_NAME = jpkiName('JPKI', 'JPKI for digital signature', 'Japan Agency for Local Authority Information Systems');

export interface TestCaOptions {
  subjectDer?: Buffer;
  /** A key pair to reuse (RSA 2048 generation is the slow part of building fixtures). */
  keys?: { privateKey: KeyObject; publicKey: KeyObject };
  serial?: number;
  notBefore?: Date;
  notAfter?: Date;
}

/** An RSA-2048 key pair. */
export function rsaKeys(bits = 2048): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 });
}

/** Builds a self-signed v3 CA certificate (basicConstraints CA, keyUsage keyCertSign+cRLSign, SKI). */
export function makeTestCa(options: TestCaOptions = {}): TestCa {
  const { privateKey, publicKey } = options.keys ?? rsaKeys();
  const subjectDer = options.subjectDer ?? AUTH_CA_NAME;
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits (after the 0x00 unused-bits byte).
  const bits = spki.subarray(spki.indexOf(Buffer.of(0x03, 0x82)) + 5);
  const skiHex = createHash('sha1').update(bits).digest('hex');
  const sha256Rsa = seq(oid('1.2.840.113549.1.1.11'), nullValue());
  const tbs = seq(
    explicit(0, integer(2)),
    integer(options.serial ?? 0x0133c349),
    sha256Rsa,
    subjectDer,
    seq(time(options.notBefore ?? new Date('2020-01-01T00:00:00Z')), time(options.notAfter ?? new Date('2045-01-01T00:00:00Z'))),
    subjectDer,
    spki,
    explicit(
      3,
      seq(
        extension('2.5.29.19', seq(bool(true)), true),
        extension('2.5.29.15', tlv(0x03, Buffer.of(0x01, 0x06)), true),
        extension('2.5.29.14', tlv(0x04, Buffer.from(skiHex, 'hex'))),
      ),
    ),
  );
  const certDer = seq(tbs, sha256Rsa, bitString(sign('sha256', tbs, privateKey)));
  return { privateKey, publicKey, subjectDer, skiHex, certDer };
}
