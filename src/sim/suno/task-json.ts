// Tasks as Suno-API's fetch routes show them: the full row for `POST /suno/fetch`, only `data` for
// `GET /suno/fetch/:id`.
import { musicClips } from './clips.js';
import type { MusicSnapshot } from './timeline.js';
import type { LyricsTask, MusicTask, SunoClip, SunoLyrics, SunoTask, SunoTaskJson } from './types.js';

const unixSeconds = (ms: number) => Math.floor(ms / 1000);
const rfc3339 = (ms: number) => new Date(ms).toISOString();

function musicJson(task: MusicTask, snapshot: MusicSnapshot, mediaBase: string): SunoTaskJson {
  const at = (seconds: number | null) =>
    seconds === null ? 0 : unixSeconds(task.submittedAt + seconds * 1000);
  return {
    id: task.rowId,
    created_at: rfc3339(task.submittedAt),
    updated_at: rfc3339(task.submittedAt + snapshot.changedAt * 1000),
    task_id: task.taskId,
    action: 'MUSIC',
    status: snapshot.status,
    fail_reason: snapshot.failReason,
    submit_time: unixSeconds(task.submittedAt),
    start_time: at(snapshot.startedAt),
    finish_time: at(snapshot.finishedAt),
    search_item: '',
    data: musicClips(task, snapshot, mediaBase),
  };
}

function lyricsJson(task: LyricsTask): SunoTaskJson {
  const seconds = unixSeconds(task.submittedAt);
  return {
    id: task.rowId,
    created_at: rfc3339(task.submittedAt),
    updated_at: rfc3339(task.submittedAt),
    task_id: task.taskId,
    action: 'LYRICS',
    status: task.lyrics.status === 'complete' ? 'SUCCESS' : 'FAILURE',
    fail_reason: '',
    submit_time: seconds,
    start_time: seconds,
    finish_time: seconds,
    search_item: '',
    data: task.lyrics,
  };
}

type Snapshots = (task: MusicTask) => MusicSnapshot;

export function taskJson(task: SunoTask, snapshotOf: Snapshots, mediaBase: string): SunoTaskJson {
  return task.action === 'MUSIC' ? musicJson(task, snapshotOf(task), mediaBase) : lyricsJson(task);
}

export function taskData(task: SunoTask, snapshotOf: Snapshots, mediaBase: string): SunoClip[] | SunoLyrics {
  return task.action === 'MUSIC' ? musicClips(task, snapshotOf(task), mediaBase) : task.lyrics;
}
