// `sim:` directives in a Suno submit (prompt, gpt_description_prompt, tags or title) script that task's life.
// Percentages are of the time until the second clip completes (timings.secondClipDoneAt).
//
//   sim:fail@N          both clips turn `error` at N % of the song's timeline (sim:fail = sim:fail@0)
//   sim:error=<reason>  the clips' error_message, hence fail_reason (quote it for spaces); alone: sim:fail@0
//   sim:noreason        failing clips carry no error_message: FAILURE with an empty fail_reason
//   sim:cliperror@K     only clip K (0 or 1) fails: at sim:fail@N when given, else when it would complete
//   sim:status=<word>   the clips report <word> instead of `streaming` (an unknown status: FAILURE)
//   sim:reverse         clip 1 completes before clip 0
//   sim:nostream        QUEUED straight to SUCCESS (start_time stays 0)
//   sim:regress         clip 0 drops back to `queued` for one poll after IN_PROGRESS (QUEUED again)
//   sim:hang[@phase]    stops at submitted|queued|streaming (default streaming) forever, never times out
//   sim:stuck[@phase]   stops there until CHAT_TIME_OUT, then FAILURE "time out"
//   sim:vanish[@N]      returned by N fetches (default 0), then unknown
//   sim:slow=<ms>       the submit answer comes after <ms> of real time (the task exists meanwhile)
//   sim:fault=<kind>    the submit is answered with an HTTP fault (see sunoFaultToken)
//   sim:pollfault=<kind>[@N]  fetches that ask for this task get that fault (only the first N with @N)
//   sim:extra           fetches that return this task also return a task nobody asked for
// For LYRICS: sim:fail/sim:error give a FAILURE lyrics task; sim:hang and sim:stuck make the submit hang.
import { directiveWords, wholeNumber } from '../common/directive-words.js';
import type { FaultRule } from '../common/faults.js';
import { sunoFaultToken } from './envelope.js';

export const CLIP_PHASES = ['submitted', 'queued', 'streaming'] as const;
export type ClipPhase = (typeof CLIP_PHASES)[number];

export interface SunoScript {
  failAtPercent: number | null;
  failReason: string | null;
  clipError: 0 | 1 | null;
  oddStatus: string | null;
  reverse: boolean;
  skipStreaming: boolean;
  regress: boolean;
  /** The phase the clips stop at, and whether Suno-API's timeout still ends the task. */
  freeze: { phase: ClipPhase; timesOut: boolean } | null;
  vanishAfterPolls: number | null;
  submitDelayMs: number;
  submitFault: FaultRule | null;
  pollFault: FaultRule | null;
  extraIds: boolean;
}

const DEFAULT_FAIL_REASON = 'simulated generation failure';

function phaseOf(value: string | undefined): ClipPhase {
  return (CLIP_PHASES as readonly string[]).includes(value ?? '') ? (value as ClipPhase) : 'streaming';
}

function faultWithLimit(value: string | undefined): FaultRule | null {
  const [kind, limit] = (value ?? '').split('@');
  const rule = sunoFaultToken(kind);
  const count = wholeNumber(limit);
  return rule && count !== null ? { ...rule, count } : rule;
}

export function parseSunoScript(...texts: unknown[]): SunoScript {
  const script: SunoScript = {
    failAtPercent: null,
    failReason: DEFAULT_FAIL_REASON,
    clipError: null,
    oddStatus: null,
    reverse: false,
    skipStreaming: false,
    regress: false,
    freeze: null,
    vanishAfterPolls: null,
    submitDelayMs: 0,
    submitFault: null,
    pollFault: null,
    extraIds: false,
  };
  let reasonGiven = false;
  let noReason = false;
  for (const { name, value } of directiveWords(...texts)) {
    switch (name) {
      case 'fail':
        script.failAtPercent = Math.min(100, wholeNumber(value) ?? 0);
        break;
      case 'error':
        if (value) [script.failReason, reasonGiven] = [value, true];
        break;
      case 'noreason':
        noReason = true;
        break;
      case 'cliperror':
        script.clipError = value === '0' ? 0 : 1;
        break;
      case 'status':
        if (value) script.oddStatus = value;
        break;
      case 'reverse':
        script.reverse = true;
        break;
      case 'nostream':
        script.skipStreaming = true;
        break;
      case 'regress':
        script.regress = true;
        break;
      case 'hang':
      case 'stuck':
        script.freeze = { phase: phaseOf(value), timesOut: name === 'stuck' };
        break;
      case 'vanish':
        script.vanishAfterPolls = wholeNumber(value) ?? 0;
        break;
      case 'slow':
        script.submitDelayMs = wholeNumber(value) ?? script.submitDelayMs;
        break;
      case 'fault':
        script.submitFault = sunoFaultToken(value ?? '') ?? script.submitFault;
        break;
      case 'pollfault':
        script.pollFault = faultWithLimit(value) ?? script.pollFault;
        break;
      case 'extra':
        script.extraIds = true;
        break;
    }
  }
  if (reasonGiven && script.failAtPercent === null && script.clipError === null) script.failAtPercent = 0;
  if (noReason) script.failReason = null;
  return script;
}

/** Whether the script makes the task fail (as opposed to succeed, hang or time out). */
export function scriptFails(script: SunoScript): boolean {
  return script.failAtPercent !== null || script.clipError !== null || script.oddStatus !== null;
}
