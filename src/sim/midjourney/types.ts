// The shapes midjourney-proxy speaks (section 1 of the reference) and the simulator's own task record.
import type { FaultRule } from '../common/faults.js';
import type { Outcome } from './directives.js';
import type { Profile, TimelineEvent } from './timeline.js';

export type TaskStatus = 'NOT_START' | 'SUBMITTED' | 'MODAL' | 'IN_PROGRESS' | 'SUCCESS' | 'FAILURE';

export const TASK_STATUSES: readonly TaskStatus[] = [
  'NOT_START',
  'SUBMITTED',
  'MODAL',
  'IN_PROGRESS',
  'SUCCESS',
  'FAILURE',
];

export type TaskAction =
  | 'IMAGINE'
  | 'UPSCALE'
  | 'VARIATION'
  | 'REROLL'
  | 'DESCRIBE'
  | 'BLEND'
  | 'ZOOM'
  | 'PAN'
  | 'SHORTEN'
  | 'SWAP_FACE'
  | 'VIDEO'
  | 'EDIT';

export interface MjButton {
  customId: string;
  emoji: string;
  label: string;
  type: number;
  style: number;
}

/** The Task JSON: J's 14 keys (nulls included), `buttons` in plus mode, video fields on VIDEO tasks. */
export interface MjTaskJson {
  id: string;
  action: TaskAction;
  status: TaskStatus;
  prompt: string | null;
  promptEn: string | null;
  description: string | null;
  state: string | null;
  submitTime: number;
  startTime: number | null;
  finishTime: number | null;
  imageUrl: string | null;
  progress: string | null;
  failReason: string | null;
  properties: Record<string, unknown>;
  buttons?: MjButton[];
  videoUrl?: string | null;
  videoUrls?: Array<{ url: string }>;
}

export interface SubmitResult {
  code: number;
  description: string;
  result: string | string[] | null;
  properties: Record<string, unknown>;
}

/** One task as the simulator keeps it: what was asked, and the script its life follows. */
export interface SimTask {
  id: string;
  action: TaskAction;
  accountId: string;
  prompt: string | null;
  promptEn: string | null;
  description: string;
  state: string | null;
  submitTime: number;
  notifyHook: string | null;
  nonce: string;
  /** The job hash Midjourney would put in file names and customIds. */
  hash: string;
  profile: Profile;
  outcome: Outcome;
  /** Properties known at creation besides notifyHook/nonce/discordInstanceId (e.g. referencedMessageId). */
  extraProperties: Record<string, unknown>;
  /** The prompt as Midjourney echoes it (for DESCRIBE the numbered candidates, for SHORTEN the analysis). */
  finalPrompt: string;
  /** DESCRIBE's candidate prompts or SHORTEN's shortened ones (they label the buttons). */
  candidates: string[];
  /** Image URLs uploaded with the submit (imagine references, describe source, blend inputs). */
  uploads: string[];
  parentId: string | null;
  /** For a MODAL task: the button that opened the modal. */
  customId: string | null;
  /** When the task entered its account queue; null while it waits for /submit/modal. */
  enqueuedAt: number | null;
  /** When a worker slot took it (the timeline's zero); null while queued. */
  dispatchedAt: number | null;
  events: TimelineEvent[];
  /** When it frees its worker slot (simulated ms); Infinity when it never does. */
  endsAt: number;
  vanishAfterPolls: number | null;
  pollsSeen: number;
  pollFault: FaultRule | null;
  /** A state forced through the control API: from `at` on, the task shows exactly `view`. */
  forced: { at: number; view: MjTaskJson } | null;
  /** Simulated time up to which notify callbacks were sent. */
  notifiedUpTo: number;
}
