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

/** `media` turns a Taskgate media path into the URL handed out; null hands out the upstream URLs as they are. */
export function mjTaskObject(row: MjViewRow, media: ((path: string) => string) | null): MjTaskObject {
  const forward = (url: string, path: string) => (url ? (media ? media(path) : url) : null);
  const videoUrls = parse<string[]>(row.video_urls, []);
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
    imageUrl: forward(row.image_url, `/mj/image/${row.task_id}`),
    videoUrl: forward(row.video_url, `/mj/video/${row.task_id}`),
    videoUrls: videoUrls.map((url, i) => ({ url: forward(url, `/mj/video/${row.task_id}/${i}`)! })),
    failReason: row.fail_reason || null,
    properties: parse(row.properties, {}),
    buttons: parse(row.buttons, []),
  };
}
