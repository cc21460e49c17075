// A real MP3 (MPEG-1 Layer III, 48 kHz mono, 32 kbit/s) of silence: frames whose side information codes no
// spectral data decode to zero samples, so no encoder is needed.

const SAMPLE_RATE = 48_000;
const SAMPLES_PER_FRAME = 1152;
const FRAME_BYTES = (144 * 32_000) / SAMPLE_RATE; // 96: no padding at this rate
// Sync, MPEG-1, Layer III, no CRC | bitrate index 1 (32 kbit/s), 48 kHz, no padding | mono.
const FRAME_HEADER = [0xff, 0xfb, 0x14, 0xc0];

/** Seconds of audio in `silentMp3(seconds)` (whole frames). */
export function mp3Duration(seconds: number): number {
  return (
    (Math.max(1, Math.round((seconds * SAMPLE_RATE) / SAMPLES_PER_FRAME)) * SAMPLES_PER_FRAME) / SAMPLE_RATE
  );
}

/** About `seconds` of silent MP3 audio. */
export function silentMp3(seconds: number): Buffer {
  const frames = Math.round((mp3Duration(seconds) * SAMPLE_RATE) / SAMPLES_PER_FRAME);
  const frame = Buffer.alloc(FRAME_BYTES);
  frame.set(FRAME_HEADER);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}
