// The shapes Suno-API speaks (reference §1.4-1.8) and the simulator's own task records.
import type { FaultRule } from '../common/faults.js';
import type { SunoScript } from './script.js';

export type SunoTaskStatus = 'NOT_START' | 'SUBMITTED' | 'QUEUED' | 'IN_PROGRESS' | 'SUCCESS' | 'FAILURE';
export type SunoAction = 'MUSIC' | 'LYRICS';

export interface SunoClipMetadata {
  tags: string;
  prompt: string;
  gpt_description_prompt: string | null;
  audio_prompt_id: string | null;
  history: Array<Record<string, unknown>> | null;
  concat_history: Array<Record<string, unknown>> | null;
  type: string;
  duration: number | null;
  refund_credits: boolean;
  stream: boolean;
  error_type: string | null;
  error_message: string | null;
}

/** Suno-API re-serialises clips from a fixed struct, so every field is always present. */
export interface SunoClip {
  id: string;
  video_url: string;
  audio_url: string;
  image_url: string;
  image_large_url: string;
  is_video_pending: boolean;
  major_model_version: string;
  model_name: string;
  metadata: SunoClipMetadata;
  is_liked: boolean;
  user_id: string;
  display_name: string;
  handle: string;
  is_handle_updated: boolean;
  is_trashed: boolean;
  reaction: null;
  created_at: string;
  status: string;
  title: string;
  play_count: number;
  upvote_count: number;
  is_public: boolean;
}

export interface SunoLyrics {
  id: string;
  status: string;
  title: string;
  text: string;
}

/** A task as `POST /suno/fetch` returns it. */
export interface SunoTaskJson {
  id: number;
  created_at: string;
  updated_at: string;
  task_id: string;
  action: SunoAction;
  status: SunoTaskStatus;
  fail_reason: string;
  submit_time: number;
  start_time: number;
  finish_time: number;
  search_item: string;
  data: SunoClip[] | SunoLyrics;
}

/** The MUSIC submit body after Go-style decoding (absent fields take their zero values). */
export interface MusicRequest {
  gpt_description_prompt: string;
  prompt: string;
  tags: string;
  title: string;
  mv: string;
  make_instrumental: boolean;
  continue_clip_id: string;
  continue_at: number | null;
  task_id: string;
}

/** Clip statuses forced through the control API, shown from `atSeconds` (after submit) on. */
export interface ForcedClips {
  atSeconds: number;
  clipStatuses: [string, string];
  failReason: string | null;
}

interface TaskRecord {
  /** The database row id Suno-API shows as `id`. */
  rowId: number;
  taskId: string;
  /** Simulated epoch ms. */
  submittedAt: number;
  /** Fetches that asked for this task (drives `sim:vanish`). */
  polls: number;
  vanishAfterPolls: number | null;
  pollFault: FaultRule | null;
  /** Every fetch that returns this task also returns an id nobody asked for. */
  extraIds: boolean;
}

export interface MusicTask extends TaskRecord {
  action: 'MUSIC';
  request: MusicRequest;
  clipIds: [string, string];
  script: SunoScript;
  forced: ForcedClips | null;
}

export interface LyricsTask extends TaskRecord {
  action: 'LYRICS';
  lyrics: SunoLyrics;
}

export type SunoTask = MusicTask | LyricsTask;
