import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exportLinkage, initCenter, issueCard, loadCenter, readCardFile, renewCard, revokeCertificate, type CardRequest,
} from '../../../../platform/src/jpki/dev-center/index.js';
import { copyJpkiCenter, FIXTURE_CARDS, FIXTURE_RENEWAL, jpkiFixtures, type JpkiFixtures } from '../../../helpers/jpki-fixtures.js';
import { otherNames, parseCert, serialOf } from './inspect.js';

const TARO: CardRequest = { ...FIXTURE_CARDS['yamada-taro'], id: 'taro' };

const temps: string[] = [];
async function emptyDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'jpki-center-test-'));
  temps.push(dir);
  return join(dir, 'center');
}
afterAll(() => Promise.all(temps.map((d) => rm(d, { recursive: true, force: true }))));

let fx: JpkiFixtures;
beforeAll(async () => {
  fx = await jpkiFixtures();
});

async function cardCount(dir: string): Promise<number> {
  return (JSON.parse(await readFile(join(dir, 'center.json'), 'utf8')) as { cards: unknown[] }).cards.length;
}

describe('initCenter', () => {
  it('gives byte-identical CA certificates and cards for the same seed, different ones for another seed', async () => {
    const make = async (seed: string) => {
      const dir = await emptyDir();
      const started = performance.now();
      const info = await initCenter(dir, { seed, generations: ['02', '03'] });
      const initSeconds = (performance.now() - started) / 1000;
      const t = performance.now();
      const issued = await issueCard(dir, TARO);
      console.log(`seeded init (2 generations): ${initSeconds.toFixed(2)} s, issue-card: ${((performance.now() - t) / 1000).toFixed(2)} s`);
      return { info, issued };
    };
    const a = await make('same');
    const b = await make('same');
    const c = await make('other');
    expect(b.info.roots.sign.map((r) => r.der)).toEqual(a.info.roots.sign.map((r) => r.der));
    expect(b.info.roots.auth.map((r) => r.der)).toEqual(a.info.roots.auth.map((r) => r.der));
    expect(JSON.stringify(b.issued.card)).toBe(JSON.stringify(a.issued.card));
    expect(c.info.roots.sign[0]!.der).not.toEqual(a.info.roots.sign[0]!.der);
    expect(c.issued.card.keys.sign).not.toBe(a.issued.card.keys.sign);
  });

  it('uses the OS key generator without a seed (two centers differ)', async () => {
    const a = await initCenter(await emptyDir(), { generations: ['02', '03'] });
    const b = await initCenter(await emptyDir(), { generations: ['02', '03'] });
    expect(a.seed).toBeNull();
    expect(a.roots.sign[1]!.der).not.toEqual(b.roots.sign[1]!.der);
  });

  it('refuses a directory that already holds a center, a single generation and unknown generations', async () => {
    const dir = await emptyDir();
    await initCenter(dir, { generations: ['02', '03'] });
    await expect(initCenter(dir)).rejects.toMatchObject({ code: 'REQ_INVALID', detail: expect.stringMatching(/already holds/) });
    await expect(initCenter(await emptyDir(), { generations: ['03'] })).rejects.toMatchObject({ code: 'REQ_INVALID' });
    await expect(initCenter(await emptyDir(), { generations: ['02', '09'] })).rejects.toMatchObject({ code: 'REQ_INVALID', detail: expect.stringMatching(/09/) });
  });

  it('makes loadCenter fail with REQ_NOT_FOUND where there is no center', async () => {
    await expect(loadCenter(await emptyDir())).rejects.toMatchObject({ code: 'REQ_NOT_FOUND' });
  });
});

