import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCertificate, parseCertificateBundle } from '../../../../platform/src/jpki/verify/index.js';
import { buildHierarchy } from './hierarchy.js';
import { toPem } from './pki-builder.js';

const h = buildHierarchy();
const malformed = { code: 'PKI_MALFORMED' };

describe('parseCertificate', () => {
  it('reads DER and PEM to the same certificate with JPKI fields', () => {
    const fromDer = parseCertificate(h.signLeaf);
    const fromPem = parseCertificate(toPem(h.signLeaf));
    expect(fromPem.fingerprint).toBe(fromDer.fingerprint);
    expect(fromDer.serial).toBe('018C453E');
    expect(fromDer.issuer).toBe('C=JP, O=JPKI-TEST, OU=JPKI for digital signature, OU=Japan Agency for Local Authority Information Systems');
    expect(fromDer.subject).toMatch(/^C=JP, L=Tokyo-to, L=Shibuya-ku, CN=\d{28}$/);
    expect(fromDer.notAfter.toISOString()).toBe('2027-12-07T14:59:59.000Z');
    expect(fromDer.rsaModulusBits).toBe(2048);
    expect([...fromDer.keyUsage!.bits]).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(fromDer.policies).toEqual(['1.2.392.200149.8.5.1.1.20']);
  });

  it('reads PEM given as bytes', () => {
    expect(parseCertificate(Buffer.from(toPem(h.authLeaf))).serial).toBe('018C453E');
  });

  it('reads the real J-LIS roots (serial as openssl prints it)', () => {
    const root = parseCertificate(readFileSync('platform/src/jpki/roots/jpki-signca02-2019.pem', 'utf8'));
    expect(root.serial).toBe('0132C4AB');
    expect(root.subjectKeyId).toBe('4DE017DE4B7F473DCD867A62D38B134ACE83558A');
    expect(root.basicConstraints).toEqual({ critical: true, ca: true, pathLength: null });
  });

  it('refuses trailing garbage after the DER with PKI_MALFORMED', () => {
    expect(() => parseCertificate(Buffer.concat([h.signLeaf, Buffer.from([0])]))).toThrow(expect.objectContaining(malformed));
  });

  it('refuses a truncated certificate', () => {
    expect(() => parseCertificate(h.signLeaf.subarray(0, h.signLeaf.length - 1))).toThrow(expect.objectContaining(malformed));
  });

  it('refuses a non-minimal (BER) length', () => {
    const der = h.signLeaf; // 30 82 HH LL …
    expect(der[1]).toBe(0x82);
    const ber = Buffer.concat([Buffer.from([0x30, 0x83, 0x00, der[2]!, der[3]!]), der.subarray(4)]);
    expect(() => parseCertificate(ber)).toThrow(expect.objectContaining(malformed));
  });

  it('refuses DER that is not a certificate', () => {
    expect(() => parseCertificate(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01))).toThrow(expect.objectContaining(malformed));
    expect(() => parseCertificate(new Uint8Array(0))).toThrow(expect.objectContaining(malformed));
  });

  it('refuses bad PEM: label, base64, text around, two blocks, no block', () => {
    const pem = toPem(h.signLeaf);
    for (const bad of [
      pem.replace(/CERTIFICATE/g, 'PUBLIC KEY'),
      pem.replace(/M/, '*'),
      pem.replace(/\n-----END/, '=\n-----END'),
      `subject=whoever\n${pem}`,
      `${pem}trailing`,
      pem + pem,
      'no pem here',
      '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
    ]) {
      expect(() => parseCertificate(bad), bad.slice(0, 40)).toThrow(expect.objectContaining(malformed));
    }
  });

  it('refuses a PEM whose content is not a certificate', () => {
    const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]).toString('base64')}\n-----END CERTIFICATE-----\n`;
    expect(() => parseCertificate(pem)).toThrow(expect.objectContaining(malformed));
  });

  it('does not mutate or keep the caller\'s buffer', () => {
    const copy = new Uint8Array(h.authLeaf);
    const cert = parseCertificate(copy);
    copy.fill(0);
    expect(cert.der).toEqual(h.authLeaf);
  });

  it('reads a PEM bundle of several certificates', () => {
    expect(parseCertificateBundle(toPem(h.roots.signA) + toPem(h.roots.signB))).toHaveLength(2);
  });
});
