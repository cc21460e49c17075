// The video simulator's settings that tests (or `POST /__sim/video/knobs`) may change at any time.
import type { FaultRule } from '../common/faults.js';
import {
  KnobError,
  knobBoolean,
  knobFault,
  knobNumber,
  knobNumbers,
  knobObject,
  knobText,
} from '../common/knob-checks.js';
import { videoFaultToken } from './errors.js';
import { DEFAULT_VIDEO_TIMINGS, type VideoTimings } from './timeline.js';

const FAULT_TARGETS = ['submit', 'fetch', 'content'] as const;
type FaultTarget = (typeof FAULT_TARGETS)[number];

export interface VideoKnobs {
  /** Required as `Authorization: Bearer <apiKey>`; null: no authentication. */
  apiKey: string | null;
  /** How long content stays downloadable after completion (expires_at - completed_at). */
  contentTtlSeconds: number;
  timings: VideoTimings;
  /** HTTP status of a content download before completion (400 or 404). */
  contentNotReadyStatus: number;
  /** Sent as the `openai-poll-after-ms` header on create and retrieve; null: not sent. */
  pollAfterMs: number | null;
  /** Adds a legacy `task_id` (equal to `id`) to video objects. */
  legacyTaskId: boolean;
  /** Vendor-style statuses (pending, processing, succeeded, cancelled) instead of OpenAI's four. */
  statusSynonyms: boolean;
  /** Refuse parameters the endpoint does not know, as OpenAI does. */
  strictParams: boolean;
  /** Faults for create and remix (submit), retrieve (fetch), and content downloads. */
  faults: Record<FaultTarget, FaultRule | null>;
}

export interface VideoKnobDefaults {
  apiKey?: string;
  contentTtlSeconds?: number;
  timings?: Partial<VideoTimings>;
}

export function defaultVideoKnobs(options: VideoKnobDefaults): VideoKnobs {
  return {
    apiKey: options.apiKey || null,
    contentTtlSeconds: options.contentTtlSeconds ?? 3600,
    timings: { ...DEFAULT_VIDEO_TIMINGS, ...options.timings },
    contentNotReadyStatus: 400,
    pollAfterMs: null,
    legacyTaskId: false,
    statusSynonyms: false,
    strictParams: true,
    faults: { submit: null, fetch: null, content: null },
  };
}

/** `current` with `patch` applied; throws KnobError naming the first bad setting. */
export function patchVideoKnobs(current: VideoKnobs, patch: unknown): VideoKnobs {
  const next: VideoKnobs = { ...current, faults: { ...current.faults } };
  for (const [key, value] of Object.entries(knobObject(patch, 'knobs'))) {
    switch (key) {
      case 'apiKey':
        next.apiKey = knobText(value, key);
        break;
      case 'contentTtlSeconds':
        next.contentTtlSeconds = knobNumber(value, key, 0);
        break;
      case 'timings':
        next.timings = knobNumbers(current.timings, value, 'timings', 0);
        break;
      case 'contentNotReadyStatus':
        if (value !== 400 && value !== 404) throw new KnobError('contentNotReadyStatus must be 400 or 404');
        next.contentNotReadyStatus = value;
        break;
      case 'pollAfterMs':
        next.pollAfterMs = value === null ? null : knobNumber(value, key, 0);
        break;
      case 'legacyTaskId':
      case 'statusSynonyms':
      case 'strictParams':
        next[key] = knobBoolean(value, key);
        break;
      case 'faults':
        for (const [target, rule] of Object.entries(knobObject(value, 'faults'))) {
          if (!(FAULT_TARGETS as readonly string[]).includes(target)) {
            throw new KnobError(`faults targets are ${FAULT_TARGETS.join(', ')}`);
          }
          next.faults[target as FaultTarget] = knobFault(rule, `faults.${target}`, videoFaultToken);
        }
        break;
      case 'timeScale':
        break; // applied to the clock by the caller
      default:
        throw new KnobError(`${key} is not a known setting`);
    }
  }
  return next;
}