describe('issueCard', () => {
  it('refuses badly formed PINs with CARD_PIN_FORMAT and writes nothing', async () => {
    const dir = await copyJpkiCenter();
    const before = await cardCount(dir);
    for (const pins of [{ authPin: '12345' }, { authPin: '12a4' }, { signPin: 'abcd1234' }, { signPin: 'ABC12' }, { signPin: 'ABCDEFGH12345678X' }, { signPin: 'ABCD-1234' }]) {
      await expect(issueCard(dir, { ...TARO, ...pins })).rejects.toMatchObject({ code: 'CARD_PIN_FORMAT' });
    }
    expect(await cardCount(dir)).toBe(before);
  });

  it('refuses bad person data and dates with REQ_INVALID, listing every problem', async () => {
    const dir = await copyJpkiCenter();
    const refused = (change: Partial<CardRequest>, pattern: RegExp) =>
      expect(issueCard(dir, { ...TARO, ...change })).rejects.toMatchObject({ code: 'REQ_INVALID', detail: expect.stringMatching(pattern) });
    await refused({ birth: '2023-02-30' }, /birth must be a date/);
    await refused({ birth: '1950/04/01' }, /birth must be a date/);
    await refused({ gender: '0' }, /gender/);
    await refused({ address: 'Somewhere 1-2' }, /prefecture/);
    await refused({ issued: 'yesterday' }, /issued must be YYYY-MM-DD/);
    await refused({ issued: '2025-04-01T10:00:00' }, /issued must be/); // no zone: ambiguous
    await refused({ issued: '2014-01-01' }, /no sign CA generation is valid/);
    await refused({ birth: '2025-05-01', issued: '2025-04-01' }, /after the issue day/);
    await refused({ birth: '1990-07-20', issued: '2029-08-01' }, /after CA generation 03 ends/);
    await refused({ id: 'bad id!' }, /id must match/);
    // a PIN problem together with another problem: REQ_INVALID naming both
    await expect(issueCard(dir, { ...TARO, authPin: '1', birth: 'x' })).rejects.toMatchObject({
      code: 'REQ_INVALID', details: { problems: [expect.stringMatching(/auth PIN/), expect.stringMatching(/birth/)] },
    });
  });

  it('switches generation at the new generation\'s notBefore, per purpose', async () => {
    const dir = await copyJpkiCenter();
    const at = async (issued: string) => {
      const c = await issueCard(dir, { ...TARO, issued });
      return [c.sign.generation, c.auth.generation];
    };
    expect(await at('2023-07-16T00:50:26Z')).toEqual(['02', '02']);
    expect(await at('2023-07-16T00:55:00Z')).toEqual(['03', '02']); // sign 03 starts 00:50:27, auth 03 at 01:01:04
    expect(await at('2023-07-16T02:00:00Z')).toEqual(['03', '03']);
    expect(await at('2017-01-10')).toEqual(['01', '01']);
  });

  it('uses the injected clock when no issue date is given', async () => {
    const dir = await copyJpkiCenter();
    const c = await issueCard(dir, { ...TARO, issued: undefined }, { now: new Date('2024-03-03T03:03:03.456Z') });
    expect(c.sign.notBefore).toBe('2024-03-03T03:03:03Z');
    expect(parseCert(Buffer.from(c.card.files['0001']!, 'base64')).notBefore.value.toISOString()).toBe('2024-03-03T03:03:03.000Z');
  });
});

