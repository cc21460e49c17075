// A video's life as a pure function of simulated time and its script: queued (progress 0), in_progress with
// progress rising steadily to 99, then completed (100, completed_at, expires_at) or failed at a progress.
import type { VideoScript } from './script.js';
import type { ForcedVideo, VideoError, VideoRecord, VideoStatus } from './types.js';

/** Simulated seconds. */
export interface VideoTimings {
  queuedSeconds: number;
  renderBaseSeconds: number;
  renderSecondsPerClipSecond: number;
  /** sora-2-pro renders take this many times longer. */
  proFactor: number;
}

export const DEFAULT_VIDEO_TIMINGS: VideoTimings = {
  queuedSeconds: 10,
  renderBaseSeconds: 20,
  renderSecondsPerClipSecond: 5,
  proFactor: 2,
};

export interface VideoSnapshot {
  status: VideoStatus;
  progress: number;
  /** Simulated epoch ms, or null. */
  completedAt: number | null;
  expiresAt: number | null;
  error: VideoError | null;
}

function renderSeconds(model: string, seconds: string, timings: VideoTimings): number {
  const base = timings.renderBaseSeconds + timings.renderSecondsPerClipSecond * Number(seconds);
  return model.includes('pro') ? base * timings.proFactor : base;
}

function finished(
  status: VideoStatus,
  progress: number,
  at: number,
  ttlSeconds: number,
  error: VideoError | null,
): VideoSnapshot {
  const expiresAt = status === 'completed' ? at + ttlSeconds * 1000 : null;
  return { status, progress, completedAt: at, expiresAt, error };
}

function forcedSnapshot(forced: ForcedVideo, ttlSeconds: number): VideoSnapshot {
  if (forced.status === 'completed' || forced.status === 'failed') {
    return finished(forced.status, forced.progress, forced.at, ttlSeconds, forced.error);
  }
  return {
    status: forced.status,
    progress: forced.progress,
    completedAt: null,
    expiresAt: null,
    error: null,
  };
}

/** The video `now` (simulated epoch ms). */
export function evaluateVideo(
  video: VideoRecord,
  timings: VideoTimings,
  ttlSeconds: number,
  now: number,
): VideoSnapshot {
  if (video.forced && now >= video.forced.at) return forcedSnapshot(video.forced, ttlSeconds);
  const script: VideoScript = video.script;
  const t = (now - video.createdAt) / 1000;
  const start = timings.queuedSeconds;
  const render = renderSeconds(video.model, video.seconds, timings);
  const reachedAt = (percent: number) => (percent === 0 ? 0 : start + (render * percent) / 100);
  if (script.failAtPercent !== null && t >= reachedAt(script.failAtPercent)) {
    const failedAt = video.createdAt + reachedAt(script.failAtPercent) * 1000;
    return finished('failed', script.failAtPercent, failedAt, ttlSeconds, script.error);
  }
  const idle = { completedAt: null, expiresAt: null, error: null };
  if (script.stallAtPercent !== null && t >= reachedAt(script.stallAtPercent)) {
    const status = script.stallAtPercent === 0 ? 'queued' : 'in_progress';
    return { status, progress: script.stallAtPercent, ...idle };
  }
  if (t < start) return { status: 'queued', progress: 0, ...idle };
  if (t < start + render) {
    return {
      status: 'in_progress',
      progress: Math.min(99, Math.floor((100 * (t - start)) / render)),
      ...idle,
    };
  }
  return finished('completed', 100, video.createdAt + (start + render) * 1000, ttlSeconds, null);
}
