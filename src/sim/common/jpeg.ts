// A real baseline JPEG (JFIF, greyscale) of one grey level: every 8×8 block has only a DC coefficient, so
// two tiny Huffman tables and a couple of bits per block make a valid image.
import { BitWriter } from './bit-writer.js';

function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xff00 | marker, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/** Bits needed for a DC difference (its JPEG "category"). */
function category(value: number): number {
  return value === 0 ? 0 : 32 - Math.clz32(Math.abs(value));
}

/** A Huffman table whose symbols all have 2-bit codes (00, 01, …), which keeps the all-ones code unused. */
function huffmanTable(tableClass: 0 | 1, symbols: number[]): { segment: Buffer; code: Map<number, number> } {
  const counts = Buffer.alloc(16);
  counts[1] = symbols.length;
  const payload = Buffer.concat([Buffer.from([tableClass << 4]), counts, Buffer.from(symbols)]);
  return { segment: segment(0xc4, payload), code: new Map(symbols.map((s, i) => [s, i])) };
}

/** A width×height greyscale JPEG at `level` (0..255); width and height must be multiples of 8. */
export function solidGreyJpeg(width: number, height: number, level: number): Buffer {
  if (width % 8 !== 0 || height % 8 !== 0) throw new RangeError('width and height must be multiples of 8');
  // With quantiser 8 the DC coefficient of a flat block equals its level-shifted sample value.
  const dc = Math.round(Math.min(255, Math.max(0, level))) - 128;
  const dcTable = huffmanTable(0, [...new Set([0, category(dc)])]);
  const acTable = huffmanTable(1, [0x00]); // end-of-block only
  const jfif = Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const quantisers = Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 8)]);
  const frame = Buffer.from([8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]);
  const scan = Buffer.from([1, 1, 0x00, 0, 63, 0]);
  const bits = new BitWriter();
  const blocks = (width / 8) * (height / 8);
  for (let i = 0; i < blocks; i++) {
    const diff = i === 0 ? dc : 0;
    const size = category(diff);
    bits.bits(dcTable.code.get(size)!, 2);
    if (size > 0) bits.bits(diff > 0 ? diff : diff - 1, size); // negative values: one's complement form
    bits.bits(acTable.code.get(0x00)!, 2);
  }
  const entropy = bits.align(1).toBuffer();
  const stuffed: number[] = [];
  for (const byte of entropy) stuffed.push(...(byte === 0xff ? [0xff, 0x00] : [byte]));
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, jfif),
    segment(0xdb, quantisers),
    segment(0xc0, frame),
    dcTable.segment,
    acTable.segment,
    segment(0xda, scan),
    Buffer.from(stuffed),
    Buffer.from([0xff, 0xd9]),
  ]);
}
