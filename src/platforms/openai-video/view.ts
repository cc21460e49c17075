// A video task as clients read it, from Taskgate's own store: OpenAI's video object (GET /v1/videos/{id}) and
// new-api's TaskDto (GET /v1/video/generations/{id}). Ids are Taskgate's public ones, never the upstream's.
import { toSeconds } from '../../core/clock.js';
import type { TaskRow } from '../../store/schema.js';
import { isObject, str } from '../json.js';
import { rewriteVideoMedia } from './media.js';
import { percentOf } from './video-json.js';

/** Taskgate's statuses as OpenAI's four (new-api's mapping; a task not yet sent reads as queued). */
const OPENAI_STATUS: Record<string, string> = {
  NOT_START: 'queued',
  SUBMITTED: 'queued',
  QUEUED: 'queued',
  IN_PROGRESS: 'in_progress',
  UNKNOWN: 'in_progress',
  SUCCESS: 'completed',
  FAILURE: 'failed',
};

const objectOf = (text: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(text || '{}');
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
};

const seconds = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;

/** OpenAI's video object with Taskgate's ids; other upstream fields pass through. */
export interface VideoObjectView {
  id: string;
  task_id: string;
  object: 'video';
  model: string;
  status: string;
  progress: number;
  created_at: number;
  completed_at: number | null;
  expires_at: number | null;
  seconds: string;
  size: string | null;
  prompt: string | null;
  remixed_from_video_id: string | null;
  error: { code: string; message: string } | null;
  content_url?: string;
  thumbnail_url?: string;
  spritesheet_url?: string;
  [field: string]: unknown;
}

/** Turns a ref (video, thumbnail, spritesheet) into a signed link for this task; null when forwarding is off. */
export type VideoLinker = ((ref: string) => string) | null;

export function videoObject(row: TaskRow, link: VideoLinker, data = objectOf(row.data)): VideoObjectView {
  const properties = objectOf(row.properties);
  const { id: _id, task_id: _taskId, remixed_from_video_id: _origin, ...upstream } = data;
  const status = OPENAI_STATUS[row.status] ?? 'queued';
  const terminal = status === 'completed' || status === 'failed';
  const dataError = isObject(data.error) ? data.error : {};
  const view: VideoObjectView = {
    ...upstream,
    id: row.task_id,
    // new-api's clients read `task_id`; OpenAI's read `id`: both carry the public id.
    task_id: row.task_id,
    object: 'video',
    model: str(data.model) || row.model,
    status,
    progress: status === 'completed' ? 100 : (percentOf(row.progress) ?? 0),
    created_at: seconds(data.created_at) ?? toSeconds(row.submit_time),
    completed_at: terminal ? (seconds(data.completed_at) ?? toSeconds(row.finish_time)) : null,
    expires_at: seconds(data.expires_at) ?? null,
    seconds: str(data.seconds) || str(properties.seconds) || '4',
    size: str(data.size) || str(properties.size) || null,
    prompt: row.prompt || str(data.prompt) || null,
    remixed_from_video_id: row.parent_task_id || null,
    error:
      status === 'failed'
        ? {
            code: str(dataError.code) || 'video_generation_failed',
            message: row.fail_reason || 'the video failed',
          }
        : null,
  };
  return link ? (rewriteVideoMedia(view, link) as VideoObjectView) : view;
}

/** new-api's TaskDto: Taskgate's statuses, unix seconds, and the video object as `data`. */
export function videoTaskDto(row: TaskRow, link: VideoLinker, serverAddress: string) {
  const done = row.status === 'SUCCESS';
  return {
    task_id: row.task_id,
    action: row.action,
    status: row.status,
    fail_reason: row.fail_reason,
    submit_time: toSeconds(row.submit_time),
    start_time: toSeconds(row.start_time),
    finish_time: toSeconds(row.finish_time),
    progress: row.progress,
    // Without forwarding, the content route (API key) is the way to the file, as in new-api.
    result_url: done ? (link ? link('video') : `${serverAddress}/v1/videos/${row.task_id}/content`) : '',
    properties: objectOf(row.properties),
    data: videoObject(row, link),
  };
}
