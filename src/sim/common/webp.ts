// A real lossless WebP (VP8L) of one colour: each of the five prefix codes has a single symbol, so every
// pixel costs zero bits and the whole bitstream is a few bytes for any size.

/** Least-significant-bit-first packing, as VP8L is written. */
class LsbBits {
  private readonly bytes: number[] = [];
  private current = 0;
  private used = 0;

  put(value: number, count: number): this {
    for (let i = 0; i < count; i++) {
      this.current |= ((value >>> i) & 1) << this.used;
      if (++this.used === 8) {
        this.bytes.push(this.current);
        this.current = 0;
        this.used = 0;
      }
    }
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.used ? [...this.bytes, this.current] : this.bytes);
  }
}

/** A prefix code with one 8-bit symbol ("simple code", one symbol, 8-bit form). */
function singleSymbol(bits: LsbBits, symbol: number): void {
  bits.put(1, 1).put(0, 1).put(1, 1).put(symbol, 8);
}

export function solidWebp(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const bits = new LsbBits()
    .put(0x2f, 8) // VP8L signature
    .put(width - 1, 14)
    .put(height - 1, 14)
    .put(0, 1) // alpha_is_used
    .put(0, 3) // version
    .put(0, 1) // no transform
    .put(0, 1) // no colour cache
    .put(0, 1); // no meta prefix codes
  singleSymbol(bits, g); // green (literal), then red, blue, alpha
  singleSymbol(bits, r);
  singleSymbol(bits, b);
  singleSymbol(bits, 255);
  bits.put(1, 1).put(0, 1).put(0, 1).put(0, 1); // distance code: one 1-bit symbol, 0
  const data = bits.toBuffer();
  const chunk = Buffer.concat([Buffer.from('VP8L'), Buffer.alloc(4), data, Buffer.alloc(data.length % 2)]);
  chunk.writeUInt32LE(data.length, 4);
  const header = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBP')]);
  header.writeUInt32LE(4 + chunk.length, 4);
  return Buffer.concat([header, chunk]);
}
