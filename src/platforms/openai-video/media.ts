// A video's files: its content variants, fetched from the upstream's content route with the channel's key.
// Clients only ever see Taskgate's signed links to them.
import { isObject } from '../json.js';
import type { MediaLocation } from '../types.js';
import { videoStatus } from './video-json.js';

/** The content variants OpenAI serves, with the type each one is when the upstream names none. */
export const VIDEO_VARIANTS = {
  video: 'video/mp4',
  thumbnail: 'image/webp',
  spritesheet: 'image/jpeg',
} as const;
export type VideoVariant = keyof typeof VIDEO_VARIANTS;

export const isVideoVariant = (ref: string): ref is VideoVariant => Object.hasOwn(VIDEO_VARIANTS, ref);

/** The field each variant's link is handed out in. */
const LINK_FIELDS: Record<VideoVariant, string> = {
  video: 'content_url',
  thumbnail: 'thumbnail_url',
  spritesheet: 'spritesheet_url',
};

/** Adds signed links to a completed video's content; every upstream field stays (a same-named one is replaced). */
export function rewriteVideoMedia(data: unknown, link: (ref: string) => string): unknown {
  if (!isObject(data) || videoStatus(data.status) !== 'SUCCESS') return data;
  const links: Record<string, string> = {};
  for (const [variant, field] of Object.entries(LINK_FIELDS)) links[field] = link(variant);
  return { ...data, ...links };
}

export function videoMediaSource(
  task: { upstreamId: string },
  ref: string,
  channel: { baseUrl: string; key: string },
): MediaLocation | null {
  if (!isVideoVariant(ref) || !task.upstreamId || !channel.baseUrl) return null;
  const base = channel.baseUrl.replace(/\/+$/, '');
  return {
    url: `${base}/v1/videos/${encodeURIComponent(task.upstreamId)}/content?variant=${ref}`,
    headers: { authorization: `Bearer ${channel.key}` },
    defaultType: VIDEO_VARIANTS[ref],
  };
}
