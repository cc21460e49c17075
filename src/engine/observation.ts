// What an observation changes on a task: the one merge rule both the poller and push callbacks use.
// Pure: no I/O. Status never moves backwards, a final task never changes, and unchanged fields are not written.
import { isTerminal } from '../core/task-status.js';
import type { Observation } from '../platforms/types.js';
import type { TaskPatch, TaskRow } from '../store/schema.js';

const RANK: Record<string, number> = {
  NOT_START: 0,
  MODAL: 1,
  SUBMITTED: 1,
  QUEUED: 2,
  IN_PROGRESS: 3,
  UNKNOWN: 3,
  SUCCESS: 4,
  FAILURE: 4,
};

const percent = (progress: string): number => {
  const match = /^(\d{1,3})%$/.exec(progress.trim());
  return match ? Number(match[1]) : -1;
};

/** An upstream's clock may run ahead or behind Taskgate's: its times are kept between what Taskgate knows. */
const within = (time: number, earliest: number, latest: number): number =>
  Math.min(Math.max(time, earliest), latest);

/** The columns to write, or null when the observation changes nothing. */
export function planUpdate(row: TaskRow, obs: Observation, now: number): TaskPatch | null {
  if (isTerminal(row.status)) return null;
  const patch: TaskPatch = {};
  const set = <K extends keyof TaskPatch>(key: K, value: TaskPatch[K] | undefined) => {
    if (value !== undefined && value !== row[key as keyof TaskRow]) patch[key] = value;
  };

  const backwards = RANK[obs.status] < RANK[row.status];
  if (!backwards) {
    set('status', obs.status);
    // Progress only grows while running (duplicate and out-of-order reports are harmless).
    const sameStatus = obs.status === row.status;
    if (obs.progress !== undefined && !(sameStatus && percent(obs.progress) < percent(row.progress))) {
      set('progress', obs.progress);
    }
  }
  const finishing = !backwards && isTerminal(obs.status);
  const finishTime = !finishing
    ? undefined
    : obs.finishTime === undefined
      ? now
      : within(obs.finishTime, Math.max(row.submit_time, row.start_time), now);
  // Upstreams that report no start time (OpenAI video) get one when the task is first seen running.
  const firstSeenRunning = !backwards && row.start_time === 0 && RANK[obs.status] >= RANK.IN_PROGRESS;
  // A start time, once known, never changes: re-clamping an upstream clock running ahead would rewrite it each round.
  const startTime =
    obs.startTime === undefined || row.start_time !== 0
      ? undefined
      : within(obs.startTime, row.submit_time, finishTime ?? now);
  set('start_time', startTime ?? (firstSeenRunning ? (finishTime ?? now) : undefined));
  set('image_url', obs.imageUrl);
  set('video_url', obs.videoUrl);
  set('video_urls', obs.videoUrls && JSON.stringify(obs.videoUrls));
  set('prompt_en', obs.promptEn);
  set('description', obs.description);
  set('buttons', obs.buttons && JSON.stringify(obs.buttons));
  set('properties', obs.properties && JSON.stringify(obs.properties));
  set('data', obs.data === undefined ? undefined : JSON.stringify(obs.data));
  if (row.vanished_since !== 0) patch.vanished_since = 0;

  if (!backwards && isTerminal(obs.status)) {
    const started = patch.start_time ?? row.start_time;
    patch.finish_time =
      obs.finishTime === undefined ? now : within(obs.finishTime, Math.max(row.submit_time, started), now);
    if (obs.status === 'SUCCESS') patch.progress = obs.progress || '100%';
    else patch.fail_reason = obs.failReason || 'the upstream reported a failure';
  }
  if (Object.keys(patch).length === 0) return null;
  patch.updated_at = now;
  return patch;
}

/**
 * What a written patch means for the task's poll schedule (task_polls): a final task leaves it, and movement
 * means the task is alive, so it is polled at the quick end of the schedule again.
 */
export function pollChange(patch: TaskPatch): 'finished' | 'moved' | null {
  if (patch.status && isTerminal(patch.status)) return 'finished';
  return patch.status !== undefined || patch.progress !== undefined ? 'moved' : null;
}

/** The patch that fails a task for a reason of Taskgate's own (timeout, vanished, channel deleted…). */
export function failurePatch(reason: string, now: number, progress = '100%'): TaskPatch {
  return { status: 'FAILURE', fail_reason: reason, finish_time: now, progress, updated_at: now };
}

/**
 * Fails `row` for a reason of Taskgate's own. A midjourney task's progress is left blank, as midjourney-proxy
 * shows a failed task (reference/new-api.md); the task center's platforms show 100%.
 */
export function ownFailurePatch(row: Pick<TaskRow, 'platform'>, reason: string, now: number): TaskPatch {
  return failurePatch(reason, now, row.platform === 'midjourney' ? '' : '100%');
}
