import { createHash, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../reader-driver/src/apdu/bytes.js';
import { digestInfoForSha256Hash } from '../../../platform/src/shared/digest-info.js';
import { MemoryCardStore } from '../../../reader-driver/src/virtual-card/card-store.js';
import { VirtualCard, certificateEfSize } from '../../../reader-driver/src/virtual-card/virtual-card.js';
import { AUTH_PIN, SIGN_PIN, TEST_CERTS, buildCardFile, h, hx, poweredCard, publicKeyOf, send, swOf } from '../helpers.js';

const asciiHex = (s: string) => toHex(Buffer.from(s, 'latin1'));
const fid4 = (fid: number) => fid.toString(16).padStart(4, '0').toUpperCase();
const lc = (hex: string) => (hex.length / 2).toString(16).padStart(2, '0').toUpperCase();

const SEL_AP = '00A4040C0AD392F000260100000001';
const SEL = (fid: number) => `00A4020C02${fid4(fid)}`;
const RD = (offset: number, le: number) => `00B0${offset.toString(16).padStart(4, '0')}${(le & 0xff).toString(16).padStart(2, '0')}`.toUpperCase();
const VERIFY = (pin: string) => `00200080${lc(asciiHex(pin))}${asciiHex(pin)}`;
const QUERY = '00200080';
const CHANGE = (pin: string) => `00240180${lc(asciiHex(pin))}${asciiHex(pin)}`;
const SIGN = (data: string, le = '00') => `802A0080${lc(data)}${data}${le}`;
const VA = [SEL_AP, SEL(0x18), VERIFY(AUTH_PIN)];
const VS = [SEL_AP, SEL(0x1b), VERIFY(SIGN_PIN)];
const DIGEST = toHex(digestInfoForSha256Hash(createHash('sha256').update('nonce').digest()));

/** [what, setup commands (answers ignored), command, expected answer: SW or full hex pattern] */
type Row = [string, string[], string, string | RegExp];

const rows: Row[] = [
  // SELECT by DF name
  ['SELECT of the JPKI AID', [], SEL_AP, '9000'],
  ['SELECT of the JPKI AID with Le', [], SEL_AP + '00', '9000'],
  ['SELECT of the 券面事項入力補助 AID', [], '00A4040C0AD3921000310001010408', '6A82'],
  ['SELECT of the 券面 AID', [], '00A4040C0AD3921000310001010402', '6A82'],
  ['SELECT of a partial JPKI AID', [], '00A4040C09D392F0002601000000', '6A82'],
  ['SELECT by DF name asking for FCI (P2 00)', [], '00A404000AD392F000260100000001', '6A86'],
  ['SELECT by DF name without a name', [], '00A4040C', '6700'],
  ['SELECT 3F00 by FID', [], '00A4000C023F00', '6A82'],
  ['SELECT MF without data', [], '00A40000', '6A86'],
  ['SELECT by path', [], '00A4080C040001000A', '6A86'],
  // SELECT EF
  ['SELECT EF before the AP', [], SEL(0x0a), '6A82'],
  ...[0x01, 0x02, 0x06, 0x08, 0x0a, 0x0b, 0x17, 0x18, 0x1a, 0x1b].map((fid): Row => [`SELECT EF ${fid4(fid)}`, [SEL_AP], SEL(fid), '9000']),
  ...[0x03, 0x05, 0x09, 0x16, 0x1c, 0x3f00].map((fid): Row => [`SELECT of absent EF ${fid4(fid)}`, [SEL_AP], SEL(fid), '6A82']),
  ['SELECT EF with a 1-byte FID', [SEL_AP], '00A4020C0100', '6700'],
  ['SELECT EF with P2 00', [SEL_AP], '00A4020002000A', '6A86'],
  // READ BINARY
  ['READ before the AP', [], RD(0, 4), '6986'],
  ['READ with no current EF', [SEL_AP], RD(0, 4), '6986'],
  ['READ token info: 32-byte space-padded label', [SEL_AP, SEL(0x06)], RD(0, 0x20), asciiHex('JPKIAPICCTOKEN2'.padEnd(32, ' ')) + '9000'],
  ['READ token info past its 32 bytes', [SEL_AP, SEL(0x06)], RD(32, 1), '6B00'],
  ['READ EF 0008', [SEL_AP, SEL(0x08)], RD(0, 0), '8F8F009000'],
  ['READ auth certificate header', [SEL_AP, SEL(0x0a)], RD(0, 4), '3082062E9000'],
  ['READ auth CA header', [SEL_AP, SEL(0x0b)], RD(0, 4), '308205239000'],
  ['READ sign CA header', [SEL_AP, SEL(0x02)], RD(0, 4), '308205119000'],
  ['READ of the filler after the DER', [SEL_AP, SEL(0x0a)], RD(1586, 4), 'FFFFFFFF9000'],
  ['READ at the end of the EF returns fewer bytes', [SEL_AP, SEL(0x0a)], RD(1792 - 10, 0), 'FF'.repeat(10) + '9000'],
  ['READ at the EF size', [SEL_AP, SEL(0x0a)], RD(1792, 1), '6B00'],
  ['READ at the highest offset', [SEL_AP, SEL(0x0a)], RD(0x7fff, 1), '6B00'],
  ['READ sign certificate without the sign PIN', [SEL_AP, SEL(0x01)], RD(0, 4), '6982'],
  ['READ sign certificate with only the auth PIN', [...VA, SEL(0x01)], RD(0, 4), '6982'],
  ['READ sign certificate after the sign PIN', [...VS, SEL(0x01)], RD(0, 4), '308206A49000'],
  ['READ of a private-key EF', [SEL_AP, SEL(0x17)], RD(0, 4), '6981'],
  ['READ of a PIN EF', [SEL_AP, SEL(0x1b)], RD(0, 4), '6981'],
  ['READ by short EF id', [SEL_AP, SEL(0x0a)], '00B08A0004', '6A86'],
  ['READ without Le', [SEL_AP, SEL(0x0a)], '00B00000', '6700'],
  ['READ with data', [SEL_AP, SEL(0x0a)], '00B000000100', '6700'],
  // VERIFY
  ['retry query, auth, fresh', [SEL_AP, SEL(0x18)], QUERY, '63C3'],
  ['retry query, sign, fresh', [SEL_AP, SEL(0x1b)], QUERY, '63C5'],
  ['retry query in the 5-byte form', [SEL_AP, SEL(0x18)], QUERY + '00', '63C3'],
  ['retry query costs nothing', [SEL_AP, SEL(0x18), QUERY, QUERY, QUERY], QUERY, '63C3'],
  ['VERIFY auth', [SEL_AP, SEL(0x18)], VERIFY(AUTH_PIN), '9000'],
  ['VERIFY sign', [SEL_AP, SEL(0x1b)], VERIFY(SIGN_PIN), '9000'],
  ['retry query after a successful VERIFY', VA, QUERY, '9000'],
  ['VERIFY auth wrong once', [SEL_AP, SEL(0x18)], VERIFY('0000'), '63C2'],
  ['VERIFY auth wrong twice', [SEL_AP, SEL(0x18), VERIFY('0000')], VERIFY('0000'), '63C1'],
  ['VERIFY auth wrong thrice blocks', [SEL_AP, SEL(0x18), VERIFY('0000'), VERIFY('0000')], VERIFY('0000'), '63C0'],
  ['VERIFY auth when blocked, even with the right PIN', [SEL_AP, SEL(0x18), ...Array(3).fill(VERIFY('0000'))], VERIFY(AUTH_PIN), '6984'],
  ['retry query when blocked', [SEL_AP, SEL(0x18), ...Array(3).fill(VERIFY('0000'))], QUERY, '63C0'],
  ['VERIFY sign wrong once', [SEL_AP, SEL(0x1b)], VERIFY('WRONG1'), '63C4'],
  ['VERIFY sign wrong five times blocks', [SEL_AP, SEL(0x1b), ...Array(4).fill(VERIFY('WRONG1'))], VERIFY('WRONG1'), '63C0'],
  ['VERIFY sign when blocked', [SEL_AP, SEL(0x1b), ...Array(5).fill(VERIFY('WRONG1'))], VERIFY(SIGN_PIN), '6984'],
  ['VERIFY of a lower-case sign password is a wrong PIN', [SEL_AP, SEL(0x1b)], VERIFY(SIGN_PIN.toLowerCase()), '63C4'],
  ['a success resets the counter', [SEL_AP, SEL(0x18), VERIFY('0000'), VERIFY('0000'), VERIFY(AUTH_PIN), VERIFY('0000')], QUERY, '63C2'],
  ['a wrong VERIFY drops the verified state', [...VA, VERIFY('0000'), SEL(0x17)], SIGN(DIGEST), '6982'],
  ['VERIFY with no current EF', [SEL_AP], VERIFY(AUTH_PIN), '6986'],
  ['VERIFY before the AP', [], VERIFY(AUTH_PIN), '6986'],
  ['VERIFY on a certificate EF', [SEL_AP, SEL(0x0a)], VERIFY(AUTH_PIN), '6A88'],
  ['VERIFY on a key EF', [SEL_AP, SEL(0x17)], QUERY, '6A88'],
  ['VERIFY with P1 01', [SEL_AP, SEL(0x18)], '0020018004' + asciiHex(AUTH_PIN), '6A86'],
  ['VERIFY by SFI (P2 98)', [SEL_AP, SEL(0x18)], '0020009804' + asciiHex(AUTH_PIN), '6A86'],
  ['VERIFY with Le', [SEL_AP, SEL(0x18)], VERIFY(AUTH_PIN) + '00', '6700'],
  ['VERIFY as case 2 with Le ≠ 00', [SEL_AP, SEL(0x18)], '0020008004', '6700'],
  ['VERIFY of 17 bytes', [SEL_AP, SEL(0x1b)], VERIFY('A'.repeat(17)), '6700'],
  ['VERIFY of 17 bytes costs nothing', [SEL_AP, SEL(0x1b), VERIFY('A'.repeat(17))], QUERY, '63C5'],
  // CHANGE REFERENCE DATA
  ['CHANGE before VERIFY', [SEL_AP, SEL(0x18)], CHANGE('5678'), '6982'],
  ['CHANGE auth after VERIFY', VA, CHANGE('5678'), '9000'],
  ['the new auth PIN verifies', [...VA, CHANGE('5678'), SEL_AP, SEL(0x18)], VERIFY('5678'), '9000'],
  ['the old auth PIN no longer does', [...VA, CHANGE('5678'), SEL_AP, SEL(0x18)], VERIFY(AUTH_PIN), '63C2'],
  ['CHANGE sign after VERIFY', VS, CHANGE('NEWPASS99'), '9000'],
  ...['12345', '123', 'ABCD', '12a4'].map((bad): Row => [`CHANGE auth to "${bad}"`, VA, CHANGE(bad), '6A80']),
  ...['abc123', 'ABC12', 'ABC-123', 'ＡＢＣ１２３'].map((bad): Row => [`CHANGE sign to "${bad}"`, VS, CHANGE(bad), '6A80']),
  ['CHANGE with P1 00 (old and new)', VA, '0024008008' + asciiHex('12345678'), '6A86'],
  ['CHANGE with P2 81', VA, '0024018104' + asciiHex('5678'), '6A86'],
  ['CHANGE without data', VA, '00240180', '6700'],
  ['CHANGE with Le', VA, CHANGE('5678') + '00', '6700'],
  ['CHANGE of 17 bytes', VS, CHANGE('A'.repeat(17)), '6700'],
  ['CHANGE when blocked', [SEL_AP, SEL(0x18), ...Array(3).fill(VERIFY('0000'))], CHANGE('5678'), '6984'],
  ['CHANGE with no current EF', [SEL_AP], CHANGE('5678'), '6986'],
  ['CHANGE on a certificate EF', [SEL_AP, SEL(0x0a)], CHANGE('5678'), '6A88'],
  // COMPUTE DIGITAL SIGNATURE
  ['SIGN with the auth key after the auth PIN', [...VA, SEL(0x17)], SIGN(DIGEST), /^[0-9A-F]{512}9000$/],
  ['SIGN with the sign key after the sign PIN', [...VS, SEL(0x1a)], SIGN(DIGEST), /^[0-9A-F]{512}9000$/],
  ['SIGN as case 3 (no Le)', [...VA, SEL(0x17)], SIGN(DIGEST, ''), /^[0-9A-F]{512}9000$/],
  ['SIGN of 245 bytes', [...VA, SEL(0x17)], SIGN('AB'.repeat(245)), /^[0-9A-F]{512}9000$/],
  ['SIGN of 246 bytes', [...VA, SEL(0x17)], SIGN('AB'.repeat(246)), '6700'],
  ['SIGN with Le 10', [...VA, SEL(0x17)], SIGN(DIGEST, '10'), '6700'],
  ['SIGN without data', [...VA, SEL(0x17)], '802A008000', '6700'],
  ['SIGN without any PIN', [SEL_AP, SEL(0x17)], SIGN(DIGEST), '6982'],
  ['SIGN with the auth key after only the sign PIN', [...VS, SEL(0x17)], SIGN(DIGEST), '6982'],
  ['SIGN with the sign key after only the auth PIN', [...VA, SEL(0x1a)], SIGN(DIGEST), '6982'],
  ['SIGN with a certificate EF selected', [...VA, SEL(0x0a)], SIGN(DIGEST), '6982'],
  ['SIGN with the PIN EF still selected', VA, SIGN(DIGEST), '6982'],
  ['SIGN with no EF', [SEL_AP], SIGN(DIGEST), '6982'],
  ['SIGN before the AP', [], SIGN(DIGEST), '6982'],
  ['SIGN after a failed SELECT EF (no stale key EF)', [...VA, SEL(0x17), SEL(0x99)], SIGN(DIGEST), '6982'],
  ...[1, 2, 3, 4, 5].map((p1): Row => [`SIGN with scheme P1 0${p1}`, [...VA, SEL(0x17)], `802A0${p1}8033${DIGEST}00`, '6A86']),
  ['SIGN by SFI (P2 97)', [...VA], `802A009733${DIGEST}00`, '6A86'],
  ['INS 2A under CLA 00', [...VA, SEL(0x17)], `002A008033${DIGEST}00`, '6D00'],
  // CLA / INS / lengths
  ...['08', '0C', '88', '8C', '84'].map((cla): Row => [`secure-messaging CLA ${cla}`, [SEL_AP], `${cla}A4020C02000A`, '6882']),
  ...['01', '10', '90', 'A0', 'FF'].map((cla): Row => [`CLA ${cla}`, [SEL_AP], `${cla}B0000004`, '6E00']),
  ['GET DATA', [SEL_AP], '00CA5F5100', '6D00'],
  ['GET CHALLENGE', [SEL_AP], '0084000008', '6D00'],
  ['GET RESPONSE', [SEL_AP], '00C0000010', '6D00'],
  ['SELECT under the proprietary class', [], '80A4040C0AD392F000260100000001', '6D00'],
  ['a 3-byte command', [], '00A404', '6700'],
  ['Lc beyond the data', [], '00A4040C0AD392F0', '6700'],
  ['an extended-length READ', [SEL_AP, SEL(0x0a)], '00B00000000100', '6700'],
  ['an extended-length SIGN', [...VA, SEL(0x17)], `802A0080000033${DIGEST}0000`, '6700'],
];

describe('VirtualCard: every command and status word', () => {
  it.each(rows)('%s', async (_, setup, command, expected) => {
    const card = poweredCard();
    for (const step of setup) await send(card, step);
    const answer = await send(card, command);
    if (expected instanceof RegExp) expect(answer).toMatch(expected);
    else expect(answer).toBe(expected);
  });
});

describe('VirtualCard: files', () => {
  it('pads each certificate EF with FF up to the next multiple of 256 bytes', async () => {
    const card = poweredCard();
    for (const step of VS) await send(card, step); // EF 0001 needs the sign PIN
    for (const [fid, der] of Object.entries(TEST_CERTS)) {
      expect(await send(card, SEL(Number.parseInt(fid, 16)))).toBe('9000');
      const size = certificateEfSize(der.length);
      let content = '';
      for (let at = 0; at < size; at += 256) content += (await send(card, RD(at, 0))).slice(0, -4);
      expect(content.length / 2).toBe(size);
      expect(content.slice(0, der.length * 2)).toBe(hx(der));
      expect(content.slice(der.length * 2)).toMatch(/^(FF)+$/);
    }
  });

  it('always leaves at least one filler byte', () => {
    expect(certificateEfSize(1586)).toBe(1792);
    expect(certificateEfSize(1280)).toBe(1536);
    expect(certificateEfSize(1)).toBe(256);
  });

  it('takes the token label from the card file', async () => {
    const card = poweredCard(buildCardFile({ tokenLabel: 'JPKIAPGPSETOKEN' }));
    await send(card, SEL_AP);
    await send(card, SEL(0x06));
    expect(await send(card, RD(0, 32))).toBe(asciiHex('JPKIAPGPSETOKEN'.padEnd(32, ' ')) + '9000');
  });

  it('serves extra EFs from the card file verbatim (no filler)', async () => {
    const card = poweredCard(buildCardFile({ files: { ...buildCardFile().files, '0008': Buffer.from([0x8f, 0x00, 0x00]).toString('base64') } }));
    await send(card, SEL_AP);
    await send(card, SEL(0x08));
    expect(await send(card, RD(0, 0))).toBe('8F00009000');
  });
});

describe('VirtualCard: signatures', () => {
  it.each([
    ['auth', VA, 0x17],
    ['sign', VS, 0x1a],
  ] as const)('signs with the %s key: PKCS#1 v1.5 over the DigestInfo, 256 bytes, verifiable with node:crypto', async (kind, verifySteps, keyEf) => {
    const card = poweredCard();
    for (const step of [...verifySteps, SEL(keyEf)]) expect(await send(card, step)).toBe('9000');
    const message = Buffer.from('server nonce 0123456789');
    const digestInfo = toHex(digestInfoForSha256Hash(createHash('sha256').update(message).digest()));
    const answer = h(await send(card, SIGN(digestInfo)));
    const signature = answer.subarray(0, -2);
    expect(signature.length).toBe(256);
    expect(verify('sha256', message, publicKeyOf(kind), signature)).toBe(true);
    const other = kind === 'auth' ? 'sign' : 'auth';
    expect(verify('sha256', message, publicKeyOf(other), signature)).toBe(false);
  });

  it('signs several digests after one VERIFY (SPEC §1.5)', async () => {
    const card = poweredCard();
    for (const step of [...VA, SEL(0x17)]) await send(card, step);
    for (let i = 0; i < 3; i++) expect(swOf(await send(card, SIGN(DIGEST)))).toBe('9000');
  });

  it('is deterministic (PKCS#1 v1.5)', async () => {
    const card = poweredCard();
    for (const step of [...VA, SEL(0x17)]) await send(card, step);
    expect(await send(card, SIGN(DIGEST))).toBe(await send(card, SIGN(DIGEST)));
  });
});

describe('VirtualCard: security state', () => {
  const signsAfter = async (between: (card: VirtualCard) => Promise<unknown> | unknown) => {
    const card = poweredCard();
    for (const step of [...VA, SEL(0x17)]) await send(card, step);
    await between(card);
    return swOf(await send(card, SIGN(DIGEST)));
  };

  it('keeps the verified state across SELECT EF', async () => {
    expect(await signsAfter((card) => send(card, SEL(0x0a)).then(() => send(card, SEL(0x17))))).toBe('9000');
  });

  it.each([
    ['power off and on', (card: VirtualCard) => { card.powerOff(); card.powerOn(); }],
    ['a warm reset', (card: VirtualCard) => card.reset()],
    ['a re-SELECT of the JPKI AP', (card: VirtualCard) => send(card, SEL_AP)],
    ['a SELECT of another AP (which fails)', (card: VirtualCard) => send(card, '00A4040C0AD3921000310001010408')],
  ])('clears it on %s', async (_, between) => {
    expect(await signsAfter(async (card) => {
      await between(card);
      await send(card, SEL_AP);
      await send(card, SEL(0x17));
    })).toBe('6982');
  });

  it('leaves no DF selected after a failed SELECT by DF name', async () => {
    const card = poweredCard();
    await send(card, SEL_AP);
    expect(await send(card, '00A4040C0AD3921000310001010408')).toBe('6A82');
    expect(await send(card, SEL(0x0a))).toBe('6A82');
  });

  it('reports the state it holds', async () => {
    const card = poweredCard();
    expect(card.isPowered).toBe(true);
    expect(card.id).toBe('test-card');
    for (const step of VA) await send(card, step);
    expect(card.isVerified('auth')).toBe(true);
    expect(card.isVerified('sign')).toBe(false);
    card.powerOff();
    expect(card.isVerified('auth')).toBe(false);
    expect(card.isPowered).toBe(false);
  });

  it('refuses commands while powered off (CARD_ABSENT)', async () => {
    const card = new VirtualCard(buildCardFile());
    await expect(card.process(h(SEL_AP))).rejects.toMatchObject({ code: 'CARD_ABSENT' });
    expect(card.powerOn()).toEqual(h('3BE000FF8131FE4514'));
    expect(hx(card.atr)).toBe('3BE000FF8131FE4514');
  });

  it('handles commands one at a time in arrival order', async () => {
    const card = poweredCard();
    const answers = await Promise.all([SEL_AP, SEL(0x18), VERIFY('0000'), VERIFY('0000'), QUERY].map((c) => send(card, c)));
    expect(answers).toEqual(['9000', '9000', '63C2', '63C1', '63C1']);
  });
});

describe('VirtualCard: PIN counters', () => {
  it('persists every counter change through its store before answering', async () => {
    const store = new MemoryCardStore(buildCardFile());
    const card = poweredCard(buildCardFile(), { store });
    for (const step of [SEL_AP, SEL(0x18), VERIFY('0000')]) await send(card, step);
    expect(store.file.pins.auth.triesLeft).toBe(2);
    expect(card.triesLeft('auth')).toBe(2);
    await send(card, VERIFY(AUTH_PIN));
    expect(store.file.pins.auth.triesLeft).toBe(3);
    await send(card, CHANGE('9876'));
    expect(store.file.pins.auth.value).toBe('9876');
  });

  it('counts down before comparing: a correct VERIFY writes twice, a retry query never', async () => {
    const store = new MemoryCardStore(buildCardFile());
    const card = poweredCard(buildCardFile(), { store });
    for (const step of [SEL_AP, SEL(0x18), QUERY, QUERY]) await send(card, step);
    expect(store.saves).toBe(0);
    await send(card, VERIFY(AUTH_PIN));
    expect(store.saves).toBe(2);
  });

  it('answers 6581 and keeps the counter when the store cannot write', async () => {
    const store = new MemoryCardStore(buildCardFile());
    store.save = async () => {
      throw new Error('disk full');
    };
    const card = poweredCard(buildCardFile(), { store });
    for (const step of [SEL_AP, SEL(0x18)]) await send(card, step);
    expect(await send(card, VERIFY(AUTH_PIN))).toBe('6581');
    expect(await send(card, VERIFY('0000'))).toBe('6581');
    expect(card.triesLeft('auth')).toBe(3);
    expect(card.isVerified('auth')).toBe(false);
  });

  it('starts blocked when the card file says so', async () => {
    const card = poweredCard(buildCardFile({ pins: { sign: { triesLeft: 0 } } }));
    for (const step of [SEL_AP, SEL(0x1b)]) await send(card, step);
    expect(await send(card, QUERY)).toBe('63C0');
    expect(await send(card, VERIFY(SIGN_PIN))).toBe('6984');
  });
});
