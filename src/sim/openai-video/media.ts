// The bytes behind each content variant: a real MP4 of the video's length, a WebP thumbnail and a JPEG
// spritesheet, small versions of the requested size, each coloured after the video id.
import { solidGreyJpeg } from '../common/jpeg.js';
import { stillMp4 } from '../common/mp4.js';
import { colourFor } from '../common/png.js';
import { solidWebp } from '../common/webp.js';
import type { VideoRecord } from './types.js';

export const VARIANTS = ['video', 'thumbnail', 'spritesheet'] as const;
export type Variant = (typeof VARIANTS)[number];

export const CONTENT_TYPES: Record<Variant, string> = {
  video: 'video/mp4',
  thumbnail: 'image/webp',
  spritesheet: 'image/jpeg',
};

const LONG_SIDE = 112;
const SPRITES = 4;

/** The requested size scaled so its long side is 112 pixels, in multiples of 16 (whole macroblocks). */
function scaledSize(size: string): { width: number; height: number } {
  const [width, height] = size.split('x').map(Number);
  const scale = LONG_SIDE / Math.max(width, height);
  const toBlocks = (side: number) => Math.max(16, Math.round((side * scale) / 16) * 16);
  return { width: toBlocks(width), height: toBlocks(height) };
}

export function contentBytes(video: VideoRecord, variant: Variant): Buffer {
  const { width, height } = scaledSize(video.size);
  const rgb = colourFor(video.id);
  if (variant === 'video') return stillMp4({ width, height, rgb, seconds: Number(video.seconds) });
  if (variant === 'thumbnail') return solidWebp(width, height, rgb);
  const luma = Math.round(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]);
  return solidGreyJpeg(width * SPRITES, height, luma);
}
