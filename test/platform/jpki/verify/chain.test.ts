import { describe, expect, it } from 'vitest';
import { createTrustStore, loadProductionTrustStore, verifyChain, type JpkiPurpose } from '../../../../platform/src/jpki/verify/index.js';
import { AT, buildHierarchy, GEN_A, LEAF_WINDOW } from './hierarchy.js';
import { buildLeaf, buildRoot, extension, rsaKey } from './pki-builder.js';
import * as asn1js from 'asn1js';

const h = buildHierarchy();
const check = (der: Uint8Array, purpose: JpkiPurpose, store = h.store, at = AT) => verifyChain(der, { purpose, trustStore: store, at });

describe('verifyChain: accepted certificates', () => {
  it('accepts a sign certificate and reports its root generation', async () => {
    const r = await check(h.signLeaf, 'sign');
    expect(r).toMatchObject({ purpose: 'sign', rootGeneration: 'signA', serial: '018C453E', notAfter: LEAF_WINDOW.notAfter });
    expect(r.issuer).toContain('O=JPKI-TEST');
    expect(r.subject).toContain('L=Shibuya-ku');
  });

  it('accepts an auth certificate', async () => {
    expect((await check(h.authLeaf, 'auth')).rootGeneration).toBe('authA');
  });

  it('picks the generation by signature: a generation-B leaf chains to B', async () => {
    expect((await check(h.leaf('sign', 'B'), 'sign')).rootGeneration).toBe('signB');
  });

  it('picks the generation by signature when the leaf has no AKI (same DN for both)', async () => {
    const noAki = h.leaf('auth', 'A', { aki: false });
    const bFirst = createTrustStore('dev', [
      { certificate: h.roots.authB, generation: 'authB' },
      { certificate: h.roots.authA, generation: 'authA' },
    ]);
    expect((await check(noAki, 'auth', bFirst)).rootGeneration).toBe('authA');
  });

  it('answers repeated checks from the issuer cache with the same result', async () => {
    const first = await check(h.authLeaf, 'auth');
    const second = await check(h.authLeaf, 'auth');
    expect(second.root).toBe(first.root);
  });

  it('validates at the boundary instants of the validity period', async () => {
    await expect(check(h.signLeaf, 'sign', h.store, LEAF_WINDOW.notBefore)).resolves.toMatchObject({ purpose: 'sign', rootGeneration: 'signA', notAfter: LEAF_WINDOW.notAfter });
    await expect(check(h.signLeaf, 'sign', h.store, LEAF_WINDOW.notAfter)).resolves.toMatchObject({ purpose: 'sign', rootGeneration: 'signA', notAfter: LEAF_WINDOW.notAfter });
  });
});

