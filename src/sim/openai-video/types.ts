// The shapes OpenAI's Videos API speaks (reference §2.1) and the simulator's own video records.
import type { FaultRule } from '../common/faults.js';
import type { VideoScript } from './script.js';

export type VideoStatus = 'queued' | 'in_progress' | 'completed' | 'failed';

export interface VideoError {
  code: string;
  message: string;
}

export interface VideoJson {
  id: string;
  object: 'video';
  model: string;
  status: string;
  progress: number;
  created_at: number;
  completed_at: number | null;
  expires_at: number | null;
  seconds: string;
  size: string;
  remixed_from_video_id: string | null;
  error: VideoError | null;
  prompt: string | null;
  /** Legacy field some vendors add (knob `legacyTaskId`). */
  task_id?: string;
}

/** What the create request referred to as its first frame. */
export type InputReference =
  | { kind: 'file'; filename: string | null; contentType: string | null; size: number }
  | { kind: 'image_url'; url: string }
  | { kind: 'file_id'; id: string };

export interface VideoParams {
  prompt: string;
  model: string;
  seconds: string;
  size: string;
  inputReference: InputReference | null;
}

/** A state forced through the control API, shown from `at` (simulated ms) on. */
export interface ForcedVideo {
  at: number;
  status: VideoStatus;
  progress: number;
  error: VideoError | null;
}

export interface VideoRecord extends VideoParams {
  id: string;
  /** Simulated epoch ms. */
  createdAt: number;
  remixOf: string | null;
  script: VideoScript;
  /** GETs of this video (drives `sim:vanish`). */
  polls: number;
  vanishAfterPolls: number | null;
  pollFault: FaultRule | null;
  contentFault: FaultRule | null;
  forced: ForcedVideo | null;
}
