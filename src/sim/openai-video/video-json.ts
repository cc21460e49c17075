// Video objects as the API returns them (reference §2.1.2).
import type { VideoKnobs } from './knobs.js';
import type { VideoSnapshot } from './timeline.js';
import type { VideoJson, VideoRecord, VideoStatus } from './types.js';

const SYNONYMS: Record<VideoStatus, string> = {
  queued: 'pending',
  in_progress: 'processing',
  completed: 'succeeded',
  failed: 'cancelled',
};

const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

export function videoJson(video: VideoRecord, snapshot: VideoSnapshot, knobs: VideoKnobs): VideoJson {
  const json: VideoJson = {
    id: video.id,
    object: 'video',
    model: video.model,
    status: knobs.statusSynonyms ? SYNONYMS[snapshot.status] : snapshot.status,
    progress: snapshot.progress,
    created_at: Math.floor(video.createdAt / 1000),
    completed_at: seconds(snapshot.completedAt),
    expires_at: seconds(snapshot.expiresAt),
    seconds: video.seconds,
    size: video.size,
    remixed_from_video_id: video.remixOf,
    error: snapshot.status === 'failed' ? snapshot.error : null,
    prompt: video.prompt,
  };
  if (knobs.legacyTaskId) json.task_id = video.id;
  return json;
}
