// How tasks read in the dashboard listings (seeds 000 and 001): times in unix seconds, JSON columns as JSON,
// media as Taskgate's signed forwarding URLs.
import { type Static, Type } from 'typebox';
import { toSeconds } from '../../core/clock.js';
import { signedMediaUrl } from '../../core/media-signing.js';
import { adapterFor } from '../../platforms/index.js';
import type { TaskRow } from '../../store/schema.js';

export interface MediaSigner {
  /**
   * Null when forwarding is off: upstream URLs are shown as they are. `source` is the upstream URL the path
   * serves now; it versions the signed URL.
   */
  sign: ((path: string, source?: string) => string) | null;
}

export function parseJson<T>(text: string, fallback: T): T {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

const AnyJson = Type.Unknown();

export const MjTaskItem = Type.Object({
  id: Type.Integer(),
  mj_id: Type.String(),
  action: Type.String(),
  prompt: Type.String(),
  prompt_en: Type.String(),
  status: Type.String(),
  progress: Type.String(),
  image_url: Type.String(),
  video_url: Type.String(),
  video_urls: Type.String({ description: 'A JSON array of URLs, as a string' }),
  submit_time: Type.Integer(),
  start_time: Type.Integer(),
  finish_time: Type.Integer(),
  fail_reason: Type.String(),
  quota: Type.Integer(),
  refunded: Type.Boolean(),
  description: Type.String(),
  state: Type.String(),
  code: Type.Integer(),
  buttons: AnyJson,
  properties: AnyJson,
  user_id: Type.Optional(Type.Integer()),
  channel_id: Type.Optional(Type.Integer()),
  upstream_id: Type.Optional(Type.String()),
});

export function mjTaskItem(row: TaskRow, media: MediaSigner, admin: boolean): Static<typeof MjTaskItem> {
  const videoUrls = parseJson<string[]>(row.video_urls, []);
  const forward = (url: string, path: string) => (url && media.sign ? media.sign(path, url) : url);
  return {
    id: row.id,
    mj_id: row.task_id,
    action: row.action,
    prompt: row.prompt,
    prompt_en: row.prompt_en,
    status: row.status,
    progress: row.progress,
    image_url: forward(row.image_url, `/mj/image/${row.task_id}`),
    video_url: forward(row.video_url, `/mj/video/${row.task_id}`),
    video_urls: JSON.stringify(videoUrls.map((url, i) => forward(url, `/mj/video/${row.task_id}/${i}`))),
    submit_time: toSeconds(row.submit_time),
    start_time: toSeconds(row.start_time),
    finish_time: toSeconds(row.finish_time),
    fail_reason: row.fail_reason,
    quota: row.quota,
    refunded: row.refunded === 1,
    description: row.description,
    state: row.state,
    code: row.code,
    buttons: parseJson(row.buttons, []),
    properties: parseJson(row.properties, {}),
    ...(admin ? { user_id: row.user_id, channel_id: row.channel_id, upstream_id: row.upstream_id } : {}),
  };
}

export const TaskItem = Type.Object({
  id: Type.Integer(),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
  task_id: Type.String(),
  platform: Type.String(),
  user_id: Type.Integer(),
  quota: Type.Integer(),
  action: Type.String(),
  status: Type.String(),
  fail_reason: Type.String(),
  submit_time: Type.Integer(),
  start_time: Type.Integer(),
  finish_time: Type.Integer(),
  progress: Type.String(),
  refunded: Type.Boolean(),
  properties: AnyJson,
  data: AnyJson,
  channel_id: Type.Optional(Type.Integer()),
  upstream_id: Type.Optional(Type.String()),
});

/**
 * A task-center row for listings. With forwarding on, every media URL in `data` becomes a signed Taskgate URL
 * (the platform's adapter knows where they are).
 */
export function taskItem(
  row: TaskRow,
  admin: boolean,
  media: MediaSigner = { sign: null },
): Static<typeof TaskItem> {
  const data = parseJson<unknown>(row.data, {});
  const adapter = adapterFor(row.platform);
  const sign = media.sign;
  return {
    id: row.id,
    created_at: toSeconds(row.created_at),
    updated_at: toSeconds(row.updated_at),
    task_id: row.task_id,
    platform: row.platform,
    user_id: row.user_id,
    quota: row.quota,
    action: row.action,
    status: row.status,
    fail_reason: row.fail_reason,
    submit_time: toSeconds(row.submit_time),
    start_time: toSeconds(row.start_time),
    finish_time: toSeconds(row.finish_time),
    progress: row.progress,
    refunded: row.refunded === 1,
    properties: parseJson(row.properties, {}),
    data:
      sign && adapter?.rewriteMedia
        ? adapter.rewriteMedia(data, (ref, source) => sign(`/task/media/${row.task_id}/${ref}`, source))
        : data,
    ...(admin ? { channel_id: row.channel_id, upstream_id: row.upstream_id } : {}),
  };
}

export function mediaSigner(
  forwarding: boolean,
  serverAddress: string,
  secret: string,
  now: number,
): MediaSigner {
  return {
    sign: forwarding ? (path, source) => signedMediaUrl(serverAddress, secret, path, now, source) : null,
  };
}
