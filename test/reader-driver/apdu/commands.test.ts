import { describe, expect, it } from 'vitest';
import {
  JPKI_AID,
  buildChangeReferenceData,
  buildComputeSignature,
  buildGetResponse,
  buildReadBinary,
  buildSelectDf,
  buildSelectEf,
  buildSelectJpki,
  buildVerify,
  buildVerifyStatus,
  buildVerifyStatusLong,
} from '../../../reader-driver/src/apdu/commands.js';
import { digestInfoForSha256Hash } from '../../../platform/src/shared/digest-info.js';
import { h, hx } from '../helpers.js';

const ascii = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

// Each expectation is a line of /work/shared/jpki/apdu-reference.md.
describe('command builders, byte-exact against apdu-reference.md', () => {
  it('SELECT JPKI-AP by DF name (A)', () => {
    expect(hx(buildSelectJpki())).toBe('00A4040C0AD392F000260100000001');
    expect(hx(JPKI_AID)).toBe('D392F000260100000001');
  });

  it.each([
    [0x0006, '00A4020C020006'],
    [0x000a, '00A4020C02000A'],
    [0x0018, '00A4020C020018'],
    [0x0017, '00A4020C020017'],
    [0x0001, '00A4020C020001'],
    [0x001b, '00A4020C02001B'],
    [0x001a, '00A4020C02001A'],
  ])('SELECT EF %i → %s', (fid, want) => {
    expect(hx(buildSelectEf(fid))).toBe(want);
  });

  it('READ BINARY: token info, header, 256-byte chunk, offset 0x0100 (A)', () => {
    expect(hx(buildReadBinary(0, 0x20))).toBe('00B0000020');
    expect(hx(buildReadBinary(0, 4))).toBe('00B0000004');
    expect(hx(buildReadBinary(0, 256))).toBe('00B0000000');
    expect(hx(buildReadBinary(0x100, 256))).toBe('00B0010000');
  });

  it('READ BINARY keeps P1 b8 clear over the whole 15-bit offset range', () => {
    expect(hx(buildReadBinary(0x7fff, 1))).toBe('00B07FFF01');
    expect(() => buildReadBinary(0x8000, 1)).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
    expect(() => buildReadBinary(-1, 1)).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
    expect(() => buildReadBinary(0, 0)).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
    expect(() => buildReadBinary(0, 257)).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
  });

  it('VERIFY auth PIN "1234" (C) and sign password "PASSWORD1234" (D)', () => {
    expect(hx(buildVerify(ascii('1234')))).toBe('0020008004' + '31323334');
    expect(hx(buildVerify(ascii('PASSWORD1234')))).toBe(hx(h('00 20 00 80 0C 50 41 53 53 57 4F 52 44 31 32 33 34')));
  });

  it('empty VERIFY retry query is ISO case 1, 4 bytes (B); the fallback form is 5 bytes', () => {
    expect(hx(buildVerifyStatus())).toBe('00200080');
    expect(hx(buildVerifyStatusLong())).toBe('0020008000');
  });

  it('CHANGE REFERENCE DATA with the new value only (E)', () => {
    expect(hx(buildChangeReferenceData(ascii('5678')))).toBe('002401800435363738');
  });

  it('COMPUTE DIGITAL SIGNATURE over a SHA-256 DigestInfo, Le 00 (C)', () => {
    const hash = new Uint8Array(32).fill(0xab);
    const apdu = buildComputeSignature(digestInfoForSha256Hash(hash));
    expect(hx(apdu)).toBe('802A008033' + '3031300D060960864801650304020105000420' + 'AB'.repeat(32) + '00');
    expect(apdu.length).toBe(5 + 51 + 1);
  });

  it('COMPUTE DIGITAL SIGNATURE refuses empty or over-long (> 245 bytes) input', () => {
    expect(() => buildComputeSignature(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
    expect(() => buildComputeSignature(new Uint8Array(246))).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
    expect(buildComputeSignature(new Uint8Array(245))[4]).toBe(245);
  });

  it('SELECT by another DF name builds (the guard, not the builder, refuses it)', () => {
    expect(hx(buildSelectDf(h('D3 92 10 00 31 00 01 01 04 08')))).toBe('00A4040C0AD3921000310001010408');
    expect(() => buildSelectDf(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
  });

  it('GET RESPONSE', () => {
    expect(hx(buildGetResponse(256))).toBe('00C0000000');
    expect(hx(buildGetResponse(0x10))).toBe('00C0000010');
  });

  it('refuses FIDs and PINs that do not fit one byte of length', () => {
    expect(() => buildSelectEf(0x10000)).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
    expect(() => buildVerify(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
    expect(() => buildChangeReferenceData(new Uint8Array(256))).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
  });
});
