/**
 * Seeded mutations of DER structures (certificates, CRLs, CMS) for fuzz tests: the same seed
 * always gives the same inputs, so a failure names its seed and case and can be replayed.
 * Structured mutations aim at what a parser must decode (times, lengths, tags, truncations);
 * random byte flips cover the rest.
 */

/** mulberry32: a tiny deterministic PRNG; `next()` is uniform in [0, 1). */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** Where each TLV of a DER value starts, with its tag, header length and content length. */
interface TlvInfo {
  offset: number;
  tag: number;
  header: number;
  length: number;
}

/** Walks the TLVs of well-formed DER (the unmutated input), depth first. */
export function tlvs(der: Uint8Array): TlvInfo[] {
  const out: TlvInfo[] = [];
  const walk = (start: number, end: number) => {
    let pos = start;
    while (pos < end) {
      const tag = der[pos]!;
      let p = pos + 1;
      let length = der[p++]!;
      if (length & 0x80) {
        const count = length & 0x7f;
        length = 0;
        for (let i = 0; i < count; i++) length = length * 256 + der[p++]!;
      }
      out.push({ offset: pos, tag, header: p - pos, length });
      if (tag & 0x20) walk(p, p + length);
      pos = p + length;
    }
  };
  walk(0, der.length);
  return out;
}

/** Times a strict decoder must refuse (or that asn1js throws on), 13 and 15 characters. */
const BAD_TIMES_13 = ['ZZZZZZZZZZZZZ', '2025010100000', '20250101000.Z', '2025AB01000Z0', '991301000000Z', '202501010000z', '2025010100,5Z', '000000000000Z', '25040100000+0'];
const BAD_TIMES_15 = ['2025AB01000000Z', '20251301000000Z', '2025010100000.Z', '202501010000000', 'ZZZZZZZZZZZZZZZ', '20250101000000+', '2025-01-01T0000'];

export type Mutation = { name: string; bytes: Uint8Array };

function withBytes(der: Uint8Array, edit: (copy: Uint8Array) => void): Uint8Array {
  const copy = new Uint8Array(der);
  edit(copy);
  return copy;
}

/** One mutation of `der`, chosen and parameterised by `rng`. */
export function mutate(der: Uint8Array, rng: Prng): Mutation {
  const all = tlvs(der);
  const times = all.filter((t) => t.tag === 0x17 || t.tag === 0x18);
  const kind = rng.int(9);
  switch (kind) {
    case 0: {
      // A time whose characters are not a time: same length, UTCTime or GeneralizedTime tag.
      const t = times.length ? rng.pick(times) : rng.pick(all);
      const pool = t.length === 15 ? BAD_TIMES_15 : BAD_TIMES_13;
      const text = Buffer.from(rng.pick(pool).padEnd(t.length, '0').slice(0, t.length), 'latin1');
      return {
        name: `bad time at ${t.offset}`,
        bytes: withBytes(der, (c) => {
          c[t.offset] = rng.next() < 0.5 ? 0x18 : 0x17;
          c.set(text, t.offset + t.header);
        }),
      };
    }
    case 1: {
      // A length octet off by a little (runs past its parent or leaves a gap).
      const t = rng.pick(all);
      const at = t.offset + t.header - 1;
      const delta = rng.pick([-2, -1, 1, 2, 0x40]);
      return { name: `length ${delta} at ${t.offset}`, bytes: withBytes(der, (c) => void (c[at] = (c[at]! + delta) & 0xff)) };
    }
    case 2: {
      // Indefinite or over-long length form.
      const t = rng.pick(all);
      const at = t.offset + 1;
      return { name: `length form at ${t.offset}`, bytes: withBytes(der, (c) => void (c[at] = rng.pick([0x80, 0x85, 0xff, 0x84]))) };
    }
    case 3: {
      const cut = rng.int(der.length);
      return { name: `truncated to ${cut}`, bytes: der.subarray(0, cut) };
    }
    case 4: {
      // A different tag: SEQUENCE ↔ SET, primitive ↔ constructed, a context tag, a high tag number.
      const t = rng.pick(all);
      // Never the tag already there: that would be no mutation at all.
      const tag = rng.pick([0x30, 0x31, 0x04, 0x24, 0x02, 0x03, 0x05, 0x06, 0x0c, 0x13, 0x17, 0x18, 0xa0, 0xa3, 0x80, 0x1f].filter((x) => x !== der[t.offset]));
      return { name: `tag ${tag.toString(16)} at ${t.offset}`, bytes: withBytes(der, (c) => void (c[t.offset] = tag)) };
    }
    case 5: {
      const extra = Uint8Array.from({ length: 1 + rng.int(8) }, () => rng.int(256));
      return { name: 'trailing bytes', bytes: Buffer.concat([der, extra]) };
    }
    case 6: {
      // The content of one primitive value zeroed or filled with 0xff (odd integers, OIDs, strings).
      const prims = all.filter((t) => !(t.tag & 0x20) && t.length > 0);
      const t = rng.pick(prims.length ? prims : all);
      const fill = rng.pick([0x00, 0xff, 0x80]);
      return { name: `content ${fill} at ${t.offset}`, bytes: withBytes(der, (c) => c.fill(fill, t.offset + t.header, t.offset + t.header + t.length)) };
    }
    case 7: {
      // A value cut out of its parent (the parent's length now lies).
      const t = rng.pick(all.slice(1));
      return { name: `removed value at ${t.offset}`, bytes: Buffer.concat([der.subarray(0, t.offset), der.subarray(t.offset + t.header + t.length)]) };
    }
    default: {
      const flips = 1 + rng.int(4);
      return {
        name: `${flips} random bytes`,
        bytes: withBytes(der, (c) => {
          for (let i = 0; i < flips; i++) c[rng.int(c.length)] = rng.int(256);
        }),
      };
    }
  }
}
