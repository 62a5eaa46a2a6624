import { describe, expect, it } from 'vitest';
import { derTotalLength } from '../../../reader-driver/src/card/der-length.js';
import { fakeDer, h } from '../helpers.js';

describe('derTotalLength', () => {
  it.each([
    ['short form', '3003', 5],
    ['81 form', '3081C8', 3 + 200],
    ['82 form (a 1586-byte certificate)', '3082062E', 1586],
    ['83 form', '3083010000', 5 + 65536],
    ['non-minimal 82 form', '30820010', 4 + 16],
  ])('reads the %s', (_, hex, total) => {
    expect(derTotalLength(h(hex + 'FFFFFF'))).toBe(total);
  });

  it('agrees with the fake certificates of every form', () => {
    for (const n of [5, 127, 128, 255, 256, 1582, 70000]) {
      const der = fakeDer(n);
      expect(derTotalLength(der.subarray(0, 7))).toBe(der.length);
    }
  });

  it.each([
    ['too short', '30'],
    ['not a SEQUENCE', '0282062E'],
    ['filler only', 'FFFFFFFFFFFFFF'],
    ['indefinite length', '3080'],
    ['a 4-byte length', '308401000000'],
    ['a cut-off header', '3082'],
  ])('refuses %s with CARD_COMMAND_FAILED', (_, hex) => {
    expect(() => derTotalLength(h(hex))).toThrow(expect.objectContaining({ code: 'CARD_COMMAND_FAILED' }));
  });
});
