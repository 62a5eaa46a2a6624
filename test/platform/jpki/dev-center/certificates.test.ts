import { createPublicKey, createPrivateKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_CARDS, FIXTURE_TIME, jpkiFixtures, type JpkiFixtures } from '../../../helpers/jpki-fixtures.js';
import {
  ext, extDerHex, extensionOids, isSignedBy, nameAttributes, openssl, otherNames, parseCert, pem, serialOf, skiHex, spkiKeyId,
} from './inspect.js';

const OU_SIGN = 'JPKI for digital signature';
const OU_AUTH = 'JPKI for user authentication';
const OU_JLIS = 'Japan Agency for Local Authority Information Systems';

let fx: JpkiFixtures;
beforeAll(async () => {
  fx = await jpkiFixtures();
});

describe('CA certificates (initCenter)', () => {
  it('has separate sign and auth roots with three generations each, sharing one DN per purpose', () => {
    for (const [purpose, ou] of [['sign', OU_SIGN], ['auth', OU_AUTH]] as const) {
      const roots = fx.center.roots[purpose];
      expect(roots.map((r) => r.generation)).toEqual(['01', '02', '03']);
      for (const root of roots) {
        const cert = parseCert(root.der);
        const expected = [
          { type: '2.5.4.6', tag: 'PrintableString', value: 'JP' },
          { type: '2.5.4.10', tag: 'Utf8String', value: 'JPKI-TEST' },
          { type: '2.5.4.11', tag: 'Utf8String', value: ou },
          { type: '2.5.4.11', tag: 'Utf8String', value: OU_JLIS },
        ];
        expect(nameAttributes(cert.subject)).toEqual(expected);
        expect(nameAttributes(cert.issuer)).toEqual(expected);
      }
    }
  });

  it('uses the real windows (gen 02 2019–2029, gen 03 2023–2033) ending 14:59:59Z', () => {
    const gen = (p: 'sign' | 'auth', g: string) => parseCert(fx.center.roots[p].find((r) => r.generation === g)!.der);
    expect(gen('sign', '02').notBefore.value.toISOString()).toBe('2019-09-14T23:41:56.000Z');
    expect(gen('sign', '02').notAfter.value.toISOString()).toBe('2029-09-14T14:59:59.000Z');
    expect(gen('auth', '03').notAfter.value.toISOString()).toBe('2033-07-15T14:59:59.000Z');
  });

  it('carries the SPEC §3.1 CA extensions: KU, SAN DirName, BC, CRLDP, SKI and no AKI', () => {
    for (const root of [...fx.center.roots.sign, ...fx.center.roots.auth]) {
      const cert = parseCert(root.der);
      expect(extensionOids(cert)).toEqual(['2.5.29.15', '2.5.29.17', '2.5.29.19', '2.5.29.31', '2.5.29.14']);
      expect(ext(cert, '2.5.29.15').critical).toBe(true);
      expect(extDerHex(cert, '2.5.29.15')).toBe('03020106'); // keyCertSign + cRLSign, as the real roots
      expect(ext(cert, '2.5.29.19').critical).toBe(true);
      expect(extDerHex(cert, '2.5.29.19')).toBe('30030101ff'); // CA:TRUE, no pathLen
      expect(skiHex(cert)).toBe(spkiKeyId(cert));
      expect(root.keyId).toBe(spkiKeyId(cert).toUpperCase());
      expect(isSignedBy(root.der, root.der)).toBe(true);
      const text = openssl(['x509', '-inform', 'DER', '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus_space'], root.der);
      expect(text).toContain('Public-Key: (2048 bit)');
      expect(text).toContain('Exponent: 65537');
      expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
      expect(text).not.toContain('Authority Key Identifier');
      const purposeJa = root.purpose === 'sign' ? '公的個人認証サービス署名用' : '公的個人認証サービス利用者証明用';
      const san = otherDirName(cert, '2.5.29.17');
      expect(san).toEqual(['JP', '公的個人認証サービス', purposeJa, '地方公共団体情報システム機構']);
      expect(text).toContain(`DirName:C = JP, O = JPKI-TEST, OU = ${root.purpose === 'sign' ? OU_SIGN : OU_AUTH}, OU = ${OU_JLIS}`);
    }
  });
});

