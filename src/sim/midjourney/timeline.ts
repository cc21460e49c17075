// A task's life as a pure function of simulated time: the list of status/progress events it goes through,
// counted from the moment a worker slot takes it. No timers: whoever asks computes the state at "now".
import type { Outcome } from './directives.js';
import type { TaskAction } from './types.js';

/** grid: IMAGINE-like, with progress steps and previews; upscale: straight to SUCCESS; brief: no percentages. */
export type Profile = 'grid' | 'upscale' | 'brief';

export function profileOf(action: TaskAction): Profile {
  if (action === 'UPSCALE') return 'upscale';
  if (action === 'DESCRIBE' || action === 'SHORTEN' || action === 'SWAP_FACE') return 'brief';
  return 'grid';
}

/** Simulated milliseconds for each phase (reference section 5.2). */
export interface Timings {
  /** From a worker taking the task to SUBMITTED (the Discord interaction POST). */
  toSubmittedMs: number;
  /** SUBMITTED to IN_PROGRESS (the bot's "Waiting to start" reply). */
  toInProgressMs: number;
  /** IN_PROGRESS to the first progress edit. */
  toFirstStepMs: number;
  stepEveryMs: number;
  /** Last progress step to SUCCESS. */
  toSuccessMs: number;
  /** SUBMITTED to SUCCESS for upscales, which show no progress. */
  upscaleMs: number;
  /** IN_PROGRESS to SUCCESS for describe, shorten and face swap, which show no percentages. */
  briefMs: number;
}

export const DEFAULT_TIMINGS: Timings = {
  toSubmittedMs: 500,
  toInProgressMs: 1000,
  toFirstStepMs: 3000,
  stepEveryMs: 2000,
  toSuccessMs: 2000,
  upscaleMs: 2000,
  briefMs: 2000,
};

export const DEFAULT_PROGRESS_STEPS: readonly number[] = [0, 15, 31, 46, 62, 78, 93];

export const TIMEOUT_REASON = '任务超时';
export const DEFAULT_SEND_FAILURE = 'Invalid Form Body';
export const DEFAULT_MIDWAY_FAILURE =
  '[Job action restricted] Sorry! Our AI moderator thinks this job might be against our community standards.';

export type EventStatus = 'SUBMITTED' | 'IN_PROGRESS' | 'SUCCESS' | 'FAILURE';

export interface TimelineEvent {
  /** Simulated ms after the task was taken by a worker. */
  offset: number;
  status: EventStatus;
  /** The percentage shown while IN_PROGRESS; null otherwise. */
  percent: number | null;
  /** A new preview image arrives with this event. */
  preview: boolean;
  failReason: string | null;
}

export function isTerminalEvent(event: TimelineEvent | undefined): boolean {
  return event?.status === 'SUCCESS' || event?.status === 'FAILURE';
}

function event(offset: number, status: EventStatus, percent: number | null = null): TimelineEvent {
  return {
    offset,
    status,
    percent,
    preview: status === 'IN_PROGRESS' && (percent ?? 0) > 0,
    failReason: null,
  };
}

function failure(offset: number, reason: string): TimelineEvent {
  return { offset, status: 'FAILURE', percent: null, preview: false, failReason: reason };
}

function naturalTimeline(profile: Profile, t: Timings, steps: readonly number[]): TimelineEvent[] {
  const sent = t.toSubmittedMs;
  const events = [event(sent, 'SUBMITTED')];
  if (profile === 'upscale') {
    events.push(event(sent + t.upscaleMs, 'SUCCESS'));
    return events;
  }
  const started = sent + t.toInProgressMs;
  // J keeps "0%" when the bot's first reply arrives; the first edit then repeats "0%" (a duplicate notify).
  events.push(event(started, 'IN_PROGRESS', 0));
  if (profile === 'brief') {
    events.push(event(started + t.briefMs, 'SUCCESS'));
    return events;
  }
  let last = started;
  steps.forEach((percent, i) => {
    last = started + t.toFirstStepMs + i * t.stepEveryMs;
    events.push(event(last, 'IN_PROGRESS', percent));
  });
  events.push(event(last + t.toSuccessMs, 'SUCCESS'));
  return events;
}

/** Index of the first progress step at or above `percent`, or -1. */
function stepReaching(events: TimelineEvent[], percent: number): number {
  return events.findIndex((e) => e.status === 'IN_PROGRESS' && (e.percent ?? 0) >= percent);
}

function scripted(natural: TimelineEvent[], outcome: Outcome, t: Timings): TimelineEvent[] {
  const success = natural[natural.length - 1];
  switch (outcome.kind) {
    case 'success':
      return natural;
    case 'fail': {
      if (outcome.atPercent <= 0) return [failure(natural[0].offset, outcome.reason ?? DEFAULT_SEND_FAILURE)];
      const reason = outcome.reason ?? DEFAULT_MIDWAY_FAILURE;
      const at = stepReaching(natural, outcome.atPercent);
      if (at < 0) return [...natural.slice(0, -1), failure(success.offset, reason)];
      return [...natural.slice(0, at + 1), failure(natural[at].offset + t.stepEveryMs, reason)];
    }
    case 'stuck': {
      const at = stepReaching(natural, outcome.atPercent);
      return natural.slice(0, at < 0 ? -1 : at + 1);
    }
    case 'hang': {
      const started = natural.findIndex((e) => e.status === 'IN_PROGRESS');
      return natural.slice(0, started < 0 ? 1 : started + 1);
    }
  }
}

/**
 * Every event of a task's life. Anything not finished `timeoutMs` after SUBMITTED fails with J's timeout
 * reason, except `hang`, which by design never ends.
 */
export function buildTimeline(
  profile: Profile,
  outcome: Outcome,
  timings: Timings,
  steps: readonly number[],
  timeoutMs: number,
): TimelineEvent[] {
  const events = scripted(naturalTimeline(profile, timings, steps), outcome, timings);
  if (outcome.kind === 'hang') return events;
  const deadline = timings.toSubmittedMs + timeoutMs;
  const inTime = events.filter((e) => e.offset <= deadline);
  if (isTerminalEvent(inTime[inTime.length - 1])) return inTime;
  const reason = outcome.kind === 'stuck' && outcome.reason ? outcome.reason : TIMEOUT_REASON;
  return [...inTime, failure(deadline, reason)];
}

/** Index of the last event that has happened `elapsed` ms after dispatch, or -1 before the first. */
export function eventIndexAt(events: TimelineEvent[], elapsed: number): number {
  let index = -1;
  for (let i = 0; i < events.length && events[i].offset <= elapsed; i++) index = i;
  return index;
}
