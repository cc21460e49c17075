// The Suno simulator's settings that tests (or `POST /__sim/suno/knobs`) may change at any time.
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
import { sunoFaultToken } from './envelope.js';
import { DEFAULT_SUNO_TIMINGS, type SunoTimings } from './timeline.js';

export interface SunoKnobs {
  /** SECRET_TOKEN: null or empty means no authentication at all. */
  secretToken: string | null;
  /** Require the literal `Bearer <token>` instead of Suno-API's character-set trim. */
  strictBearer: boolean;
  /** Real ms a LYRICS submit blocks before answering. */
  lyricsDelayMs: number;
  /** Origin used in media URLs (e.g. https://cdn1.suno.ai); null: the origin the request came to. */
  mediaBaseUrl: string | null;
  /** Media URLs answer 404, as expired CDN links do. */
  mediaExpired: boolean;
  /** Unrequested tasks added to every `POST /suno/fetch` answer. */
  extraIds: number;
  timings: SunoTimings;
  /** Faults for the submit routes and for the two fetch routes. */
  faults: { submit: FaultRule | null; fetch: FaultRule | null };
}

export interface SunoKnobDefaults {
  secretToken?: string;
  strictBearer?: boolean;
  lyricsDelayMs?: number;
  mediaBaseUrl?: string;
  timings?: Partial<SunoTimings>;
}

export function defaultSunoKnobs(options: SunoKnobDefaults): SunoKnobs {
  return {
    secretToken: options.secretToken || null,
    strictBearer: options.strictBearer ?? false,
    lyricsDelayMs: options.lyricsDelayMs ?? 200,
    mediaBaseUrl: options.mediaBaseUrl ?? null,
    mediaExpired: false,
    extraIds: 0,
    timings: { ...DEFAULT_SUNO_TIMINGS, ...options.timings },
    faults: { submit: null, fetch: null },
  };
}

/** `current` with `patch` applied; throws KnobError naming the first bad setting. */
export function patchSunoKnobs(current: SunoKnobs, patch: unknown): SunoKnobs {
  const next: SunoKnobs = { ...current, faults: { ...current.faults } };
  for (const [key, value] of Object.entries(knobObject(patch, 'knobs'))) {
    switch (key) {
      case 'secretToken':
      case 'mediaBaseUrl':
        next[key] = knobText(value, key);
        break;
      case 'strictBearer':
      case 'mediaExpired':
        next[key] = knobBoolean(value, key);
        break;
      case 'lyricsDelayMs':
      case 'extraIds':
        next[key] = knobNumber(value, key, 0);
        break;
      case 'timings':
        next.timings = knobNumbers(current.timings, value, 'timings', 0);
        if (next.timings.pollSeconds <= 0) throw new KnobError('timings.pollSeconds must be above 0');
        break;
      case 'faults':
        for (const [target, rule] of Object.entries(knobObject(value, 'faults'))) {
          if (target !== 'submit' && target !== 'fetch')
            throw new KnobError('faults targets are submit and fetch');
          next.faults[target] = knobFault(rule, `faults.${target}`, sunoFaultToken);
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
