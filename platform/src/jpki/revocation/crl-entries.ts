import { reasonName, type CrlReason } from './reasons.js';
import { serialKeyToHex } from './serial.js';

/** One revoked certificate, as tests and tools see it (the index never builds these). */
export interface CrlEntry {
  /** Serial as uppercase hex, `-` prefixed when negative. */
  serial: string;
  revokedAt: Date;
  reason: CrlReason | null;
  invalidityDate: Date | null;
}

/** `meta` byte: low 7 bits are the reason code (0x7f = no reasonCode); 0x80 marks a long serial. */
export const META_REASON_MASK = 0x7f;
export const META_NO_REASON = 0x7f;
export const META_LONG_SERIAL = 0x80;

/**
 * The revoked-certificate list of one CRL as parallel typed arrays, one slot per entry in file
 * order: about 9 bytes an entry for JPKI-sized serials (13 with serials ≥ 2^32), versus hundreds
 * for an object per entry. Dates are whole seconds since the epoch in a Uint32Array, so the parser
 * refuses dates outside 1970–2106.
 */
export class CrlEntries {
  constructor(
    /** Number of entries. */
    readonly count: number,
    /** Low 32 bits of each short serial. */
    readonly lo: Uint32Array,
    /** High 32 bits of each short serial, or null when every serial is below 2^32. */
    readonly hi: Uint32Array | null,
    /** revocationDate, seconds since the epoch. */
    readonly revokedAt: Uint32Array,
    /** Reason code and flags, see `META_*`. */
    readonly meta: Uint8Array,
    /** invalidityDate in seconds, 0 when absent; null when no entry has one. */
    readonly invalidAt: Uint32Array | null,
    /** Serials that do not fit 64 unsigned bits: key (see `SerialKey.long`) → entry index. */
    readonly long: Map<string, number> | null,
  ) {}

  /** Bytes held by this list (typed arrays only; the long-serial map is estimated). */
  get byteLength(): number {
    return (
      this.lo.byteLength +
      (this.hi?.byteLength ?? 0) +
      this.revokedAt.byteLength +
      this.meta.byteLength +
      (this.invalidAt?.byteLength ?? 0) +
      (this.long?.size ?? 0) * 96
    );
  }

  /** Entry `i` as an object (for tests, tools and audit; never on the lookup path). */
  get(i: number): CrlEntry {
    if (!(i >= 0 && i < this.count)) throw new RangeError(`no entry ${i}`);
    const meta = this.meta[i]!;
    let serial: string;
    if (meta & META_LONG_SERIAL) {
      serial = '';
      for (const [k, v] of this.long!) if (v === i) serial = serialKeyToHex({ hi: 0, lo: 0, long: k });
    } else {
      serial = serialKeyToHex({ hi: this.hi?.[i] ?? 0, lo: this.lo[i]!, long: null });
    }
    const reasonCode = meta & META_REASON_MASK;
    const invalid = this.invalidAt?.[i] ?? 0;
    return {
      serial,
      revokedAt: new Date(this.revokedAt[i]! * 1000),
      reason: reasonCode === META_NO_REASON ? null : reasonName(reasonCode),
      invalidityDate: invalid ? new Date(invalid * 1000) : null,
    };
  }
}
