// A task as midjourney-proxy clients read it (fetch, list-by-condition, notify callbacks): camelCase fields,
// times in milliseconds (null until known), Taskgate's public id, and media through Taskgate's own URLs.
import type { TaskRow } from '../../store/schema.js';

export type MjTaskObject = {
  id: string;
  action: string;
  status: string;
  progress: string;
  prompt: string;
  promptEn: string;
  description: string;
  state: string;
  submitTime: number;
  startTime: number | null;
  finishTime: number | null;
  imageUrl: string | null;
  videoUrl: string | null;
  videoUrls: Array<{ url: string }>;
  failReason: string | null;
  properties: Record<string, unknown>;
  buttons: unknown[];
};

const parse = <T>(text: string, fallback: T): T => {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
};

/** The columns the view reads: the fetch route selects only these. */
export const MJ_VIEW_COLUMNS = [
  'task_id',
  'action',
  'status',
  'progress',
  'prompt',
  'prompt_en',
  'description',
  'state',
  'submit_time',
  'start_time',
  'finish_time',
  'image_url',
  'video_url',
  'video_urls',
  'fail_reason',
  'properties',
  'buttons',
] as const satisfies readonly (keyof TaskRow)[];
export type MjViewRow = Pick<TaskRow, (typeof MJ_VIEW_COLUMNS)[number]>;

/** Signs a media path; the upstream URL it serves now (`source`) versions the signed URL. */
type Media = ((path: string, source?: string) => string) | null;

/** An upstream media URL as handed out: through Taskgate's signed path, as it is, or null when there is none. */
const forward = (url: string, path: string, media: Media) => (url ? (media ? media(path, url) : url) : null);

/** The view's fields that are not stored as JSON text. */
function mjScalars(row: MjViewRow, media: Media) {
  return {
    id: row.task_id,
    action: row.action,
    status: row.status,
    progress: row.progress,
    prompt: row.prompt,
    promptEn: row.prompt_en,
    description: row.description,
    state: row.state,
    submitTime: row.submit_time,
    startTime: row.start_time || null,
    finishTime: row.finish_time || null,
    imageUrl: forward(row.image_url, `/mj/image/${row.task_id}`, media),
    videoUrl: forward(row.video_url, `/mj/video/${row.task_id}`, media),
    failReason: row.fail_reason || null,
  };
}

function videoUrlsOf(row: MjViewRow, media: Media): Array<{ url: string }> {
  if (row.video_urls === '[]' || !row.video_urls) return [];
  // An empty entry has nothing to hand out; the others keep their stored position in their media path.
  return parse<string[]>(row.video_urls, []).flatMap((url, i) =>
    url ? [{ url: forward(url, `/mj/video/${row.task_id}/${i}`, media)! }] : [],
  );
}

/** `media` turns a Taskgate media path into the URL handed out; null hands out the upstream URLs as they are. */
export function mjTaskObject(row: MjViewRow, media: Media): MjTaskObject {
  return {
    ...mjScalars(row, media),
    videoUrls: videoUrlsOf(row, media),
    properties: row.properties.startsWith('{') ? parse(row.properties, {}) : {},
    buttons: row.buttons.startsWith('[') ? parse(row.buttons, []) : [],
  };
}

/**
 * The same view as JSON text, for the hottest route (fetch). `properties` and `buttons` are stored as the text
 * JSON.stringify made of them (observation.ts, submit), so they are handed out as stored instead of parsed and
 * stringified again; text not opening like its kind (an empty column) reads as empty, as in mjTaskObject.
 */
export function mjTaskJson(row: MjViewRow, media: Media): string {
  const head = JSON.stringify(mjScalars(row, media));
  const videoUrls = JSON.stringify(videoUrlsOf(row, media));
  return `${head.slice(0, -1)},"videoUrls":${videoUrls},"properties":${stored(row.properties, '{')},"buttons":${stored(row.buttons, '[')}}`;
}

const stored = (text: string, opening: '{' | '['): string =>
  text.startsWith(opening) ? text : opening === '{' ? '{}' : '[]';