describe('sign certificate (issueCard)', () => {
  it('has the subject C/L/L/CN with an opaque 28-digit CN and the SPEC §3.2 extensions in order', () => {
    const cert = parseCert(fx.cards['yamada-taro'].signDer);
    expect(cert.version).toBe(2);
    const subject = nameAttributes(cert.subject);
    expect(subject.map((a) => [a.type, a.tag])).toEqual([
      ['2.5.4.6', 'PrintableString'], ['2.5.4.7', 'Utf8String'], ['2.5.4.7', 'Utf8String'], ['2.5.4.3', 'Utf8String'],
    ]);
    expect(subject.map((a) => a.value).slice(0, 3)).toEqual(['JP', 'Toyama-ken', 'Nanto-shi']);
    expect(subject[3]!.value).toMatch(/^\d{28}$/);
    expect(subject[3]!.value).not.toContain('山田');
    expect(extensionOids(cert)).toEqual(['2.5.29.15', '2.5.29.17', '2.5.29.32', '2.5.29.18', '2.5.29.31', '2.5.29.35', '2.5.29.14']);
    expect(ext(cert, '2.5.29.15').critical).toBe(true);
    expect(extDerHex(cert, '2.5.29.15')).toBe('030206c0'); // digitalSignature + nonRepudiation
    expect(ext(cert, '2.5.29.32').critical).toBe(true);
    expect(ext(cert, '2.5.29.17').critical).toBe(false);
  });

  it('puts the 基本4情報 into six SAN otherNames in the real order', () => {
    const cert = parseCert(fx.cards['yamada-taro'].signDer);
    expect(otherNames(cert)).toEqual([
      ['1.2.392.200149.8.5.5.1', '山田\u3000太郎'],
      ['1.2.392.200149.8.5.5.4', '319500401'], // 昭和 = 3, Gregorian date
      ['1.2.392.200149.8.5.5.3', '1'],
      ['1.2.392.200149.8.5.5.5', '富山県南砺市城端１２３番地'],
      ['1.2.392.200149.8.5.5.2', '00000'],
      ['1.2.392.200149.8.5.5.6', '0'.repeat([...'富山県南砺市城端１２３番地'].length)],
    ]);
    const hanako = otherNames(parseCert(fx.cards['yamada-hanako'].signDer));
    expect(hanako[1]).toEqual(['1.2.392.200149.8.5.5.4', '319530815']);
    expect(hanako[2]).toEqual(['1.2.392.200149.8.5.5.3', '2']);
    const text = openssl(['x509', '-inform', 'DER', '-noout', '-ext', 'subjectAltName', '-nameopt', 'utf8'], fx.cards['yamada-taro'].signDer);
    expect(text).toContain('othername: 1.2.392.200149.8.5.5.1::山田　太郎');
  });

  it('names the policy with its CPS, the issuer by alt name and CRLDP DirNames', () => {
    const text = openssl(['x509', '-inform', 'DER', '-noout', '-text', '-nameopt', 'utf8'], fx.cards['yamada-taro'].signDer);
    expect(text).toMatch(/Policy: 1\.2\.392\.200149\.8\.5\.1\.1\.20\s+CPS: http:\/\/www\.jpki\.go\.jp\/cps\.html/);
    expect(text).toContain(`DirName:C = JP, O = JPKI-TEST, OU = ${OU_SIGN}, OU = CRL Distribution Points, OU = Toyama-ken, CN = Nanto-shi CRLDP`);
    expect(otherDirName(parseCert(fx.cards['yamada-taro'].signDer), '2.5.29.18')).toEqual(['JP', '公的個人認証サービス', '公的個人認証サービス署名用', '地方公共団体情報システム機構']);
    expect(text).not.toContain('Authority Information Access');
    expect(text).not.toContain('Extended Key Usage');
  });
});

