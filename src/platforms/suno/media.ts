// The media of a Suno task: each clip's audio, video and two covers. Clients only see signed Taskgate links,
// named `<clipIndex>.<field>` (e.g. `0.audio_url`); the forwarding route resolves a ref against the stored clips.
import { isObject } from '../json.js';
import type { MediaLocation } from '../types.js';

/** Clip fields that hold a media URL, and the type served when the host names none. */
export const MEDIA_FIELDS: Record<string, string> = {
  audio_url: 'audio/mpeg',
  video_url: 'video/mp4',
  image_url: 'image/jpeg',
  image_large_url: 'image/jpeg',
};

const REF = /^(\d{1,3})\.([a-z_]+)$/;

/** The clips with every media URL replaced by `link(ref)`; empty URLs stay empty, lyrics pass unchanged. */
export function rewriteSunoMedia(data: unknown, link: (ref: string, source?: string) => string): unknown {
  if (!Array.isArray(data)) return data;
  return data.map((clip, index) => {
    if (!isObject(clip)) return clip;
    const out: Record<string, unknown> = { ...clip };
    for (const field of Object.keys(MEDIA_FIELDS)) {
      const url = clip[field];
      if (url === undefined || url === null || url === '') continue;
      // Anything else in a media field (a number, an object) could still carry an upstream address.
      out[field] = typeof url === 'string' ? link(`${index}.${field}`, url) : '';
    }
    return out;
  });
}

/** Where `ref` lives upstream, from the task's stored clips; relative URLs are read against the channel. */
export function sunoMediaSource(
  task: { data: unknown },
  ref: string,
  channel: { baseUrl: string },
): MediaLocation | null {
  const match = REF.exec(ref);
  if (!match || !Array.isArray(task.data)) return null;
  const [, index, field] = match;
  if (!Object.hasOwn(MEDIA_FIELDS, field)) return null;
  const clip = task.data[Number(index)];
  const url = isObject(clip) ? clip[field] : undefined;
  if (typeof url !== 'string' || url === '') return null;
  let absolute: URL;
  try {
    absolute = channel.baseUrl ? new URL(url, channel.baseUrl) : new URL(url);
  } catch {
    return null;
  }
  if (absolute.protocol !== 'http:' && absolute.protocol !== 'https:') return null;
  return { url: absolute.toString(), defaultType: MEDIA_FIELDS[field] };
}
