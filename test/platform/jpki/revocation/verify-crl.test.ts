import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issuerFromCertificate, keyIdOf, parseCrl, verifyCrlSignature } from '../../../../platform/src/jpki/revocation/index.js';
import { makeTestCa } from '../../../bench/lib/test-ca.js';
import { jpkiFixtures } from '../../../helpers/jpki-fixtures.js';
import { crl, testCas } from './fixtures.js';

const { auth02, auth03, sign03, rogue, trusted } = testCas();
const expectCode = (fn: () => unknown, code: string) => expect(fn).toThrow(expect.objectContaining({ code }));

describe('issuerFromCertificate', () => {
  it('takes the key, the raw subject and the subjectKeyIdentifier from a CA certificate', () => {
    const issuer = issuerFromCertificate(auth03.certDer, 'auth', 'authca03');
    expect(issuer.subjectDer.equals(auth03.subjectDer)).toBe(true);
    expect(issuer.skiHex).toBe(auth03.skiHex);
    expect(keyIdOf(issuer.publicKey)).toBe(auth03.skiHex);
    const pem = new X509Certificate(auth03.certDer).toString();
    expect(issuerFromCertificate(pem, 'auth', 'authca03').skiHex).toBe(auth03.skiHex);
  });

  it('reads the dev JPKI center roots', async () => {
    const { center } = await jpkiFixtures();
    for (const root of center.roots.auth) expect(issuerFromCertificate(root.der, 'auth', root.generation).skiHex).toBe(root.keyId.toLowerCase());
  });

  it('refuses bytes that are not a certificate with PKI_MALFORMED', () => {
    expectCode(() => issuerFromCertificate(Buffer.from('nope'), 'auth', 'x'), 'PKI_MALFORMED');
  });
});

describe('verifyCrlSignature', () => {
  it('picks the generation by key identifier among CAs that share one DN', () => {
    expect(verifyCrlSignature(parseCrl(crl(auth02)), 'auth', trusted).generation).toBe('authca02');
    expect(verifyCrlSignature(parseCrl(crl(auth03)), 'auth', trusted).generation).toBe('authca03');
  });

  it('without an AKI, lets the signature decide among CAs of that DN', () => {
    expect(verifyCrlSignature(parseCrl(crl(auth02, { authorityKeyId: false })), 'auth', trusted).generation).toBe('authca02');
  });

  it('refuses an untrusted CA with the same DN, and the other purpose, with PKI_UNTRUSTED_ISSUER', () => {
    expectCode(() => verifyCrlSignature(parseCrl(crl(rogue)), 'auth', trusted), 'PKI_UNTRUSTED_ISSUER');
    expectCode(() => verifyCrlSignature(parseCrl(crl(auth03)), 'sign', trusted), 'PKI_UNTRUSTED_ISSUER');
    expectCode(() => verifyCrlSignature(parseCrl(crl(sign03)), 'auth', trusted), 'PKI_UNTRUSTED_ISSUER');
  });

  it('refuses a CRL naming one generation but signed by another (a DN match is not enough)', () => {
    const forged = crl({ ...auth02, skiHex: auth03.skiHex });
    expectCode(() => verifyCrlSignature(parseCrl(forged), 'auth', trusted), 'PKI_SIGNATURE_INVALID');
    const rogueNoAki = crl(rogue, { authorityKeyId: false });
    expectCode(() => verifyCrlSignature(parseCrl(rogueNoAki), 'auth', trusted), 'PKI_SIGNATURE_INVALID');
  });

  it('refuses a tampered entry or signature with PKI_SIGNATURE_INVALID', () => {
    const der = crl(auth03, { list: [{ serial: 0x018c453e, reason: 1 }] });
    const entry = Buffer.from(der);
    entry[entry.indexOf(Buffer.of(0x01, 0x8c, 0x45, 0x3e))] = 0x02;
    expectCode(() => verifyCrlSignature(parseCrl(entry), 'auth', trusted), 'PKI_SIGNATURE_INVALID');
    const signature = Buffer.from(der);
    signature[signature.length - 10]! ^= 0x01;
    expectCode(() => verifyCrlSignature(parseCrl(signature), 'auth', trusted), 'PKI_SIGNATURE_INVALID');
  });

  it('refuses a CA key below 2048 bits with PKI_WEAK_ALGORITHM', () => {
    const weak = makeTestCa({ keys: generateKeyPairSync('rsa', { modulusLength: 1024 }) });
    expectCode(() => verifyCrlSignature(parseCrl(crl(weak)), 'auth', [issuerFromCertificate(weak.certDer, 'auth', 'weak')]), 'PKI_WEAK_ALGORITHM');
  });
});