describe('renewCard', () => {
  it('issues new keys and certificates for the same person and PINs, full tries, and revokes the old pair', async () => {
    const dir = await copyJpkiCenter();
    const old = await readCardFile(fx.cards['yamada-taro'].path);
    old.pins.auth.triesLeft = 1; // as the virtual card would have written after two wrong PINs
    const renewed = await renewCard(dir, old, { issued: '2026-01-10' });
    expect(renewed.card.id).toBe('yamada-taro');
    expect(renewed.card.pins).toEqual({ auth: { value: '1234', triesLeft: 3 }, sign: { value: 'YAMADA2024', triesLeft: 5 } });
    expect(renewed.card.keys.sign).not.toBe(old.keys.sign);
    expect(renewed.card.keys.auth).not.toBe(old.keys.auth);
    expect(renewed.sign.serial).not.toBe(fx.cards['yamada-taro'].sign.serial);
    expect(otherNames(parseCert(Buffer.from(renewed.card.files['0001']!, 'base64')))).toEqual(otherNames(parseCert(fx.cards['yamada-taro'].signDer)));
    expect(renewed.sign.notAfter).toBe('2030-04-01T14:59:59Z'); // born 04-01: 1st birthday after 2026-01-10 is 2026-04-01

    const linkage = await exportLinkage(dir);
    const renewal = linkage.renewals.find((r) => r.cardId === 'yamada-taro')!;
    expect(renewal.renewedAt).toBe('2026-01-10T00:00:00Z');
    expect(renewal.old.sign.serial).toBe(fx.cards['yamada-taro'].sign.serial);
    expect(renewal.old.auth.serial).toBe(fx.cards['yamada-taro'].auth.serial);
    expect(renewal.new.sign.serial).toBe(renewed.sign.serial);
    expect(renewal.new.auth.serial).toBe(renewed.auth.serial);
    expect(renewal.old.sign.revoked).toEqual({ at: '2026-01-10T00:00:00Z', reason: 'superseded' });
    expect(renewal.old.auth.revoked).toEqual({ at: '2026-01-10T00:00:00Z', reason: 'superseded' });
    expect(renewal.new.sign.revoked).toBeNull();

    await expect(renewCard(dir, old, { issued: '2026-02-01' })).rejects.toMatchObject({ code: 'REQ_INVALID', detail: expect.stringMatching(/already renewed/) });
  });

  it('takes changed person data (a move) into the new sign certificate and can keep the old pair', async () => {
    const dir = await copyJpkiCenter();
    const old = await readCardFile(fx.cards['yamada-hanako'].path);
    const renewed = await renewCard(dir, old, { issued: '2025-09-01', person: { address: '東京都清瀬市中里１－２' }, keepOld: true });
    const cert = parseCert(Buffer.from(renewed.card.files['0001']!, 'base64'));
    expect(otherNames(cert)[3]).toEqual(['1.2.392.200149.8.5.5.5', '東京都清瀬市中里１－２']);
    expect(otherNames(cert)[0]).toEqual(['1.2.392.200149.8.5.5.1', '山田\u3000花子']);
    const linkage = await exportLinkage(dir);
    expect(linkage.renewals.find((r) => r.cardId === 'yamada-hanako')!.old.sign.revoked).toBeNull();
  });

  it('refuses a card the center did not issue and a renewal dated before the old issue', async () => {
    const dir = await copyJpkiCenter();
    const other = await initCenter(await emptyDir(), { generations: ['02', '03'] });
    const stranger = await issueCard(other.dir, TARO);
    await expect(renewCard(dir, stranger.card)).rejects.toMatchObject({ code: 'REQ_NOT_FOUND' });
    const old = await readCardFile(fx.cards['yamada-taro'].path);
    await expect(renewCard(dir, old, { issued: '2025-01-01' })).rejects.toMatchObject({ code: 'REQ_INVALID', detail: expect.stringMatching(/before the old card/) });
  });
});

