import { createHmac } from 'node:crypto';

/**
 * HMAC_DRBG with SHA-256 (NIST SP 800-90A rev.1 §10.1.2), without reseeding or prediction
 * resistance. It exists so the dev JPKI center can derive keys, serials and identifiers from a
 * `--seed`: the same seed and label always give the same byte stream. Never use it for real keys.
 */
export class HmacDrbg {
  private key: Buffer = Buffer.alloc(32, 0x00);
  private value: Buffer = Buffer.alloc(32, 0x01);

  /** @param seed entropy input; @param personalization separates streams drawn from one seed */
  constructor(seed: Uint8Array | string, personalization: Uint8Array | string = '') {
    this.update(Buffer.concat([toBytes(seed), toBytes(personalization)]));
  }

  /** The next `length` bytes of the stream. */
  generate(length: number): Buffer {
    const out: Buffer[] = [];
    let have = 0;
    while (have < length) {
      this.value = this.hmac(this.key, this.value);
      out.push(this.value);
      have += this.value.length;
    }
    this.update(null);
    return Buffer.concat(out).subarray(0, length);
  }

  /** A uniformly distributed integer in [0, bound) (rejection sampling, no modulo bias). */
  nextInt(bound: number): number {
    if (!Number.isSafeInteger(bound) || bound <= 0 || bound > 2 ** 32) throw new RangeError(`bad bound ${bound}`);
    const limit = Math.floor(2 ** 32 / bound) * bound;
    for (;;) {
      const n = this.generate(4).readUInt32BE(0);
      if (n < limit) return n % bound;
    }
  }

  // SP 800-90A §10.1.2.2 HMAC_DRBG_Update
  private update(data: Buffer | null) {
    this.key = this.hmac(this.key, Buffer.concat([this.value, Buffer.of(0x00), data ?? Buffer.alloc(0)]));
    this.value = this.hmac(this.key, this.value);
    if (data === null || data.length === 0) return;
    this.key = this.hmac(this.key, Buffer.concat([this.value, Buffer.of(0x01), data]));
    this.value = this.hmac(this.key, this.value);
  }

  private hmac(key: Buffer, data: Buffer): Buffer {
    return createHmac('sha256', key).update(data).digest();
  }
}

function toBytes(v: Uint8Array | string): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v);
}
