// Most-significant-bit-first bit packing, as H.264 and JPEG bitstreams are written.

export class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private used = 0;

  /** Appends the low `count` bits of `value`, highest first (count <= 32). */
  bits(value: number, count: number): this {
    for (let i = count - 1; i >= 0; i--) this.bit((value >>> i) & 1);
    return this;
  }

  bit(value: number): this {
    this.current = (this.current << 1) | (value & 1);
    this.used++;
    if (this.used === 8) {
      this.bytes.push(this.current);
      this.current = 0;
      this.used = 0;
    }
    return this;
  }

  /** Unsigned Exp-Golomb code, ue(v) in H.264. */
  ue(value: number): this {
    const coded = value + 1;
    const length = 32 - Math.clz32(coded);
    return this.bits(0, length - 1).bits(coded, length);
  }

  /** Signed Exp-Golomb code, se(v) in H.264. */
  se(value: number): this {
    return this.ue(value <= 0 ? -2 * value : 2 * value - 1);
  }

  /** Appends whole bytes; the writer must be byte-aligned. */
  raw(bytes: Uint8Array): this {
    if (this.used !== 0) throw new Error('BitWriter.raw needs a byte-aligned position');
    for (const byte of bytes) this.bytes.push(byte);
    return this;
  }

  /** Fills the current byte with `value` bits (0 for H.264 alignment, 1 for JPEG padding). */
  align(value: 0 | 1): this {
    while (this.used !== 0) this.bit(value);
    return this;
  }

  toBuffer(): Buffer {
    if (this.used !== 0) throw new Error('BitWriter.toBuffer needs a byte-aligned position');
    return Buffer.from(this.bytes);
  }
}
