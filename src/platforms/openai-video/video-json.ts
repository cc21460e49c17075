// Reads an OpenAI video object (or a vendor's look-alike) into an Observation, tolerating wrong types, unknown
// statuses and oversized fields. Upstream ids never reach what Taskgate stores as the task's data.
import type { TaskStatus } from '../../core/task-status.js';
import { clip, isObject, str, timeMs } from '../json.js';
import type { Observation } from '../types.js';

/** OpenAI's four statuses and the synonyms OpenAI-compatible vendors use (reference §2.2.3). */
const STATUSES: Record<string, TaskStatus> = {
  submitted: 'SUBMITTED',
  queued: 'QUEUED',
  pending: 'QUEUED',
  waiting: 'QUEUED',
  in_progress: 'IN_PROGRESS',
  'in-progress': 'IN_PROGRESS',
  processing: 'IN_PROGRESS',
  running: 'IN_PROGRESS',
  generating: 'IN_PROGRESS',
  completed: 'SUCCESS',
  complete: 'SUCCESS',
  succeeded: 'SUCCESS',
  success: 'SUCCESS',
  failed: 'FAILURE',
  failure: 'FAILURE',
  error: 'FAILURE',
  cancelled: 'FAILURE',
  canceled: 'FAILURE',
};

/** Fields naming upstream videos: the public id replaces them in every answer, so they are not kept. */
const UPSTREAM_IDS = new Set(['id', 'task_id', 'remixed_from_video_id']);
const MAX_STRING = 4096;
const MAX_ITEMS = 100;
const MAX_DEPTH = 6;

/** Taskgate's status for an upstream status word, or undefined for words nobody knows. */
export function videoStatus(value: unknown): TaskStatus | undefined {
  const word = str(value)?.trim().toLowerCase() ?? '';
  return Object.hasOwn(STATUSES, word) ? STATUSES[word] : undefined;
}

/** A whole percentage 0..100 from a number or a numeric string ("42", "42%"), else undefined. */
export function percentOf(value: unknown): number | undefined {
  const text = typeof value === 'string' ? value.trim().replace(/%$/, '') : value;
  const n = typeof text === 'string' && /^\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  if (typeof n !== 'number' || !Number.isFinite(n)) return undefined;
  return Math.min(100, Math.max(0, Math.round(n)));
}

/** The upstream's id for a video object (`task_id` is the legacy field some vendors use). */
export const videoId = (value: unknown): string | undefined =>
  isObject(value) ? str(value.id) || str(value.task_id) || undefined : undefined;

/** A copy small enough for a column: long strings (base64 payloads) cut, long arrays shortened, deep nesting dropped. */
function bounded(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return clip(value, MAX_STRING);
  if (Array.isArray(value))
    return depth >= MAX_DEPTH ? [] : value.slice(0, MAX_ITEMS).map((v) => bounded(v, depth + 1));
  if (isObject(value)) {
    if (depth >= MAX_DEPTH) return {};
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value).slice(0, MAX_ITEMS)) out[key] = bounded(item, depth + 1);
    return out;
  }
  return value;
}

/** The video object as Taskgate keeps it: every upstream field but the upstream's ids, bounded in size. */
export function videoData(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (!UPSTREAM_IDS.has(key)) out[key] = item;
  return bounded(out, 0) as Record<string, unknown>;
}

function failReason(value: Record<string, unknown>): string {
  const error = value.error;
  const reason = isObject(error)
    ? str(error.message) || str(error.code)
    : str(error) || str(value.fail_reason) || str(value.message);
  if (reason?.trim()) return clip(reason.trim(), 1000);
  const word = str(value.status)?.toLowerCase() ?? '';
  return word.startsWith('cancel')
    ? 'the upstream cancelled the video'
    : 'the upstream reported a failure without a reason';
}

/** An Observation, or null when the status is missing or unknown (then nothing is changed). */
export function readVideoObject(value: unknown): Observation | null {
  if (!isObject(value)) return null;
  const status = videoStatus(value.status);
  if (!status) return null;
  const terminal = status === 'SUCCESS' || status === 'FAILURE';
  const percent = percentOf(value.progress);
  return {
    status,
    // Final tasks read 100% in the task center, as new-api shows them.
    progress: terminal ? '100%' : percent === undefined ? undefined : `${percent}%`,
    failReason: status === 'FAILURE' ? failReason(value) : undefined,
    finishTime: terminal ? timeMs(value.completed_at) : undefined,
    data: videoData(value),
  };
}