describe('revokeCertificate', () => {
  it('records reason and date, by card or by serial, once', async () => {
    const dir = await copyJpkiCenter();
    const card = await readCardFile(fx.cards['yamada-taro'].path);
    const r = await revokeCertificate(dir, { card, which: 'sign' }, 'affiliationChanged', { date: '2025-05-05T05:05:05Z' });
    expect(r).toEqual({ purpose: 'sign', generation: '03', serial: fx.cards['yamada-taro'].sign.serial, revokedAt: '2025-05-05T05:05:05Z', reason: 'affiliationChanged' });
    await expect(revokeCertificate(dir, { card, which: 'sign' }, 'keyCompromise')).rejects.toMatchObject({ code: 'REQ_INVALID', detail: expect.stringMatching(/already revoked/) });
    const bySerial = await revokeCertificate(dir, { purpose: 'auth', serial: parseInt(fx.cards['yamada-taro'].auth.serial, 16) }, 'cessationOfOperation', { now: new Date('2025-05-06T00:00:00Z') });
    expect(bySerial.revokedAt).toBe('2025-05-06T00:00:00Z');
  });

  it('refuses unknown reasons, foreign serials and dates before the certificate', async () => {
    const dir = await copyJpkiCenter();
    const card = await readCardFile(fx.cards['yamada-taro'].path);
    await expect(revokeCertificate(dir, { card, which: 'sign' }, 'lostCard')).rejects.toMatchObject({ code: 'REQ_INVALID', detail: expect.stringMatching(/reason must be one of/) });
    await expect(revokeCertificate(dir, { card, which: 'sign' }, 'removeFromCRL')).rejects.toMatchObject({ code: 'REQ_INVALID' });
    await expect(revokeCertificate(dir, { purpose: 'sign', serial: 0x7ffffff0 }, 'keyCompromise')).rejects.toMatchObject({ code: 'REQ_NOT_FOUND' });
    await expect(revokeCertificate(dir, { card, which: 'auth' }, 'keyCompromise', { date: '2024-01-01' })).rejects.toMatchObject({ code: 'REQ_INVALID', detail: expect.stringMatching(/before the certificate/) });
  });
});

describe('exportLinkage', () => {
  it('pairs sign and auth of every card by issuer and serial, with dates and revocations', async () => {
    const linkage = await exportLinkage(fx.dir + '/center', { now: new Date('2025-06-01T00:00:00Z') });
    expect(linkage.format).toBe('jpki-dev-linkage/1');
    expect(linkage.generatedAt).toBe('2025-06-01T00:00:00Z');
    // a renewed card keeps its name in the card bay
    expect(linkage.cards.map((c) => c.cardId)).toEqual([...Object.keys(FIXTURE_CARDS), FIXTURE_RENEWAL.from]);
    const fixtureNames = [...Object.keys(FIXTURE_CARDS), FIXTURE_RENEWAL.to] as Array<keyof typeof fx.cards>;
    expect(linkage.cards).toHaveLength(fixtureNames.length);
    for (const [i, entry] of linkage.cards.entries()) {
      const card = fx.cards[fixtureNames[i]!];
      expect(entry.sign.serial).toBe(serialOf(parseCert(card.signDer)));
      expect(entry.auth.serial).toBe(serialOf(parseCert(card.authDer)));
      expect(entry.sign.issuer).toBe('C=JP, O=JPKI-TEST, OU=JPKI for digital signature, OU=Japan Agency for Local Authority Information Systems');
      expect(entry.auth.issuer).toBe('C=JP, O=JPKI-TEST, OU=JPKI for user authentication, OU=Japan Agency for Local Authority Information Systems');
      expect(entry.sign.notBefore).toBe(entry.issuedAt);
    }
    const suzuki = linkage.cards.find((c) => c.cardId === 'suzuki-jiro')!;
    expect(suzuki.sign.revoked).toEqual({ at: '2025-01-15T03:00:00Z', reason: 'keyCompromise' });
    expect(suzuki.auth.revoked).toEqual({ at: '2025-01-15T03:00:00Z', reason: 'certificateHold' });
    expect(linkage.renewals).toHaveLength(1);
    expect(linkage.renewals[0]).toMatchObject({
      cardId: 'takahashi-saburo', renewedAt: '2024-09-01T00:00:00Z',
      old: { sign: { serial: fx.cards['takahashi-saburo'].sign.serial, generation: '02' } },
      new: { sign: { serial: fx.cards['takahashi-saburo-renewed'].sign.serial, generation: '03' } },
    });
  });

  it('carries no personal data', async () => {
    const text = JSON.stringify(await exportLinkage(fx.dir + '/center'));
    for (const person of Object.values(FIXTURE_CARDS)) {
      expect(text).not.toContain(person.name);
      expect(text).not.toContain(person.birth);
      expect(text).not.toContain(person.authPin);
    }
  });
});
