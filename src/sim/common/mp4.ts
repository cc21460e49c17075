// A small but complete MP4 (ISO-BMFF): ftyp, moov (one H.264 video track with a full sample table), mdat.
// Players and ffprobe read it as a silent video of a still picture.
import { stillAvc } from './h264.js';

function u8(n: number): Buffer {
  return Buffer.from([n & 0xff]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  return Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1'), body]);
}

function fullBox(type: string, version: number, flags: number, ...payload: Buffer[]): Buffer {
  return box(type, u32((version << 24) | flags), ...payload);
}

const UNITY_MATRIX = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000].map(u32);
const TIMESCALE = 1000;

export interface StillMp4Options {
  width: number;
  height: number;
  rgb: [number, number, number];
  seconds: number;
  fps?: number;
}

function sampleEntry(width: number, height: number, sps: Buffer, pps: Buffer): Buffer {
  const avcC = box(
    'avcC',
    u8(1), // configurationVersion
    sps.subarray(1, 4), // profile, compatibility, level, copied from the SPS
    u8(0xff), // lengthSizeMinusOne = 3 (4-byte NAL lengths)
    u8(0xe1), // one SPS
    u16(sps.length),
    sps,
    u8(1), // one PPS
    u16(pps.length),
    pps,
  );
  const compressorName = Buffer.alloc(32);
  return box(
    'avc1',
    Buffer.alloc(6), // reserved
    u16(1), // data_reference_index
    Buffer.alloc(16), // pre_defined and reserved
    u16(width),
    u16(height),
    u32(0x00480000), // 72 dpi
    u32(0x00480000),
    u32(0),
    u16(1), // frame_count
    compressorName,
    u16(0x18), // depth
    Buffer.from([0xff, 0xff]), // pre_defined = -1
    avcC,
  );
}

function movie(
  o: Required<StillMp4Options>,
  samples: Buffer[],
  sps: Buffer,
  pps: Buffer,
  dataOffset: number,
): Buffer {
  const delta = Math.round(TIMESCALE / o.fps);
  const duration = delta * samples.length;
  const trackHeader = fullBox(
    'tkhd',
    0,
    3, // enabled, in movie
    u32(0),
    u32(0),
    u32(1), // track_ID
    u32(0),
    u32(duration),
    Buffer.alloc(8),
    u16(0), // layer
    u16(0), // alternate_group
    u16(0), // volume: a video track
    u16(0),
    ...UNITY_MATRIX,
    u32(o.width << 16),
    u32(o.height << 16),
  );
  const sampleTable = box(
    'stbl',
    fullBox('stsd', 0, 0, u32(1), sampleEntry(o.width, o.height, sps, pps)),
    fullBox('stts', 0, 0, u32(1), u32(samples.length), u32(delta)),
    fullBox('stss', 0, 0, u32(1), u32(1)), // only the first frame is a sync sample
    fullBox('stsc', 0, 0, u32(1), u32(1), u32(samples.length), u32(1)),
    fullBox('stsz', 0, 0, u32(0), u32(samples.length), ...samples.map((s) => u32(s.length))),
    fullBox('stco', 0, 0, u32(1), u32(dataOffset)),
  );
  const media = box(
    'mdia',
    fullBox('mdhd', 0, 0, u32(0), u32(0), u32(TIMESCALE), u32(duration), u16(0x55c4), u16(0)), // language "und"
    fullBox('hdlr', 0, 0, u32(0), Buffer.from('vide'), Buffer.alloc(12), Buffer.from('VideoHandler\0')),
    box(
      'minf',
      fullBox('vmhd', 0, 1, Buffer.alloc(8)),
      box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1))), // data in this file
      sampleTable,
    ),
  );
  const movieHeader = fullBox(
    'mvhd',
    0,
    0,
    u32(0),
    u32(0),
    u32(TIMESCALE),
    u32(duration),
    u32(0x00010000), // rate 1.0
    u16(0x0100), // volume 1.0
    Buffer.alloc(10),
    ...UNITY_MATRIX,
    Buffer.alloc(24),
    u32(2), // next_track_ID
  );
  return box('moov', movieHeader, box('trak', trackHeader, media));
}

/** A `seconds`-long MP4 of one colour; width and height must be multiples of 16. */
export function stillMp4(options: StillMp4Options): Buffer {
  const o = { fps: 10, ...options };
  const avc = stillAvc(o.width, o.height, o.rgb, Math.max(1, Math.round(o.seconds * o.fps)));
  const samples = avc.frames.map((frame) => Buffer.concat([u32(frame.length), frame]));
  const fileType = box('ftyp', Buffer.from('isom'), u32(0x200), Buffer.from('isomiso2avc1mp41'));
  // The sample offset depends on the size of moov, which does not depend on the offset's value.
  const sizing = movie(o, samples, avc.sps, avc.pps, 0);
  const moov = movie(o, samples, avc.sps, avc.pps, fileType.length + sizing.length + 8);
  return Buffer.concat([fileType, moov, box('mdat', ...samples)]);
}
