import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { setOf, tlv } from '../../../../platform/src/jpki/verify/der.js';
import { assembleCms, buildSignedAttributes, parseCertificate, verifyCms } from '../../../../platform/src/jpki/verify/index.js';
import { cardSign, digestInfoSha256 } from './card-signing.js';
import { AT, buildHierarchy } from './hierarchy.js';

const h = buildHierarchy();
const document = Buffer.from(JSON.stringify({ form: '現況確認届', policy: 'P-0001', period: '2025', alive: true }));
const signingTime = new Date('2025-05-31T12:34:56Z');

/** The TV/reader flow: attributes → card signs DigestInfo(SHA-256(attrs)) → CMS. */
function signedCms(opts: { detached?: boolean; cert?: Uint8Array; key?: typeof h.signKey; time?: Date } = {}) {
  const attrs = buildSignedAttributes(document, opts.time ?? signingTime);
  const signature = cardSign(opts.key ?? h.signKey, digestInfoSha256(attrs));
  return assembleCms(document, attrs, signature, opts.cert ?? h.signLeaf, { detached: opts.detached ?? false });
}

const oid = (value: string) => new Uint8Array(new asn1js.ObjectIdentifier({ value }).toBER());
const attribute = (type: string, value: Uint8Array) => tlv(0x30, oid(type), tlv(0x31, value));
const ID_DATA = '1.2.840.113549.1.7.1';

/** A SignedData built by hand, for shapes `assembleCms` refuses to produce. */
function rawCms(opts: { attrs: Uint8Array | null; eContentType?: string; signature: Uint8Array; withCert?: boolean }) {
  const cert = parseCertificate(h.signLeaf);
  const implicitAttrs = opts.attrs ? Uint8Array.from([0xa0, ...opts.attrs.subarray(1)]) : new Uint8Array(0);
  const sha256 = tlv(0x30, oid('2.16.840.1.101.3.4.2.1'));
  const signerInfo = tlv(0x30, Uint8Array.of(2, 1, 1), tlv(0x30, cert.issuerDer, cert.serialDer), sha256, implicitAttrs,
    tlv(0x30, oid('1.2.840.113549.1.1.1'), Uint8Array.of(5, 0)), tlv(0x04, opts.signature));
  const signedData = tlv(0x30, Uint8Array.of(2, 1, 1), tlv(0x31, sha256),
    tlv(0x30, oid(opts.eContentType ?? ID_DATA), tlv(0xa0, tlv(0x04, document))),
    ...(opts.withCert === false ? [] : [tlv(0xa0, cert.der)]), tlv(0x31, signerInfo));
  return tlv(0x30, oid('1.2.840.113549.1.7.2'), tlv(0xa0, signedData));
}

function attrsWith(contentType: string | null, digest: Uint8Array | null) {
  const items = [attribute('1.2.840.113549.1.9.5', tlv(0x17, Buffer.from('250531123456Z')))];
  if (contentType) items.push(attribute('1.2.840.113549.1.9.3', oid(contentType)));
  if (digest) items.push(attribute('1.2.840.113549.1.9.4', tlv(0x04, digest)));
  return setOf(items);
}
const digestOf = (d: Uint8Array) => createHash('sha256').update(d).digest();

describe('buildSignedAttributes', () => {
  it('produces DER with contentType id-data, signingTime and messageDigest, in SET OF order', () => {
    const attrs = buildSignedAttributes(document, signingTime);
    expect(attrs[0]).toBe(0x31);
    const parsed = asn1js.fromBER(attrs);
    expect(parsed.offset).toBe(attrs.length);
    const items = (parsed.result as asn1js.Set).valueBlock.value.map((a) => new Uint8Array(a.toBER()));
    expect(items.map((i) => Buffer.from(i).toString('hex'))).toEqual(items.map((i) => Buffer.from(i).toString('hex')).sort());
    expect(Buffer.from(attrs).toString('latin1')).toContain('250531123456Z');
    expect(Buffer.from(attrs).includes(digestOf(document))).toBe(true);
  });

  it('encodes times from 2050 as GeneralizedTime (RFC 5652 §11.3)', () => {
    expect(Buffer.from(buildSignedAttributes(document, new Date('2050-01-02T03:04:05.678Z'))).toString('latin1')).toContain('20500102030405Z');
  });
});

