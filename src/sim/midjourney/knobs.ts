// The simulator's switches: set at creation, changed at run time through POST /__sim/mj/knobs.
import { type FaultRule, FaultRuleError, parseFaultRule } from '../common/faults.js';
import { DEFAULT_PROGRESS_STEPS, DEFAULT_TIMINGS, type Timings } from './timeline.js';

export const FAULT_TARGETS = ['submit', 'fetch', 'listByCondition', 'list', 'queue'] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];

export interface MidjourneyKnobs {
  /** 'P' (plus): buttons, MODAL/21, action/modal/shorten/... routes. 'J': no buttons, plus routes answer 404. */
  mode: 'J' | 'P';
  /** When set, /mj requests need `mj-api-secret: <secret>`, else 401 with an empty body. */
  apiSecret: string | null;
  shuffleListResults: boolean;
  /** Simulated seconds an image URL stays valid. */
  imageUrlTtlSeconds: number;
  bannedWords: string[];
  /** 'submit': J's code 24. 'execution': current T, the task is accepted and then fails "可能包含敏感词". */
  bannedPromptCheck: 'submit' | 'execution';
  /** 23 (J) or 9 (current T) when an account queue is full. */
  queueFullCode: 23 | 9;
  /** How fetch answers an unknown id: 'empty' (J: 200, no body), '204' (T) or '404'. */
  fetchUnknown: 'empty' | '204' | '404';
  /** Global callback URL for tasks submitted without notifyHook (J's mj.notify-hook). */
  notifyHook: string | null;
  /** Send every callback twice. */
  notifyDuplicate: boolean;
  /** Send the callbacks that became due together in reverse order. */
  notifyReorder: boolean;
  notifyTimeoutMs: number;
  /** More ids than this in one list-by-condition answers 500 (T's database IN-clause limit); null: no limit. */
  listByConditionMaxIds: number | null;
  /** Real ms of delay per asked id (J-Redis does a GET per id). */
  listByConditionDelayPerIdMs: number;
  timings: Timings;
  progressSteps: number[];
  /** HTTP faults per target; each rule may be limited to the next `count` requests or to a `rate`. */
  faults: Partial<Record<FaultTarget, FaultRule>>;
  /** How many raw requests the counters keep (the newest ones). */
  requestLogLimit: number;
}

export function defaultKnobs(): MidjourneyKnobs {
  return {
    mode: 'P',
    apiSecret: null,
    shuffleListResults: true,
    imageUrlTtlSeconds: 86_400,
    bannedWords: ['forbiddenword'],
    bannedPromptCheck: 'submit',
    queueFullCode: 23,
    fetchUnknown: 'empty',
    notifyHook: null,
    notifyDuplicate: false,
    notifyReorder: false,
    notifyTimeoutMs: 3000,
    listByConditionMaxIds: null,
    listByConditionDelayPerIdMs: 0,
    timings: { ...DEFAULT_TIMINGS },
    progressSteps: [...DEFAULT_PROGRESS_STEPS],
    faults: {},
    requestLogLimit: 1000,
  };
}

export class KnobError extends Error {}

function fail(key: string, expected: string): never {
  throw new KnobError(`knob ${key} must be ${expected}`);
}

function oneOf<T>(key: string, allowed: readonly T[]) {
  return (value: unknown): T =>
    allowed.includes(value as T) ? (value as T) : fail(key, allowed.join(' | '));
}

function bool(key: string) {
  return (value: unknown): boolean => (typeof value === 'boolean' ? value : fail(key, 'a boolean'));
}

function count(key: string) {
  return (value: unknown): number =>
    Number.isFinite(value) && (value as number) >= 0 ? (value as number) : fail(key, 'a number >= 0');
}

function stringOrNull(key: string) {
  return (value: unknown): string | null =>
    value === null || (typeof value === 'string' && value !== '')
      ? (value as string | null)
      : fail(key, 'a string or null');
}

function words(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((w) => typeof w === 'string' && w.trim() !== '')) {
    fail('bannedWords', 'an array of words');
  }
  return value.map((w: string) => w.trim());
}

function steps(value: unknown): number[] {
  const ok =
    Array.isArray(value) &&
    value.every((p, i) => Number.isInteger(p) && p >= 0 && p < 100 && (i === 0 || p >= value[i - 1]));
  return ok ? [...(value as number[])] : fail('progressSteps', 'ascending whole percentages below 100');
}

function timings(value: unknown, current: Timings): Timings {
  if (typeof value !== 'object' || value === null) fail('timings', 'an object');
  const next = { ...current };
  for (const [key, ms] of Object.entries(value as Record<string, unknown>)) {
    if (!Object.hasOwn(next, key)) fail(`timings.${key}`, `one of ${Object.keys(next).join(', ')}`);
    next[key as keyof Timings] = count(`timings.${key}`)(ms);
  }
  return next;
}

function faults(value: unknown, current: MidjourneyKnobs['faults']): MidjourneyKnobs['faults'] {
  if (typeof value !== 'object' || value === null) fail('faults', 'an object keyed by target');
  const next = { ...current };
  for (const [target, rule] of Object.entries(value as Record<string, unknown>)) {
    if (!(FAULT_TARGETS as readonly string[]).includes(target))
      fail('faults', `keyed by ${FAULT_TARGETS.join(', ')}`);
    try {
      if (rule === null) delete next[target as FaultTarget];
      else next[target as FaultTarget] = parseFaultRule(rule);
    } catch (error) {
      if (error instanceof FaultRuleError) throw new KnobError(`faults.${target}: ${error.message}`);
      throw error;
    }
  }
  return next;
}

type Parsers = {
  [K in keyof MidjourneyKnobs]: (value: unknown, current: MidjourneyKnobs) => MidjourneyKnobs[K];
};

const PARSERS: Parsers = {
  mode: oneOf('mode', ['J', 'P'] as const),
  apiSecret: stringOrNull('apiSecret'),
  shuffleListResults: bool('shuffleListResults'),
  imageUrlTtlSeconds: count('imageUrlTtlSeconds'),
  bannedWords: words,
  bannedPromptCheck: oneOf('bannedPromptCheck', ['submit', 'execution'] as const),
  queueFullCode: oneOf('queueFullCode', [23, 9] as const),
  fetchUnknown: oneOf('fetchUnknown', ['empty', '204', '404'] as const),
  notifyHook: stringOrNull('notifyHook'),
  notifyDuplicate: bool('notifyDuplicate'),
  notifyReorder: bool('notifyReorder'),
  notifyTimeoutMs: count('notifyTimeoutMs'),
  listByConditionMaxIds: (v) => (v === null ? null : count('listByConditionMaxIds')(v)),
  listByConditionDelayPerIdMs: count('listByConditionDelayPerIdMs'),
  timings: (v, current) => timings(v, current.timings),
  progressSteps: steps,
  faults: (v, current) => faults(v, current.faults),
  requestLogLimit: count('requestLogLimit'),
};

/** A copy of `current` with the patch's knobs validated and applied; throws KnobError on any bad key. */
export function applyKnobs(current: MidjourneyKnobs, patch: Record<string, unknown>): MidjourneyKnobs {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(PARSERS, key)) throw new KnobError(`unknown knob ${key}`);
    next[key] = PARSERS[key as keyof MidjourneyKnobs](value, current);
  }
  return next as unknown as MidjourneyKnobs;
}
