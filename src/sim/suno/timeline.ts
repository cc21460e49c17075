// A MUSIC task's life as a pure function of simulated time since submit and its script. Suno-API only learns
// what Suno says on its own 5-second feed polls, so the task (status, data, timestamps) changes on those
// ticks only, and the first tick decides NOT_START → SUBMITTED (reference §1.8, §1.9).
import { CLIP_PHASES, type ClipPhase, type SunoScript } from './script.js';
import type { ForcedClips, SunoTaskStatus } from './types.js';

/** Simulated seconds after submit. */
export interface SunoTimings {
  /** Suno-API's feed poll interval: data changes only on these ticks. */
  pollSeconds: number;
  queuedAt: number;
  streamingAt: number;
  firstClipDoneAt: number;
  secondClipDoneAt: number;
  /** CHAT_TIME_OUT: an unfinished task becomes FAILURE "time out". */
  timeoutSeconds: number;
}

export const DEFAULT_SUNO_TIMINGS: SunoTimings = {
  pollSeconds: 5,
  queuedAt: 10,
  streamingAt: 25,
  firstClipDoneAt: 60,
  secondClipDoneAt: 70,
  timeoutSeconds: 600,
};

const CLIP_TO_TASK: Record<string, SunoTaskStatus> = {
  submitted: 'SUBMITTED',
  queued: 'QUEUED',
  streaming: 'IN_PROGRESS',
  complete: 'SUCCESS',
  error: 'FAILURE',
};

/** Suno-API's readerStatus: any status it does not know is FAILURE. */
function taskStatusOfClip(clipStatus: string): SunoTaskStatus {
  return CLIP_TO_TASK[clipStatus] ?? 'FAILURE';
}

/** Suno-API's aggregation over the clip list (not a worst/best rule). */
export function aggregateStatus(clipStatuses: readonly string[]): SunoTaskStatus {
  if (clipStatuses.length === 2) {
    const [first, second] = clipStatuses;
    if (first === second) return taskStatusOfClip(first);
    return taskStatusOfClip(first === 'complete' ? second : first);
  }
  return taskStatusOfClip(clipStatuses[0]);
}

function isTerminal(status: SunoTaskStatus): boolean {
  return status === 'SUCCESS' || status === 'FAILURE';
}

function completionTime(script: SunoScript, timings: SunoTimings, index: number): number {
  const first = (index === 0) !== script.reverse;
  return first ? timings.firstClipDoneAt : timings.secondClipDoneAt;
}

function failureTime(script: SunoScript, timings: SunoTimings, index: number): number | null {
  if (script.clipError !== null && script.clipError !== index) return null;
  if (script.failAtPercent !== null) return (script.failAtPercent / 100) * timings.secondClipDoneAt;
  return script.clipError === index ? completionTime(script, timings, index) : null;
}

/** What Suno's feed says about clip `index` at `t` seconds after submit. */
function clipStatusAt(script: SunoScript, timings: SunoTimings, t: number, index: number): string {
  const failAt = failureTime(script, timings, index);
  if (failAt !== null && t >= failAt) return 'error';
  let phase: ClipPhase | 'complete' =
    t < timings.queuedAt
      ? 'submitted'
      : t < timings.streamingAt
        ? 'queued'
        : t < completionTime(script, timings, index)
          ? 'streaming'
          : 'complete';
  if (script.skipStreaming && phase === 'streaming') phase = 'queued';
  if (
    script.freeze &&
    (phase === 'complete' || CLIP_PHASES.indexOf(phase) > CLIP_PHASES.indexOf(script.freeze.phase))
  ) {
    phase = script.freeze.phase;
  }
  if (phase === 'streaming' && script.oddStatus) return script.oddStatus;
  const regressing =
    t >= timings.streamingAt + timings.pollSeconds && t < timings.streamingAt + 2 * timings.pollSeconds;
  if (script.regress && index === 0 && phase === 'streaming' && regressing) return 'queued';
  return phase;
}

/** After this many seconds nothing in the script changes any more. */
function lastEventAt(script: SunoScript, timings: SunoTimings): number {
  const failAt = [0, 1].map((i) => failureTime(script, timings, i) ?? 0);
  const events = [
    timings.secondClipDoneAt,
    timings.firstClipDoneAt,
    ...failAt,
    timings.streamingAt + 2 * timings.pollSeconds,
  ];
  if (!script.freeze || script.freeze.timesOut) events.push(timings.timeoutSeconds);
  return Math.max(...events);
}

export interface MusicSnapshot {
  status: SunoTaskStatus;
  clipStatuses: [string, string];
  /** error_message of each clip (null when it has none). */
  clipErrors: [string | null, string | null];
  failReason: string;
  /** Seconds after submit, or null while not set (start_time / finish_time 0). */
  startedAt: number | null;
  finishedAt: number | null;
  changedAt: number;
}

function snapshotOf(clipStatuses: [string, string], reason: string | null): MusicSnapshot {
  const clipErrors = clipStatuses.map((s) => (s === 'error' ? reason : null)) as [
    string | null,
    string | null,
  ];
  const status = aggregateStatus(clipStatuses);
  const failReason = status === 'FAILURE' ? (clipErrors.find((e) => e) ?? '') : '';
  return { status, clipStatuses, clipErrors, failReason, startedAt: null, finishedAt: null, changedAt: 0 };
}

/** The task as Suno-API would show it `elapsed` seconds after submit. */
export function evaluateMusic(
  script: SunoScript,
  timings: SunoTimings,
  elapsed: number,
  forced: ForcedClips | null = null,
): MusicSnapshot {
  let current: MusicSnapshot = { ...snapshotOf(['submitted', 'submitted'], null), status: 'NOT_START' };
  const tick = timings.pollSeconds;
  const forcedNow = forced !== null && elapsed >= forced.atSeconds;
  const until = Math.min(
    elapsed,
    forcedNow ? forced.atSeconds : elapsed,
    lastEventAt(script, timings) + tick,
  );
  for (let t = tick; t <= until; t += tick) {
    const next = snapshotOf(
      [clipStatusAt(script, timings, t, 0), clipStatusAt(script, timings, t, 1)],
      script.failReason,
    );
    const timesOut = !script.freeze || script.freeze.timesOut;
    if (!isTerminal(next.status) && timesOut && t >= timings.timeoutSeconds) {
      [next.status, next.failReason] = ['FAILURE', 'time out']; // data stays as it was
    }
    const changed =
      next.status !== current.status || next.clipStatuses.join() !== current.clipStatuses.join();
    next.changedAt = changed ? t : current.changedAt;
    next.startedAt = current.startedAt ?? (next.status === 'IN_PROGRESS' ? t : null);
    current = next;
    if (isTerminal(next.status)) {
      current.finishedAt = t;
      break;
    }
  }
  if (!forcedNow) return current;
  const overlay = snapshotOf(forced.clipStatuses, forced.failReason);
  if (forced.failReason !== null && overlay.status === 'FAILURE') overlay.failReason = forced.failReason;
  overlay.startedAt = current.startedAt ?? (overlay.status === 'IN_PROGRESS' ? forced.atSeconds : null);
  overlay.finishedAt = isTerminal(overlay.status) ? forced.atSeconds : null;
  overlay.changedAt = forced.atSeconds;
  return overlay;
}
