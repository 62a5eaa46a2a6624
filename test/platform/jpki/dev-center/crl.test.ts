import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCrl, issueCard, readCardFile, revokeCertificate } from '../../../../platform/src/jpki/dev-center/index.js';
import { copyJpkiCenter, FIXTURE_CARDS, FIXTURE_TIME, jpkiFixtures, type JpkiFixtures } from '../../../helpers/jpki-fixtures.js';
import { isSignedBy, openssl, parseCert, pem, serialOf, skiHex } from './inspect.js';

let fx: JpkiFixtures;
beforeAll(async () => {
  fx = await jpkiFixtures();
});

interface Entry { serial: string; date: string; reason: number | null }

function readCrl(der: Buffer) {
  const crl = pkijs.CertificateRevocationList.fromBER(Uint8Array.from(der));
  const extensionValue = (oid: string) => {
    const e = crl.crlExtensions?.extensions.find((x) => x.extnID === oid);
    return e ? asn1js.fromBER(e.extnValue.valueBlock.valueHexView).result : null;
  };
  const entries: Entry[] = (crl.revokedCertificates ?? []).map((r) => {
    const reasonExt = r.crlEntryExtensions?.extensions.find((x) => x.extnID === '2.5.29.21');
    const reason = reasonExt ? (asn1js.fromBER(reasonExt.extnValue.valueBlock.valueHexView).result as asn1js.Enumerated).valueBlock.valueDec : null;
    return { serial: Buffer.from(r.userCertificate.valueBlock.valueHexView).toString('hex').toUpperCase(), date: r.revocationDate.value.toISOString(), reason };
  });
  const number = extensionValue('2.5.29.20') as asn1js.Integer | null;
  const aki = extensionValue('2.5.29.35') as asn1js.Sequence | null;
  return {
    crl, entries, number: number?.valueBlock.valueDec ?? null,
    akiKeyId: aki ? Buffer.from((aki.valueBlock.value[0] as asn1js.Primitive).valueBlock.valueHexView).toString('hex') : null,
  };
}

const root = (purpose: 'sign' | 'auth', generation: string) => fx.center.roots[purpose].find((r) => r.generation === generation)!.der;

describe('fixture CRLs (buildCrl)', () => {
  it('are v2, dated at the fixture time, numbered, with the issuing root as AKI', () => {
    for (const purpose of ['sign', 'auth'] as const) {
      for (const generation of ['02', '03']) {
        const { crl, number, akiKeyId } = readCrl(fx.crls[purpose][generation]!);
        expect(crl.version).toBe(1);
        expect(crl.thisUpdate.value.toISOString()).toBe(FIXTURE_TIME.toISOString());
        expect(crl.nextUpdate!.value.getTime() - FIXTURE_TIME.getTime()).toBe(24 * 3600_000);
        expect(number).toBe(1);
        expect(akiKeyId).toBe(skiHex(parseCert(root(purpose, generation))));
      }
    }
  });

  it('list each revoked certificate on the CRL of the generation that issued it, with reason and date', () => {
    const suzuki = fx.cards['suzuki-jiro'];
    const takahashiOld = fx.cards['takahashi-saburo'];
    expect(readCrl(fx.crls.sign['03']!).entries).toEqual([{ serial: serialOf(parseCert(suzuki.signDer)), date: '2025-01-15T03:00:00.000Z', reason: 1 }]);
    expect(readCrl(fx.crls.auth['03']!).entries).toEqual([{ serial: serialOf(parseCert(suzuki.authDer)), date: '2025-01-15T03:00:00.000Z', reason: 6 }]);
    expect(readCrl(fx.crls.sign['02']!).entries).toEqual([{ serial: serialOf(parseCert(takahashiOld.signDer)), date: '2024-09-01T00:00:00.000Z', reason: 4 }]);
    expect(readCrl(fx.crls.auth['02']!).entries).toEqual([{ serial: serialOf(parseCert(takahashiOld.authDer)), date: '2024-09-01T00:00:00.000Z', reason: 4 }]);
  });

  it('are signed by their own generation only', () => {
    for (const purpose of ['sign', 'auth'] as const) {
      for (const generation of ['02', '03']) {
        const signers = fx.center.roots[purpose].filter((r) => isSignedBy(fx.crls[purpose][generation]!, r.der)).map((r) => r.generation);
        expect(signers).toEqual([generation]);
      }
    }
  });

  it('parse and verify with openssl, which then reports the revoked certificate', () => {
    const text = openssl(['crl', '-inform', 'DER', '-noout', '-text'], fx.crls.sign['03']);
    expect(text).toContain('Version 2 (0x1)');
    expect(text).toContain('X509v3 CRL Reason Code:');
    expect(text).toContain('Key Compromise');
    expect(text).toContain('X509v3 CRL Number:');
    const dir = mkdtempSync(join(tmpdir(), 'jpki-crl-'));
    const file = (name: string, body: string) => {
      writeFileSync(join(dir, name), body);
      return join(dir, name);
    };
    const ca = file('ca.pem', pem(root('sign', '03')));
    const crl = file('crl.pem', pem(fx.crls.sign['03']!, 'X509 CRL'));
    expect(openssl(['crl', '-in', crl, '-CAfile', ca, '-noout'])).toMatch(/verify OK/);
    expect(openssl(['crl', '-in', crl, '-CAfile', file('wrong.pem', pem(root('sign', '02'))), '-noout'])).toMatch(/verify failure/);
    const at = String(FIXTURE_TIME.getTime() / 1000);
    const revoked = file('suzuki.pem', pem(fx.cards['suzuki-jiro'].signDer));
    const good = file('taro.pem', pem(fx.cards['yamada-taro'].signDer));
    expect(() => openssl(['verify', '-attime', at, '-crl_check', '-CRLfile', crl, '-CAfile', ca, revoked])).toThrow(/certificate revoked/);
    expect(openssl(['verify', '-attime', at, '-crl_check', '-CRLfile', crl, '-CAfile', ca, good])).toContain(': OK');
  });
});

