import { describe, expect, it } from 'vitest';
import { assertCommandAllowed, guardSession, isSelectJpki } from '../../../reader-driver/src/apdu/guard.js';
import { h, ScriptedSession } from '../helpers.js';

const SELECT_JPKI = '00A4040C0AD392F000260100000001';
const refused = expect.objectContaining({ code: 'APDU_SELECT_REFUSED' });

describe('assertCommandAllowed (the SELECT guard)', () => {
  it.each([
    ['SELECT JPKI AP', SELECT_JPKI],
    ['SELECT JPKI AP with Le', SELECT_JPKI + '00'],
    ['SELECT EF', '00A4020C02000A'],
    ['READ BINARY', '00B0000004'],
    ['VERIFY', '002000800431323334'],
    ['retry query', '00200080'],
    ['CHANGE REFERENCE DATA', '002401800435363738'],
    ['COMPUTE DIGITAL SIGNATURE', '802A0080020102' + '00'],
    ['GET RESPONSE', '00C0000010'],
  ])('lets %s through', (_, hex) => {
    expect(() => assertCommandAllowed(h(hex))).not.toThrow();
  });

  it.each([
    ['券面事項入力補助AP (My Number)', '00A4040C0AD3921000310001010408'],
    ['券面AP', '00A4040C0AD3921000310001010402'],
    ['住基AP', '00A4040C0AD3921000310001010401'],
    ['共通カードAP', '00A4040C0AD3921000310001010100'],
    ['a partial DF name (JICSAP prefix match)', '00A4040C05D392100031'],
    ['a partial JPKI AID', '00A4040C09D392F0002601000000'],
    ['the JPKI AID plus a byte', '00A4040C0BD392F00026010000000100'],
    ['an empty DF name', '00A4040C'],
    ['SELECT by DF name with P2 00', '00A404000AD3921000310001010408'],
    ['chained SELECT', '10A4040C0AD392F000260100000001'],
    ['SELECT MF', '00A40000'],
    ['SELECT 3F00 by FID', '00A4000C023F00'],
    ['SELECT child DF', '00A4010C020001'],
    ['SELECT by path from MF', '00A4080C040001000A'],
    ['SELECT parent', '00A4030C'],
    ['SELECT EF with a 3-byte FID', '00A4020C03000A00'],
    ['a malformed SELECT', '00A4040C0AD392'],
    ['ENVELOPE (could carry a SELECT)', '00C2000005' + '00A4040C00'],
    ['MANAGE CHANNEL', '0070000001'],
    ['GET DATA', '00CA5F5100'],
    ['VERIFY of a global PIN reference', '002000010431323334'],
    ['CHANGE of a global PIN reference', '002401010431323334'],
  ])('refuses %s', (_, hex) => {
    expect(() => assertCommandAllowed(h(hex))).toThrow(refused);
  });

  it('recognises only the exact JPKI SELECT', () => {
    expect(isSelectJpki(h(SELECT_JPKI))).toBe(true);
    expect(isSelectJpki(h('00A4040C0AD3921000310001010408'))).toBe(false);
    expect(isSelectJpki(h('00A4'))).toBe(false);
  });
});

describe('guardSession', () => {
  it('refuses a forbidden SELECT before anything reaches the transport', async () => {
    const inner = new ScriptedSession([]);
    await expect(guardSession(inner).transmit(h('00A4040C0AD3921000310001010408'))).rejects.toMatchObject({ code: 'APDU_SELECT_REFUSED' });
    expect(inner.sent).toEqual([]);
  });

  it('refuses VERIFY, READ and SIGN until the JPKI AP was selected in this transaction', async () => {
    const inner = new ScriptedSession([
      [SELECT_JPKI, '9000'],
      ['00200080', '63C3'],
      [SELECT_JPKI, '6A82'],
    ]);
    const s = guardSession(inner);
    await s.transaction(async () => {
      await expect(s.transmit(h('00200080'))).rejects.toMatchObject({ code: 'APDU_SELECT_REFUSED' });
      await expect(s.transmit(h('00B0000004'))).rejects.toMatchObject({ code: 'APDU_SELECT_REFUSED' });
      await expect(s.transmit(h('802A0080020102' + '00'))).rejects.toMatchObject({ code: 'APDU_SELECT_REFUSED' });
      await s.transmit(h(SELECT_JPKI));
      await s.transmit(h('00200080'));
      await s.transmit(h(SELECT_JPKI)); // failed SELECT: the AP is no longer known to be selected
      await expect(s.transmit(h('00200080'))).rejects.toMatchObject({ code: 'APDU_SELECT_REFUSED' });
    });
    expect(inner.done).toBe(true);
  });

  it('forgets the selection when the transaction ends', async () => {
    const inner = new ScriptedSession([[SELECT_JPKI, '9000']]);
    const s = guardSession(inner);
    await s.transaction(() => s.transmit(h(SELECT_JPKI)));
    await s.transaction(async () => {
      await expect(s.transmit(h('00200080'))).rejects.toMatchObject({ code: 'APDU_SELECT_REFUSED' });
    });
  });

  it('passes reader name, ATR and disconnect through', async () => {
    const inner = new ScriptedSession([]);
    const s = guardSession(inner);
    expect(s.readerName).toBe('scripted');
    expect(s.atr).toEqual(inner.atr);
    await expect(s.disconnect()).resolves.toBeUndefined();
  });
});