describe('verifyChain: refusals', () => {
  const onlyB = createTrustStore('dev', [
    { certificate: h.roots.signB, generation: 'signB' },
    { certificate: h.roots.authB, generation: 'authB' },
  ]);

  it('refuses a generation-A leaf against generation B only (same DN) with PKI_UNTRUSTED_ISSUER', async () => {
    await expect(check(h.signLeaf, 'sign', onlyB)).rejects.toMatchObject({ code: 'PKI_UNTRUSTED_ISSUER' });
  });

  it('refuses a generation-A leaf without AKI against generation B with PKI_SIGNATURE_INVALID', async () => {
    await expect(check(h.leaf('sign', 'A', { aki: false }), 'sign', onlyB)).rejects.toMatchObject({ code: 'PKI_SIGNATURE_INVALID' });
  });

  it('refuses an expired leaf with PKI_EXPIRED', async () => {
    await expect(check(h.signLeaf, 'sign', h.store, new Date('2027-12-07T15:00:00Z'))).rejects.toMatchObject({ code: 'PKI_EXPIRED' });
  });

  it('refuses a leaf before its notBefore with PKI_NOT_YET_VALID', async () => {
    await expect(check(h.signLeaf, 'sign', h.store, new Date('2023-05-19T00:59:59Z'))).rejects.toMatchObject({ code: 'PKI_NOT_YET_VALID' });
  });

  it('refuses a valid leaf whose root has expired with PKI_EXPIRED', async () => {
    const longLeaf = h.leaf('auth', 'A', { notAfter: new Date('2031-01-01T00:00:00Z') });
    const err = await check(longLeaf, 'auth', h.store, new Date('2030-01-01T00:00:00Z')).catch((e) => e);
    expect(err).toMatchObject({ code: 'PKI_EXPIRED' });
    expect(err.detail).toContain('root authA');
    expect(GEN_A.notAfter < new Date('2030-01-01T00:00:00Z')).toBe(true);
  });

  it('refuses a certificate from an unknown CA (same DN, other key) with PKI_UNTRUSTED_ISSUER', async () => {
    const rogue = buildLeaf({ purpose: 'sign', key: rsaKey('leaf-sign'), issuerKey: rsaKey('rogue'), serial: 7, ...LEAF_WINDOW });
    await expect(check(rogue, 'sign')).rejects.toMatchObject({ code: 'PKI_UNTRUSTED_ISSUER' });
  });

  it('refuses a certificate from a CA with another name with PKI_UNTRUSTED_ISSUER', async () => {
    const other = h.leaf('sign', 'A', { org: 'NOT-JPKI' });
    await expect(check(other, 'sign')).rejects.toMatchObject({ code: 'PKI_UNTRUSTED_ISSUER' });
  });

  it('refuses a tampered certificate signature with PKI_SIGNATURE_INVALID', async () => {
    const bad = new Uint8Array(h.authLeaf);
    bad[bad.length - 1]! ^= 0x01;
    await expect(check(bad, 'auth')).rejects.toMatchObject({ code: 'PKI_SIGNATURE_INVALID' });
  });

  it('refuses a tampered signed part with PKI_SIGNATURE_INVALID', async () => {
    const good = h.leaf('auth', 'A', { serial: 0x01020304 });
    const at = Buffer.from(good).indexOf(Buffer.from([0x02, 0x04, 0x01, 0x02, 0x03, 0x04]));
    const bad = new Uint8Array(good);
    bad[at + 5] = 0x05; // serial 01020305
    await expect(check(bad, 'auth')).rejects.toMatchObject({ code: 'PKI_SIGNATURE_INVALID' });
  });

  it('refuses a sign certificate used for auth, and an auth certificate used for sign (PKI_WRONG_PURPOSE)', async () => {
    await expect(check(h.signLeaf, 'auth')).rejects.toMatchObject({ code: 'PKI_WRONG_PURPOSE' });
    await expect(check(h.authLeaf, 'sign')).rejects.toMatchObject({ code: 'PKI_WRONG_PURPOSE' });
  });

  it('never lets a sign root vouch for an auth-profile certificate', async () => {
    // auth policy, KU and EKU, but issued under the sign CA's name and key
    const mixed = buildLeaf({ purpose: 'sign', key: rsaKey('leaf-auth'), issuerKey: h.issuerKey('sign', 'A'), serial: 9, ...LEAF_WINDOW,
      policy: '1.2.392.200149.8.5.1.3.30', keyUsageBits: [0], eku: ['1.3.6.1.5.5.7.3.2'], personalData: null });
    await expect(check(mixed, 'auth')).rejects.toMatchObject({ code: 'PKI_UNTRUSTED_ISSUER' });
  });

  it.each([
    ['sign without nonRepudiation', 'sign', { keyUsageBits: [0] }],
    ['sign without policy', 'sign', { policy: null }],
    ['sign with the auth policy', 'sign', { policy: '1.2.392.200149.8.5.1.3.30' }],
    ['sign with a non-critical keyUsage', 'sign', { keyUsageCritical: false }],
    ['sign without keyUsage', 'sign', { keyUsageBits: null }],
    ['auth without clientAuth', 'auth', { eku: null }],
    ['auth with another EKU only', 'auth', { eku: ['1.3.6.1.5.5.7.3.1'] }],
    ['auth without digitalSignature', 'auth', { keyUsageBits: [2] }],
  ] as const)('refuses %s with PKI_WRONG_PURPOSE', async (_label, purpose, over) => {
    await expect(check(h.leaf(purpose, 'A', over), purpose)).rejects.toMatchObject({ code: 'PKI_WRONG_PURPOSE' });
  });

  it('refuses the test hierarchy in production with PKI_TEST_HIERARCHY', async () => {
    await expect(check(h.signLeaf, 'sign', loadProductionTrustStore())).rejects.toMatchObject({ code: 'PKI_TEST_HIERARCHY' });
    await expect(check(h.authLeaf, 'auth', loadProductionTrustStore())).rejects.toMatchObject({ code: 'PKI_TEST_HIERARCHY' });
  });

  it('refuses an O=JPKI look-alike not signed by a J-LIS root in production', async () => {
    const fake = h.leaf('auth', 'A', { org: 'JPKI' });
    await expect(check(fake, 'auth', loadProductionTrustStore())).rejects.toMatchObject({ code: 'PKI_UNTRUSTED_ISSUER' });
    const fakeNoAki = h.leaf('auth', 'A', { org: 'JPKI', aki: false });
    await expect(check(fakeNoAki, 'auth', loadProductionTrustStore())).rejects.toMatchObject({ code: 'PKI_SIGNATURE_INVALID' });
  });

  it('refuses a SHA-1-signed certificate with PKI_WEAK_ALGORITHM', async () => {
    await expect(check(h.leaf('auth', 'A', { hash: 'sha1' }), 'auth')).rejects.toMatchObject({ code: 'PKI_WEAK_ALGORITHM' });
  });

  it('refuses an RSA-1024 certificate key with PKI_WEAK_ALGORITHM', async () => {
    await expect(check(h.leaf('auth', 'A', { key: rsaKey('small', 1024) }), 'auth')).rejects.toMatchObject({ code: 'PKI_WEAK_ALGORITHM' });
  });

  it('refuses a CA certificate used as a leaf with PKI_LEAF_IS_CA', async () => {
    await expect(check(h.leaf('sign', 'A', { ca: true }), 'sign')).rejects.toMatchObject({ code: 'PKI_LEAF_IS_CA' });
    await expect(check(h.leaf('auth', 'A', { keyUsageBits: [0, 5] }), 'auth')).rejects.toMatchObject({ code: 'PKI_LEAF_IS_CA' });
    await expect(check(h.roots.signA, 'sign')).rejects.toMatchObject({ code: 'PKI_LEAF_IS_CA' });
  });

  it('refuses an unknown critical extension with PKI_UNSUPPORTED_CRITICAL_EXTENSION', async () => {
    const odd = h.leaf('auth', 'A', { extraExtensions: [extension('1.2.3.4.5', true, new asn1js.Null())] });
    await expect(check(odd, 'auth')).rejects.toMatchObject({ code: 'PKI_UNSUPPORTED_CRITICAL_EXTENSION' });
    const fine = h.leaf('auth', 'A', { extraExtensions: [extension('1.2.3.4.5', false, new asn1js.Null())] });
    await expect(check(fine, 'auth')).resolves.toMatchObject({ purpose: 'auth', rootGeneration: 'authA' });
  });

  it('refuses malformed input with PKI_MALFORMED', async () => {
    await expect(check(Uint8Array.of(0x30, 0x00), 'sign')).rejects.toMatchObject({ code: 'PKI_MALFORMED' });
  });

  it('refuses to build a dev store around a weak root', () => {
    const weakRoot = buildRoot({ purpose: 'sign', key: rsaKey('weak-root', 1024), serial: 5, ...GEN_A });
    expect(() => createTrustStore('dev', [{ certificate: weakRoot }])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