describe('auth certificate (issueCard)', () => {
  it('has subject C/CN (23 characters) only and the SPEC §3.3 extensions in order', () => {
    const cert = parseCert(fx.cards['yamada-taro'].authDer);
    const subject = nameAttributes(cert.subject);
    expect(subject.map((a) => [a.type, a.tag])).toEqual([['2.5.4.6', 'PrintableString'], ['2.5.4.3', 'Utf8String']]);
    expect(subject[1]!.value).toMatch(/^[0-9A-Z]{23}$/);
    expect(subject[1]!.value.slice(14, 19)).toBe('16210'); // 南砺市's local government code
    expect(extensionOids(cert)).toEqual(['2.5.29.15', '2.5.29.37', '2.5.29.32', '2.5.29.18', '2.5.29.31', '1.3.6.1.5.5.7.1.1', '2.5.29.35', '2.5.29.14']);
    expect(ext(cert, '2.5.29.15').critical).toBe(true);
    expect(extDerHex(cert, '2.5.29.15')).toBe('03020780'); // digitalSignature only
    expect(ext(cert, '2.5.29.32').critical).toBe(true);
    const text = openssl(['x509', '-inform', 'DER', '-noout', '-text'], fx.cards['yamada-taro'].authDer);
    expect(text).toContain('TLS Web Client Authentication');
    expect(text).toMatch(/Policy: 1\.2\.392\.200149\.8\.5\.1\.3\.30\s+CPS: http:\/\/www\.jpki\.go\.jp\/cps\.html/);
    expect(text).toContain('OCSP - URI:http://ocspauthnorm.jpki-test.invalid');
    expect(text).toContain(`OU = ${OU_AUTH}, OU = CRL Distribution Points, OU = Toyama-ken, CN = Nanto-shi CRLDP`);
    expect(text).not.toContain('Subject Alternative Name');
  });
});

