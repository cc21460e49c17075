// What a platform adapter is: pure translation between Taskgate's task life and one upstream protocol.
// Adapters build requests and read responses; the engine does the I/O, the billing and the database work.
import type { TaskStatus } from '../core/task-status.js';

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path and query, appended to the channel's base URL. */
  path: string;
  headers: Record<string, string>;
  /** JSON-encoded by the engine when it is not a string or a Buffer. */
  body?: unknown;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as text, cut at the engine's size limit. */
  text: string;
}

/** What an upstream says about one task at one moment, already mapped to Taskgate's vocabulary. */
export interface Observation {
  status: TaskStatus;
  progress?: string;
  failReason?: string;
  /** Unix milliseconds. */
  startTime?: number;
  finishTime?: number;
  imageUrl?: string;
  videoUrl?: string;
  videoUrls?: string[];
  promptEn?: string;
  description?: string;
  buttons?: unknown[];
  properties?: Record<string, unknown>;
  data?: unknown;
}

/**
 * The answer to a batch status call. `ok: false` means the call told us nothing (never "the tasks vanished").
 * `present` holds every asked id the answer mentioned, readable or not; `absenceIsReliable` is false when some
 * element could not be identified, since that one might have been any of ours.
 */
export type PollReading =
  | { ok: true; observations: Map<string, Observation>; present: Set<string>; absenceIsReliable: boolean }
  | { ok: false; error: string };

/** The answer to a submit. */
export type SubmitReading =
  | {
      kind: 'accepted';
      upstreamId: string;
      /** The upstream's own code (midjourney-proxy: 1, 21, 22). */
      code: number;
      description: string;
      properties: Record<string, unknown>;
      /** State known at once (a modal wait, an upload that is already done). */
      initial?: Observation;
      /** Extra result the client must see (upload URLs). */
      result?: unknown;
    }
  | {
      kind: 'refused';
      /** HTTP status to answer the client with. */
      status: number;
      code: number | string;
      description: string;
      properties: Record<string, unknown>;
      /** The refusal blames the channel (bad key, no account), not the request. */
      channelFault: boolean;
    };

export interface PollTarget {
  upstreamId: string;
  action: string;
}

/** Where a task's media lives upstream (see `PlatformAdapter.mediaSource`). */
export interface MediaLocation {
  url: string;
  /** For upstreams whose content needs the channel's key. */
  headers?: Record<string, string>;
  /** Served when the host names no type. */
  defaultType: string;
}

export interface PlatformAdapter {
  /**
   * Replaces every media URL in a task's stored `data` with `link(ref)`, so clients only ever see Taskgate's signed
   * URLs. A ref (letters, digits, `.`, `_`, `-`) names one file for `mediaSource`, e.g. `0.audio_url`; `source`,
   * when given, is the upstream URL it stands for (a new one gives a new link, so browsers drop their copy).
   */
  rewriteMedia?(data: unknown, link: (ref: string, source?: string) => string): unknown;
  /** The upstream location of a task's media `ref`, or null when the task has no such file. */
  mediaSource?(
    task: { upstreamId: string; data: unknown },
    ref: string,
    channel: { baseUrl: string; key: string },
  ): MediaLocation | null;
  /** Most ids one status call may carry; 1 for upstreams without a batch route. */
  readonly pollBatchSize: number;
  pollRequest(key: string, targets: PollTarget[]): UpstreamRequest;
  readPoll(response: UpstreamResponse, targets: PollTarget[]): PollReading;
  readSubmit(response: UpstreamResponse): SubmitReading;
}
