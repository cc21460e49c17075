// Everything one video simulator holds: its clock, knobs, videos (in creation order), fault player and
// call log.
import { randomBytes } from 'node:crypto';
import { CallLog } from '../common/call-log.js';
import { SimClock } from '../common/clock.js';
import { FaultPlayer, type FaultRule, takeFault } from '../common/faults.js';
import { KnobError, knobNumber, knobObject } from '../common/knob-checks.js';
import { seededRandom } from '../common/seeded-random.js';
import { statusErrorBody } from './errors.js';
import { defaultVideoKnobs, patchVideoKnobs, type VideoKnobDefaults, type VideoKnobs } from './knobs.js';
import type { VideoScript } from './script.js';
import { evaluateVideo, type VideoSnapshot } from './timeline.js';
import type { VideoError, VideoParams, VideoRecord, VideoStatus } from './types.js';

export interface VideoSimOptions extends VideoKnobDefaults {
  /** Simulated time per real time (default 1; 60 runs a simulated minute per real second). */
  timeScale?: number;
  /** The real clock in ms (default Date.now). */
  now?: () => number;
  /** Seed of the generator that decides which requests a fault `rate` hits (default 1). */
  seed?: number;
}

const STATUSES: VideoStatus[] = ['queued', 'in_progress', 'completed', 'failed'];

function forcedError(value: unknown, fallback: VideoError | null): VideoError | null {
  if (value === undefined) return fallback;
  if (value === null) return null;
  const source = knobObject(value, 'error');
  if (typeof source.message !== 'string') throw new KnobError('error.message must be a string');
  return {
    code: typeof source.code === 'string' ? source.code : 'video_generation_failed',
    message: source.message,
  };
}

export class VideoState {
  readonly clock: SimClock;
  readonly calls = new CallLog();
  readonly faults: FaultPlayer;
  knobs: VideoKnobs;
  readonly videos = new Map<string, VideoRecord>();
  private random: () => number;

  constructor(private readonly options: VideoSimOptions = {}) {
    this.clock = new SimClock({ timeScale: options.timeScale, now: options.now });
    this.knobs = defaultVideoKnobs(options);
    this.random = seededRandom(options.seed ?? 1);
    this.faults = new FaultPlayer({
      errorBody: statusErrorBody,
      shapeMismatchBody: { object: 'list', data: {} },
    });
  }

  drawFault(rule: FaultRule | null): FaultRule | null {
    return takeFault(rule, this.random);
  }

  create(params: VideoParams, script: VideoScript, remixOf: string | null = null): VideoRecord {
    const video: VideoRecord = {
      ...params,
      id: `video_${randomBytes(24).toString('hex')}`,
      createdAt: this.clock.now(),
      remixOf,
      script,
      polls: 0,
      vanishAfterPolls: script.vanishAfterPolls,
      pollFault: script.pollFault,
      contentFault: script.contentFault,
      forced: null,
    };
    this.videos.set(video.id, video);
    return video;
  }

  snapshot(video: VideoRecord): VideoSnapshot {
    return evaluateVideo(video, this.knobs.timings, this.knobs.contentTtlSeconds, this.clock.now());
  }

  /** The video unless unknown, deleted or vanished (without counting a poll). */
  visible(id: string): VideoRecord | undefined {
    const video = this.videos.get(id);
    return video && (video.vanishAfterPolls === null || video.polls <= video.vanishAfterPolls)
      ? video
      : undefined;
  }

  /** Counts one retrieve of `id` by `caller`; the video unless unknown, deleted or vanished. */
  poll(id: string, caller: string): VideoRecord | undefined {
    const video = this.videos.get(id);
    if (video) video.polls++;
    const found = this.visible(id);
    this.calls.countPoll(id, caller, found !== undefined);
    return found;
  }

  setKnobs(patch: unknown): void {
    const next = patchVideoKnobs(this.knobs, patch);
    const timeScale = knobObject(patch, 'knobs').timeScale;
    if (timeScale !== undefined) this.clock.setTimeScale(knobNumber(timeScale, 'timeScale', 1e-6));
    this.knobs = next;
  }

  /** Forces a video: `{status, progress?, error?: {code, message} | null}`, or `{vanish: true}`. */
  force(video: VideoRecord, body: unknown): void {
    const order = knobObject(body, 'body');
    if (order.vanish === true) {
      video.vanishAfterPolls = video.polls;
      return;
    }
    const status = order.status as VideoStatus;
    if (!STATUSES.includes(status)) throw new KnobError(`status must be one of ${STATUSES.join(', ')}`);
    const fallback = { queued: 0, in_progress: 50, completed: 100, failed: this.snapshot(video).progress }[
      status
    ];
    const progress = order.progress === undefined ? fallback : knobNumber(order.progress, 'progress', 0, 100);
    const error = forcedError(order.error, video.script.error);
    video.forced = { at: this.clock.now(), status, progress, error: status === 'failed' ? error : null };
  }

  /** Forgets every video, as a simulator started afresh would. */
  restart(): void {
    this.videos.clear();
  }

  /** Back to the state at construction: no videos, no calls, default knobs. */
  reset(): void {
    this.restart();
    this.calls.clear();
    this.knobs = defaultVideoKnobs(this.options);
    this.random = seededRandom(this.options.seed ?? 1);
    this.clock.setTimeScale(this.options.timeScale ?? 1);
  }
}
