import type { CrlEntries } from './crl-entries.js';
import { META_LONG_SERIAL } from './crl-entries.js';
import type { SerialKey } from './serial.js';

// A local copy: under tsx an imported binding is a property getter, read here once per entry.
const LONG_SERIAL = META_LONG_SERIAL;

/** Mixes a 64-bit serial (two uint32 halves) into a 32-bit slot hash (murmur3's finaliser). */
export function hashSerial(hi: number, lo: number): number {
  let h = lo ^ Math.imul(hi, 0x27d4eb2d);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Maps a 32-bit hash onto [0, capacity) by multiplication (Lemire's fastrange): no power-of-two
 * capacity needed. The product stays below 2^54, so the double is exact enough to stay in range.
 */
function slotOf(hash: number, capacity: number): number {
  return ((hash * capacity) / 4294967296) | 0;
}

/**
 * Position of a serial below 2^64 in a table built by RevocationIndex, or -1 when it is not listed.
 * A free function over the table's parts, so the store can keep those parts beside its other
 * per-CRL fields and answer with one dependent memory access fewer than through the index object.
 */
export function probe(table: Uint32Array, his: Uint32Array | null, capacity: number, zero: number, hi: number, lo: number): number {
  if (lo === 0 && hi === 0) return zero;
  let s = slotOf(hashSerial(hi, lo), capacity);
  if (his === null) {
    if (hi !== 0) return -1;
    for (;;) {
      const l = table[2 * s]!;
      if (l === lo) return s;
      if (l === 0) return -1;
      if (++s === capacity) s = 0;
    }
  }
  for (;;) {
    const l = table[2 * s]!;
    const h = his[s]!;
    if (l === lo && h === hi) return s;
    if (l === 0 && h === 0) return -1;
    if (++s === capacity) s = 0;
  }
}

/** Index `meta` flag: the entry has an invalidityDate (in `invalidAt`); the index never holds long-serial flags. */
export const INDEX_HAS_INVALIDITY = 0x80;

/**
 * O(1) serial lookup over one CRL: an open-addressing hash table (linear probing, load ≤ ½) whose
 * slots ARE the entries. `table` interleaves each slot's serial bits 0–31 with its revocation date
 * (`[lo, revokedAt]` pairs), so the probe that finds a serial has already brought its date into the
 * cache: one memory access answers a lookup, where parallel arrays took two (the lookup benchmark
 * misses cache on nearly every access: 1,900 partitions, random order). `hi` (bits 32–63) exists
 * only when some serial is ≥ 2^32; `meta` holds the reason (and INDEX_HAS_INVALIDITY). An absent
 * serial costs one cache miss; no object exists per entry; the table holds exactly twice the
 * entries. Serial (0, 0) marks an empty slot, so a serial of 0, and serials that do not fit 64
 * bits, live in an overflow area after the table, found through `_zero` and a Map. For 1,000,000
 * JPKI serials: 2,000,000 slots × 9 bytes = 17.2 MiB. Immutable once built; a newer CRL gets a new index.
 */
export class RevocationIndex {
  /** Number of distinct revoked serials. */
  readonly count: number;
  /** Per position: serial bits 0–31 at `2·pos`, revocationDate (seconds since the epoch) at `2·pos + 1`. */
  readonly table: Uint32Array;
  /** Serial bits 32–63 per position, or null when every serial is below 2^32. */
  readonly hi: Uint32Array | null;
  /** Reason code per position (see `META_*` in crl-entries), plus INDEX_HAS_INVALIDITY. */
  readonly meta: Uint8Array;
  /** invalidityDate in seconds by position, for the few entries that have one. */
  readonly invalidAt: Map<number, number> | null;
  /** Hash table slots; positions from here on are the overflow area. */
  readonly capacity: number;
  /** Position of serial 0, or -1 when it is not listed. */
  readonly zero: number;
  private readonly _long: Map<string, number> | null;

  constructor(entries: CrlEntries) {
    // Load ½ exactly rather than the next power of two: with J-LIS's ~1,900 partitions of a few
    // hundred entries each, rounding up would cost up to twice the memory per entry.
    const capacity = Math.max(16, entries.count * 2);
    const longCount = entries.long?.size ?? 0;
    const size = capacity + longCount + 1;
    const table = new Uint32Array(size * 2);
    const hi = entries.hi ? new Uint32Array(size) : null;
    const meta = new Uint8Array(size);
    let invalidAt: Map<number, number> | null = null;
    let long: Map<string, number> | null = null;
    let zero = -1;
    let overflow = capacity;
    let count = 0;
    const src = entries;
    const longPos = new Map<number, string>();
    if (src.long) for (const [k, i] of src.long) longPos.set(i, k);

    for (let i = 0; i < src.count; i++) {
      const m = src.meta[i]!;
      let pos: number;
      if (m & LONG_SERIAL) {
        const k = longPos.get(i);
        if (k === undefined) continue; // a repeat of a serial listed earlier: the first entry stands
        long ??= new Map();
        pos = overflow++;
        long.set(k, pos);
      } else {
        const l = src.lo[i]!;
        const h = src.hi ? src.hi[i]! : 0;
        if (l === 0 && h === 0) {
          if (zero >= 0) continue;
          pos = zero = overflow++;
        } else {
          let s = slotOf(hashSerial(h, l), capacity);
          let repeat = false;
          for (;;) {
            const sl = table[2 * s]!;
            const sh = hi ? hi[s]! : 0;
            if (sl === 0 && sh === 0) break;
            if (sl === l && sh === h) {
              repeat = true;
              break;
            }
            if (++s === capacity) s = 0;
          }
          if (repeat) continue;
          pos = s;
          table[2 * s] = l;
          if (hi) hi[s] = h;
        }
      }
      table[2 * pos + 1] = src.revokedAt[i]!;
      let flags = m & ~LONG_SERIAL;
      const inv = src.invalidAt ? src.invalidAt[i]! : 0;
      if (inv) {
        (invalidAt ??= new Map()).set(pos, inv);
        flags |= INDEX_HAS_INVALIDITY;
      }
      meta[pos] = flags;
      count++;
    }
    this.count = count;
    this.table = table;
    this.hi = hi;
    this.meta = meta;
    this.invalidAt = invalidAt;
    this.capacity = capacity;
    this.zero = zero;
    this._long = long;
  }

  /** Position of a serial below 2^64, or -1 when it is not listed. */
  findShort(hi: number, lo: number): number {
    return probe(this.table, this.hi, this.capacity, this.zero, hi, lo);
  }

  /** Position of a serial, or -1 when it is not listed. */
  find(key: SerialKey): number {
    if (key.long === null) return this.findShort(key.hi, key.lo);
    return this._long?.get(key.long) ?? -1;
  }

  /** revocationDate of the entry at `pos`, seconds since the epoch. */
  revokedAtOf(pos: number): number {
    return this.table[2 * pos + 1]!;
  }

  /** invalidityDate of the entry at `pos` in seconds, or 0 when it has none. */
  invalidAtOf(pos: number): number {
    return this.meta[pos]! & INDEX_HAS_INVALIDITY ? this.invalidAt!.get(pos)! : 0;
  }

  /** Bytes held by the index (typed arrays; Map entries estimated). */
  get byteLength(): number {
    return (
      this.table.byteLength +
      (this.hi?.byteLength ?? 0) +
      this.meta.byteLength +
      ((this.invalidAt?.size ?? 0) + (this._long?.size ?? 0)) * 64
    );
  }
}
