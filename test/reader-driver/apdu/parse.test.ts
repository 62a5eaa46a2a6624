import { describe, expect, it } from 'vitest';
import { buildResponse, parseCommand, splitResponse } from '../../../reader-driver/src/apdu/parse.js';
import { fromHex, toHex, concatBytes, bytesEqual, swHex } from '../../../reader-driver/src/apdu/bytes.js';
import { h, hx } from '../helpers.js';

describe('parseCommand', () => {
  it.each([
    ['00200080', { case: 1, data: '', ne: null, extended: false }],
    ['0020008000', { case: 2, data: '', ne: 256, extended: false }],
    ['00B0000020', { case: 2, data: '', ne: 0x20, extended: false }],
    ['00A4020C020006', { case: 3, data: '0006', ne: null, extended: false }],
    ['802A0080020102' + '00', { case: 4, data: '0102', ne: 256, extended: false }],
    ['802A008002010210', { case: 4, data: '0102', ne: 16, extended: false }],
    ['00B0000000' + '0000', { case: 2, data: '', ne: 65536, extended: true }],
    ['00B0000000' + '0100', { case: 2, data: '', ne: 256, extended: true }],
    ['0024018000000235 36'.replace(' ', ''), { case: 3, data: '3536', ne: null, extended: true }],
    ['802A00800000020102' + '0000', { case: 4, data: '0102', ne: 65536, extended: true }],
  ])('decodes %s', (hex, want) => {
    const c = parseCommand(h(hex));
    expect({ case: c.case, data: hx(c.data), ne: c.ne, extended: c.extended }).toEqual(want);
    expect([c.cla, c.ins, c.p1, c.p2]).toEqual([...h(hex).subarray(0, 4)]);
  });

  it.each([
    ['', 'empty'],
    ['00A404', '3 bytes'],
    ['00200080043132', 'Lc longer than the data'],
    ['0020008002313233' + '0000', 'data then two trailing bytes'],
    ['00A4040C0AD392F0', 'cut-off SELECT'],
    ['0020008000000000', 'extended Lc of 0'],
    ['002000800000053132', 'extended Lc longer than the data'],
  ])('refuses %s (%s) with APDU_MALFORMED', (hex) => {
    expect(() => parseCommand(h(hex))).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
  });
});

describe('splitResponse / buildResponse', () => {
  it('splits data from SW1 SW2 and builds them back', () => {
    expect(splitResponse(h('0102039000'))).toEqual({ data: h('010203'), sw: 0x9000 });
    expect(splitResponse(h('63C2'))).toEqual({ data: new Uint8Array(0), sw: 0x63c2 });
    expect(hx(buildResponse(0x6a82))).toBe('6A82');
    expect(hx(buildResponse(0x9000, h('AABB')))).toBe('AABB9000');
  });

  it('refuses a response shorter than a status word', () => {
    expect(() => splitResponse(h('90'))).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
  });
});

describe('bytes helpers', () => {
  it('converts hex both ways and compares bytes', () => {
    expect(hx(fromHex('00 a4:04\n0c'))).toBe('00A4040C');
    expect(() => fromHex('ABC')).toThrow(TypeError);
    expect(() => fromHex('zz')).toThrow(TypeError);
    expect(toHex(concatBytes(h('01'), h('0203')))).toBe('010203');
    expect(bytesEqual(h('0102'), h('0102'))).toBe(true);
    expect(bytesEqual(h('0102'), h('0103'))).toBe(false);
    expect(bytesEqual(h('0102'), h('01'))).toBe(false);
    expect(swHex(0x63c2)).toBe('63C2');
  });
});