describe('buildCrl', () => {
  it('counts CRL numbers up per CA, defaults to the newest generation and reports other generations', async () => {
    const dir = await copyJpkiCenter();
    const first = await buildCrl(dir, { which: 'sign', thisUpdate: '2025-07-01' });
    const second = await buildCrl(dir, { which: 'sign', thisUpdate: '2025-07-02' });
    expect(first.generation).toBe('03');
    expect([first.crlNumber, second.crlNumber]).toEqual([2, 3]); // the fixtures issued #1
    expect(readCrl(second.der).number).toBe(3);
    expect(first.elsewhere).toEqual({ '02': 1 });
    const gen02 = await buildCrl(dir, { which: 'sign', generation: '02', thisUpdate: '2025-07-01' });
    expect(gen02.crlNumber).toBe(2);
  });

  it('leaves out revocations dated after thisUpdate and can be empty', async () => {
    const dir = await copyJpkiCenter();
    const before = await buildCrl(dir, { which: 'sign', generation: '03', thisUpdate: '2025-01-15T02:59:59Z', nextUpdate: '2025-01-16T00:00:00Z' });
    expect(before.entries).toEqual([]);
    expect(readCrl(before.der).crl.revokedCertificates).toBeUndefined();
    expect(readCrl(before.der).crl.nextUpdate!.value.toISOString()).toBe('2025-01-16T00:00:00.000Z');
    const after = await buildCrl(dir, { which: 'sign', generation: '03', thisUpdate: '2025-01-15T03:00:00Z' });
    expect(after.entries.map((e) => e.reason)).toEqual(['keyCompromise']);
  });

  it('omits the reason code for unspecified and lists a fresh revocation with its date', async () => {
    const dir = await copyJpkiCenter();
    const card = await readCardFile(fx.cards['yamada-hanako'].path);
    await revokeCertificate(dir, { card, which: 'auth' }, 'unspecified', { date: '2025-05-01T12:00:00Z' });
    const crl = await buildCrl(dir, { which: 'auth', thisUpdate: FIXTURE_TIME });
    const entries = readCrl(crl.der).entries;
    expect(entries).toContainEqual({ serial: serialOf(parseCert(fx.cards['yamada-hanako'].authDer)), date: '2025-05-01T12:00:00.000Z', reason: null });
    expect(entries).toHaveLength(2);
  });

  it('refuses dates outside the CA, nextUpdate before thisUpdate and unknown generations with REQ_INVALID', async () => {
    const dir = await copyJpkiCenter();
    await expect(buildCrl(dir, { which: 'sign', generation: '03', thisUpdate: '2023-01-01' })).rejects.toMatchObject({ code: 'REQ_INVALID', detail: expect.stringMatching(/outside sign CA generation 03/) });
    await expect(buildCrl(dir, { which: 'sign', thisUpdate: '2025-01-02', nextUpdate: '2025-01-01' })).rejects.toMatchObject({ code: 'REQ_INVALID', detail: expect.stringMatching(/next-update must be after/) });
    await expect(buildCrl(dir, { which: 'auth', generation: '07', thisUpdate: '2025-01-01' })).rejects.toMatchObject({ code: 'REQ_INVALID' });
  });

  it('puts a certificate issued and revoked in a copy on the right generation by issue date', async () => {
    const dir = await copyJpkiCenter();
    const issued = await issueCard(dir, { ...FIXTURE_CARDS['yamada-taro'], id: 'old-era', issued: '2019-10-01' }); // 01 and 02 overlap → 02
    expect(issued.sign.generation).toBe('02');
    await revokeCertificate(dir, { card: issued.card, which: 'sign' }, 'affiliationChanged', { date: '2020-01-01' });
    const crl = await buildCrl(dir, { which: 'sign', generation: '02', thisUpdate: '2020-02-01' });
    expect(crl.entries).toEqual([expect.objectContaining({ serial: issued.sign.serial, reason: 'affiliationChanged' })]);
    expect(isSignedBy(crl.der, root('sign', '02'))).toBe(true);
  });
});
