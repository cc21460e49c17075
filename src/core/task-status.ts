// Task statuses and which of them are final. Midjourney adds MODAL; the task center adds QUEUED and UNKNOWN.
export const TASK_STATUSES = [
  'NOT_START',
  'SUBMITTED',
  'QUEUED',
  'IN_PROGRESS',
  'MODAL',
  'FAILURE',
  'SUCCESS',
  'UNKNOWN',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TERMINAL_STATUSES: readonly TaskStatus[] = ['SUCCESS', 'FAILURE'];
export const isTerminal = (status: string): boolean => status === 'SUCCESS' || status === 'FAILURE';
export const isTaskStatus = (value: string): value is TaskStatus =>
  (TASK_STATUSES as readonly string[]).includes(value);

/** What the midjourney-proxy `queue` route shows: tasks not yet finished. */
export const MJ_UNFINISHED_STATUSES: readonly TaskStatus[] = [
  'NOT_START',
  'SUBMITTED',
  'MODAL',
  'IN_PROGRESS',
];

export const PLATFORMS = ['midjourney', 'suno', 'openai-video'] as const;
export type Platform = (typeof PLATFORMS)[number];
/** Platforms listed by the task center (`/api/task/*`); Midjourney has its own pages. */
export const TASK_CENTER_PLATFORMS: readonly Platform[] = ['suno', 'openai-video'];

/** Suno actions are `song` and `lyrics`; new-api's upper-case names are accepted as filter aliases. */
export const ACTION_ALIASES: Record<string, string> = { MUSIC: 'song', LYRICS: 'lyrics', music: 'song' };
