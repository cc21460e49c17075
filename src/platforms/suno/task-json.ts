// Reads one Suno-API task object (an element of `POST /suno/fetch`'s `data`) into an Observation, tolerating
// wrong types. Suno-API has already aggregated the clips into the task's `status`; we read that, not the clips.
import type { TaskStatus } from '../../core/task-status.js';
import { clip, isObject, str, timeMs } from '../json.js';
import type { Observation } from '../types.js';

const STATUSES: Record<string, TaskStatus> = {
  NOT_START: 'NOT_START',
  SUBMITTED: 'SUBMITTED',
  QUEUED: 'QUEUED',
  IN_PROGRESS: 'IN_PROGRESS',
  SUCCESS: 'SUCCESS',
  FAILURE: 'FAILURE',
};

/** Suno reports no percentage: each status stands for a stage of the song. */
const PROGRESS: Record<TaskStatus, string> = {
  NOT_START: '0%',
  SUBMITTED: '10%',
  QUEUED: '20%',
  IN_PROGRESS: '50%',
  MODAL: '0%',
  UNKNOWN: '0%',
  SUCCESS: '100%',
  FAILURE: '100%',
};

/** The task's upstream id, or undefined when the element is not a task. */
export const sunoTaskId = (value: unknown): string | undefined =>
  isObject(value) ? str(value.task_id) || undefined : undefined;

/** The clip array (music) or the lyrics object (lyrics); anything else is not stored. */
function resultOf(value: unknown): unknown[] | Record<string, unknown> | undefined {
  if (Array.isArray(value)) return value;
  return isObject(value) ? value : undefined;
}

/** IN_PROGRESS with one clip already complete is further along than with none. */
function progressOf(status: TaskStatus, data: unknown): string {
  if (status !== 'IN_PROGRESS' || !Array.isArray(data)) return PROGRESS[status];
  const complete = data.filter((c) => isObject(c) && str(c.status) === 'complete').length;
  return complete > 0 && complete < data.length ? '75%' : PROGRESS[status];
}

/** Why a task failed: its own reason, else the first clip's error, else a failed lyrics job's text. */
function failReasonOf(task: Record<string, unknown>, data: unknown): string {
  const own = str(task.fail_reason)?.trim();
  if (own) return own;
  if (Array.isArray(data)) {
    for (const c of data) {
      const message = isObject(c) && isObject(c.metadata) ? str(c.metadata.error_message)?.trim() : '';
      if (message) return message;
    }
  } else if (isObject(data) && str(data.status) === 'error') {
    const text = str(data.text)?.trim();
    if (text) return text;
  }
  return 'Suno reported a failure without a reason';
}

/** An Observation, or null when the status is missing or unknown (then nothing is changed). */
export function readSunoTask(value: unknown): Observation | null {
  if (!isObject(value)) return null;
  const status = STATUSES[str(value.status)?.toUpperCase() ?? ''];
  if (!status) return null;
  const data = resultOf(value.data);
  return {
    status,
    progress: progressOf(status, data),
    failReason: status === 'FAILURE' ? clip(failReasonOf(value, data)) : undefined,
    startTime: timeMs(value.start_time),
    finishTime: timeMs(value.finish_time),
    data,
  };
}
