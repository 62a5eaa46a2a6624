import { describe, expect, it } from 'vitest';
import { parseCrl, RevocationIndex } from '../../../../platform/src/jpki/revocation/index.js';
import { hashSerial } from '../../../../platform/src/jpki/revocation/revocation-index.js';
import { serialKeyFrom, type SerialInput, type SerialKey } from '../../../../platform/src/jpki/revocation/serial.js';
import { serialAt } from '../../../bench/lib/crl-writer.js';
import { crl, testCas } from './fixtures.js';

const { auth03 } = testCas();

function indexOf(list: Parameters<typeof crl>[1]): RevocationIndex {
  return new RevocationIndex(parseCrl(crl(auth03, list)).entries);
}

function find(index: RevocationIndex, serial: SerialInput): number {
  const key: SerialKey = { hi: 0, lo: 0, long: null };
  serialKeyFrom(serial, key);
  return index.find(key);
}

describe('RevocationIndex', () => {
  it('finds every listed serial and none of 10,000 absent ones', () => {
    const index = indexOf({ count: 5000, entry: (i, out) => void (out.serial = serialAt(i)) });
    expect(index.count).toBe(5000);
    for (let i = 0; i < 5000; i++) expect(find(index, serialAt(i))).toBeGreaterThanOrEqual(0);
    for (let i = 5000; i < 15000; i++) expect(find(index, serialAt(i))).toBe(-1);
  });

  it('keeps colliding serials apart, across the end of the table too', () => {
    // Six entries → 16 slots: pick serials that all hash to slot 15, so probing wraps to 0.
    const colliding: number[] = [];
    for (let s = 1; colliding.length < 7; s++) if ((hashSerial(0, s) & 15) === 15) colliding.push(s);
    const [absent, ...listed] = colliding;
    const index = indexOf({ list: listed.map((serial, i) => ({ serial, reason: i })) });
    listed.forEach((serial, i) => {
      const pos = find(index, serial);
      expect(pos).toBeGreaterThanOrEqual(0);
      expect(index.meta[pos]).toBe(i);
    });
    expect(find(index, absent!)).toBe(-1);
  });

  it('handles serials of 0, ≥ 2^32, > 64 bits and negative, and the first of a repeated serial', () => {
    const big = (1n << 159n) + 12345n;
    const index = indexOf({
      list: [
        { serial: 0, reason: 1 },
        { serial: 0x1_0000_0000, reason: 2 },
        { serial: 2n ** 64n - 1n, reason: 3 },
        { serial: big, reason: 4 },
        { serial: Buffer.of(0xff, 0x01), reason: 5 }, // -255
        { serial: 42, reason: 6 },
        { serial: 42, reason: 9 },
      ],
    });
    expect(index.count).toBe(6);
    const reasonOf = (s: SerialInput) => index.meta[find(index, s)];
    expect(reasonOf(0)).toBe(1);
    expect(reasonOf(0x1_0000_0000)).toBe(2);
    expect(reasonOf(2n ** 64n - 1n)).toBe(3);
    expect(reasonOf(big)).toBe(4);
    expect(reasonOf(-255)).toBe(5);
    expect(reasonOf(42)).toBe(6);
    expect(find(index, 1)).toBe(-1);
    expect(find(index, 2n ** 64n)).toBe(-1);
    expect(find(index, big + 1n)).toBe(-1);
    expect(find(index, 255)).toBe(-1);
  });

  it('takes a serial as number, bigint, hex string or DER INTEGER bytes', () => {
    const index = indexOf({ list: [{ serial: 0x018c453e }, { serial: 0x80000000 }] });
    for (const form of [0x018c453e, 0x018c453en, '018C453E', '18c453e', '01:8C:45:3E', Buffer.of(0x01, 0x8c, 0x45, 0x3e)]) {
      expect(find(index, form)).toBeGreaterThanOrEqual(0);
    }
    expect(find(index, Buffer.of(0x00, 0x80, 0x00, 0x00, 0x00))).toBeGreaterThanOrEqual(0);
    expect(find(index, '0080000000')).toBeGreaterThanOrEqual(0);
    expect(() => find(index, 'xyz')).toThrow(expect.objectContaining({ code: 'REQ_INVALID' }));
    expect(() => find(index, '')).toThrow(expect.objectContaining({ code: 'REQ_INVALID' }));
    expect(find(index, '00000000000000000000018C453E')).toBeGreaterThanOrEqual(0);
    expect(find(index, '1000000000000000018C453E')).toBe(-1);
    expect(() => find(index, 1.5)).toThrow(expect.objectContaining({ code: 'REQ_INVALID' }));
  });

  it('holds 9 bytes a slot (2 slots an entry) for JPKI-sized serials, no objects per entry', () => {
    const index = indexOf({ count: 1000, entry: (i, out) => void (out.serial = serialAt(i)) });
    expect(index.hi).toBeNull();
    expect(index.byteLength).toBe((2000 + 1) * 9); // exactly 2 slots an entry, + the overflow slot for serial 0
  });
});