describe('verifyCms', () => {
  it('verifies an encapsulated signature and returns the signing time, content and signer', async () => {
    const r = await verifyCms(signedCms(), { trustStore: h.store });
    expect(r.signingTime).toEqual(signingTime);
    expect(Buffer.from(r.content)).toEqual(document);
    expect(r.digestAlgorithm).toBe('sha256');
    expect(r.signer).toMatchObject({ purpose: 'sign', rootGeneration: 'signA', serial: '018C453E', checkedAt: signingTime });
  });

  it('produces CMS that pkijs verifies too', async () => {
    const info = pkijs.ContentInfo.fromBER(new Uint8Array(signedCms()));
    const sd = new pkijs.SignedData({ schema: info.content });
    const res = await sd.verify({ signer: 0, extendedMode: true, checkChain: false });
    expect(res.signatureVerified).toBe(true);
  });

  it('verifies a detached signature given the document', async () => {
    const r = await verifyCms(signedCms({ detached: true }), { trustStore: h.store, document });
    expect(Buffer.from(r.content)).toEqual(document);
  });

  it('verifies with a supplied signer certificate when none is embedded', async () => {
    const attrs = buildSignedAttributes(document, signingTime);
    const cms = rawCms({ attrs, signature: cardSign(h.signKey, digestInfoSha256(attrs)), withCert: false });
    await expect(verifyCms(cms, { trustStore: h.store })).rejects.toMatchObject({ code: 'PKI_CMS_SIGNER_NOT_FOUND' });
    await expect(verifyCms(cms, { trustStore: h.store, signerCertificate: h.signLeaf })).resolves.toMatchObject({ signingTime });
  });

  it('checks the chain at the signing time, or at a given time', async () => {
    const late = signedCms({ time: new Date('2028-01-01T00:00:00Z') });
    await expect(verifyCms(late, { trustStore: h.store })).rejects.toMatchObject({ code: 'PKI_EXPIRED' });
    await expect(verifyCms(late, { trustStore: h.store, at: AT })).resolves.toMatchObject({ signingTime: new Date('2028-01-01T00:00:00Z') });
  });

  it('refuses tampered encapsulated content with PKI_CMS_DIGEST_MISMATCH', async () => {
    const cms = Buffer.from(signedCms());
    const at = cms.indexOf(Buffer.from('現況確認届'));
    cms[at + 1]! ^= 0x01;
    await expect(verifyCms(cms, { trustStore: h.store })).rejects.toMatchObject({ code: 'PKI_CMS_DIGEST_MISMATCH' });
  });

  it('refuses another document for a detached signature with PKI_CMS_DIGEST_MISMATCH', async () => {
    const other = Buffer.from(document.toString().replace('true', 'false'));
    await expect(verifyCms(signedCms({ detached: true }), { trustStore: h.store, document: other })).rejects.toMatchObject({ code: 'PKI_CMS_DIGEST_MISMATCH' });
    await expect(verifyCms(signedCms(), { trustStore: h.store, document: other })).rejects.toMatchObject({ code: 'PKI_CMS_DIGEST_MISMATCH' });
  });

  it('refuses a detached signature without the document with PKI_MALFORMED', async () => {
    await expect(verifyCms(signedCms({ detached: true }), { trustStore: h.store })).rejects.toMatchObject({ code: 'PKI_MALFORMED' });
  });

  it('refuses a tampered signature with PKI_SIGNATURE_INVALID', async () => {
    const cms = Buffer.from(signedCms());
    cms[cms.length - 1]! ^= 0x01; // the signature is the last field
    await expect(verifyCms(cms, { trustStore: h.store })).rejects.toMatchObject({ code: 'PKI_SIGNATURE_INVALID' });
  });

  it('refuses a signature by another key than the embedded certificate with PKI_SIGNATURE_INVALID', async () => {
    await expect(verifyCms(signedCms({ key: h.authKey }), { trustStore: h.store })).rejects.toMatchObject({ code: 'PKI_SIGNATURE_INVALID' });
  });

  it('refuses a wrong contentType attribute with PKI_CMS_CONTENT_TYPE_MISMATCH', async () => {
    const attrs = attrsWith('1.2.840.113549.1.7.2', digestOf(document));
    const cms = rawCms({ attrs, signature: cardSign(h.signKey, digestInfoSha256(attrs)) });
    await expect(verifyCms(cms, { trustStore: h.store })).rejects.toMatchObject({ code: 'PKI_CMS_CONTENT_TYPE_MISMATCH' });
  });

  it('refuses an eContentType other than id-data with PKI_CMS_CONTENT_TYPE_MISMATCH', async () => {
    const attrs = attrsWith('1.2.840.113549.1.9.16.1.4', digestOf(document));
    const cms = rawCms({ attrs, eContentType: '1.2.840.113549.1.9.16.1.4', signature: cardSign(h.signKey, digestInfoSha256(attrs)) });
    await expect(verifyCms(cms, { trustStore: h.store })).rejects.toMatchObject({ code: 'PKI_CMS_CONTENT_TYPE_MISMATCH' });
  });

  it('refuses a signature without signed attributes with PKI_CMS_ATTRIBUTES_INVALID', async () => {
    const cms = rawCms({ attrs: null, signature: cardSign(h.signKey, digestInfoSha256(document)) });
    await expect(verifyCms(cms, { trustStore: h.store })).rejects.toMatchObject({ code: 'PKI_CMS_ATTRIBUTES_INVALID' });
  });

  it('refuses signed attributes without contentType or messageDigest with PKI_CMS_ATTRIBUTES_INVALID', async () => {
    for (const attrs of [attrsWith(null, digestOf(document)), attrsWith(ID_DATA, null)]) {
      const cms = rawCms({ attrs, signature: cardSign(h.signKey, digestInfoSha256(attrs)) });
      await expect(verifyCms(cms, { trustStore: h.store })).rejects.toMatchObject({ code: 'PKI_CMS_ATTRIBUTES_INVALID' });
    }
  });

  it('refuses a CMS signed with an auth certificate with PKI_WRONG_PURPOSE', async () => {
    await expect(verifyCms(signedCms({ cert: h.authLeaf, key: h.authKey }), { trustStore: h.store })).rejects.toMatchObject({ code: 'PKI_WRONG_PURPOSE' });
  });

  it('refuses bytes that are not CMS SignedData with PKI_MALFORMED', async () => {
    await expect(verifyCms(Uint8Array.of(1, 2, 3), { trustStore: h.store })).rejects.toMatchObject({ code: 'PKI_MALFORMED' });
    await expect(verifyCms(h.signLeaf, { trustStore: h.store })).rejects.toMatchObject({ code: 'PKI_MALFORMED' });
    await expect(verifyCms(Buffer.concat([signedCms(), Buffer.from([0])]), { trustStore: h.store })).rejects.toMatchObject({ code: 'PKI_MALFORMED' });
  });
});

describe('assembleCms', () => {
  it('refuses attributes made for another document with PKI_CMS_DIGEST_MISMATCH', () => {
    const attrs = buildSignedAttributes(Buffer.from('other'), signingTime);
    expect(() => assembleCms(document, attrs, new Uint8Array(256), h.signLeaf)).toThrow(expect.objectContaining({ code: 'PKI_CMS_DIGEST_MISMATCH' }));
  });

  it('refuses attributes that are not a DER SET with PKI_CMS_ATTRIBUTES_INVALID', () => {
    expect(() => assembleCms(document, Uint8Array.of(0x30, 0), new Uint8Array(256), h.signLeaf)).toThrow(expect.objectContaining({ code: 'PKI_CMS_ATTRIBUTES_INVALID' }));
  });
});