describe('both leaves (issueCard)', () => {
  const names = Object.keys(FIXTURE_CARDS) as Array<keyof typeof FIXTURE_CARDS>;

  it('are RSA-2048 e=65537, sha256WithRSAEncryption with NULL parameters, positive serials of ≤ 4 bytes', () => {
    for (const name of names) {
      for (const der of [fx.cards[name].signDer, fx.cards[name].authDer]) {
        const cert = parseCert(der);
        expect(cert.signatureAlgorithm.algorithmId).toBe('1.2.840.113549.1.1.11');
        expect(cert.signatureAlgorithm.algorithmParams).toBeInstanceOf(asn1js.Null);
        const key = createPublicKey({ key: Buffer.from(cert.subjectPublicKeyInfo.toSchema().toBER(false)), format: 'der', type: 'spki' });
        expect(key.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
        const serial = Buffer.from(cert.serialNumber.valueBlock.valueHexView);
        expect(serial.length).toBeLessThanOrEqual(4);
        expect(serial[0]! & 0x80).toBe(0);
      }
    }
  });

  it('end 14:59:59Z on the 5th birthday after issue', () => {
    const taro = parseCert(fx.cards['yamada-taro'].signDer); // born 04-01, issued 2025-04-01 (the birthday itself)
    expect(taro.notBefore.value.toISOString()).toBe('2025-04-01T00:00:00.000Z');
    expect(taro.notAfter.value.toISOString()).toBe('2030-04-01T14:59:59.000Z');
    const sato = parseCert(fx.cards['sato-ichiro'].authDer); // born 11-30, issued 2022-10-01: 1st birthday 2022-11-30
    expect(sato.notAfter.value.toISOString()).toBe('2026-11-30T14:59:59.000Z');
    const takahashi = parseCert(fx.cards['takahashi-saburo'].signDer); // born 02-29, issued 2021-06-01
    expect(takahashi.notAfter.value.toISOString()).toBe('2026-02-28T14:59:59.000Z');
  });

  it('are signed by the generation valid at issue (the newest if two overlap), found by signature and AKI', () => {
    const expected: Record<string, string> = {
      'yamada-taro': '03', 'yamada-hanako': '03', 'sato-ichiro': '02', 'takahashi-saburo': '02', 'takahashi-saburo-renewed': '03', 'suzuki-jiro': '03',
    };
    for (const [name, generation] of Object.entries(expected)) {
      const card = fx.cards[name as keyof typeof fx.cards];
      for (const [purpose, der] of [['sign', card.signDer], ['auth', card.authDer]] as const) {
        const verifying = fx.center.roots[purpose].filter((r) => isSignedBy(der, r.der)).map((r) => r.generation);
        expect(verifying, `${name} ${purpose}`).toEqual([generation]);
        const root = fx.center.roots[purpose].find((r) => r.generation === generation)!;
        const rootCert = parseCert(root.der);
        const aki = ext(parseCert(der), '2.5.29.35').value as asn1js.Sequence;
        const [keyId, issuer, serial] = aki.valueBlock.value;
        expect(keyId!.idBlock.tagNumber).toBe(0);
        expect(Buffer.from((keyId as asn1js.Primitive).valueBlock.valueHexView).toString('hex')).toBe(skiHex(rootCert));
        expect(issuer!.idBlock.tagNumber).toBe(1); // authorityCertIssuer: GeneralNames with a DirName
        expect(serial!.idBlock.tagNumber).toBe(2);
        expect(Buffer.from((serial as asn1js.Primitive).valueBlock.valueHexView).toString('hex').toUpperCase()).toBe(serialOf(rootCert));
        expect(card[purpose].generation).toBe(generation);
        expect(card[purpose].issuerKeyId).toBe(skiHex(rootCert).toUpperCase());
      }
    }
  });

  it('verify with openssl against all roots of their purpose at the fixture time, and not against the other purpose', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jpki-verify-'));
    const roots = (p: 'sign' | 'auth') => {
      const file = join(dir, `${p}.pem`);
      writeFileSync(file, fx.center.roots[p].map((r) => pem(r.der)).join(''));
      return file;
    };
    const signRoots = roots('sign');
    const authRoots = roots('auth');
    const at = String(FIXTURE_TIME.getTime() / 1000);
    for (const name of ['yamada-taro', 'sato-ichiro'] as const) {
      const sign = join(dir, `${name}-sign.pem`);
      const auth = join(dir, `${name}-auth.pem`);
      writeFileSync(sign, pem(fx.cards[name].signDer));
      writeFileSync(auth, pem(fx.cards[name].authDer));
      expect(openssl(['verify', '-attime', at, '-CAfile', signRoots, sign])).toContain(': OK');
      expect(openssl(['verify', '-attime', at, '-purpose', 'sslclient', '-CAfile', authRoots, auth])).toContain(': OK');
      expect(() => openssl(['verify', '-attime', at, '-CAfile', authRoots, sign])).toThrow(/unable to get local issuer certificate/);
    }
  });

  it('have their subject keys in the card, sign and auth keys differ, SKI matches', () => {
    for (const name of Object.keys(fx.cards) as Array<keyof typeof fx.cards>) {
      const { card, signDer, authDer } = fx.cards[name];
      const spkiOfCert = (der: Buffer) => Buffer.from(parseCert(der).subjectPublicKeyInfo.toSchema().toBER(false));
      const spkiOfKey = (b64: string) => createPublicKey(createPrivateKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' });
      expect(spkiOfKey(card.keys.sign)).toEqual(spkiOfCert(signDer));
      expect(spkiOfKey(card.keys.auth)).toEqual(spkiOfCert(authDer));
      expect(card.keys.sign).not.toBe(card.keys.auth);
      expect(skiHex(parseCert(signDer))).toBe(spkiKeyId(parseCert(signDer)));
      expect(skiHex(parseCert(authDer))).toBe(spkiKeyId(parseCert(authDer)));
    }
  });
});

describe('card file (issueCard)', () => {
  it('holds the four certificates, PKCS#8 keys, PINs with full tries, token label and ATR', () => {
    const { card, signDer } = fx.cards['yamada-hanako'];
    expect(card).toMatchObject({
      format: 'jpki-virtual-card/1', id: 'yamada-hanako', tokenLabel: 'JPKIAPICCTOKEN2', atr: '3BE000FF8131FE4514',
      pins: { auth: { value: '5678', triesLeft: 3 }, sign: { value: 'HANAKO53', triesLeft: 5 } },
    });
    expect(Object.keys(card.files).sort()).toEqual(['0001', '0002', '000A', '000B']);
    expect(Buffer.from(card.files['0001']!, 'base64')).toEqual(signDer);
    const root03 = (p: 'sign' | 'auth') => fx.center.roots[p].find((r) => r.generation === '03')!.der;
    expect(Buffer.from(card.files['0002']!, 'base64')).toEqual(root03('sign'));
    expect(Buffer.from(card.files['000B']!, 'base64')).toEqual(root03('auth'));
  });
});

/** DirName values of an alt-name extension (SAN or IAN) holding exactly one DirName. */
function otherDirName(cert: ReturnType<typeof parseCert>, oid: string): string[] {
  const names = ext(cert, oid).value as asn1js.Sequence;
  expect(names.valueBlock.value).toHaveLength(1);
  const dirName = names.valueBlock.value[0] as asn1js.Constructed;
  expect(dirName.idBlock.tagNumber).toBe(4);
  const name = dirName.valueBlock.value[0] as asn1js.Sequence;
  return name.valueBlock.value.map((rdn) => {
    const atv = (rdn as asn1js.Set).valueBlock.value[0] as asn1js.Sequence;
    return (atv.valueBlock.value[1] as asn1js.BaseStringBlock).getValue();
  });
}
