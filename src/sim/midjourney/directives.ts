// `sim:` directives: words in a submit's prompt (or in its `state`, for submits without a prompt) that script
// what the simulated upstream does with that one task. They stay in the prompt, as any prompt text would.
//
//   sim:fail@N          progress runs to the first step >= N %, then the task fails one step later;
//                       sim:fail@0 fails at once when the task is sent (NOT_START -> FAILURE)
//   sim:error=<reason>  the failReason (quote it to use spaces: sim:error="[Queue full] busy");
//                       alone it means sim:fail@0
//   sim:hang            the task reaches IN_PROGRESS and stays there forever (no timeout)
//   sim:stuck@N         progress stops at the first step >= N % until the account timeout ("任务超时")
//   sim:vanish[@N]      the task is returned by N polls (fetch or list-by-condition; default 0), then is gone
//   sim:slow=<ms>       the submit answer comes after <ms> of real time
//   sim:fault=<kind>    the submit is answered with an HTTP fault: html, truncated, empty, hang, reset,
//                       nonarray, 5xx, a status such as 503, or slow-<ms>
//   sim:pollfault=<kind>[@N]  every fetch of this task, and every list-by-condition asking for it, is
//                       answered with that fault (only the first N polls with @N)
//   sim:reject=<code>   the submit is refused with that midjourney-proxy code (3, 4, 9, 23 or 24)
import { directiveWords, wholeNumber } from '../common/directive-words.js';
import { type FaultRule, parseFaultToken } from '../common/faults.js';

export type Outcome =
  | { kind: 'success' }
  | { kind: 'fail'; atPercent: number; reason: string | null }
  | { kind: 'stuck'; atPercent: number; reason: string | null }
  | { kind: 'hang' };

export interface Directives {
  outcome: Outcome;
  vanishAfterPolls: number | null;
  submitDelayMs: number;
  submitFault: FaultRule | null;
  pollFault: FaultRule | null;
  rejectCode: number | null;
}

interface Collected {
  failAt: number | null;
  stuckAt: number | null;
  hang: boolean;
  reason: string | null;
  directives: Directives;
}

function apply(name: string, value: string | undefined, into: Collected): void {
  const d = into.directives;
  switch (name) {
    case 'fail':
      into.failAt = wholeNumber(value) ?? into.failAt;
      break;
    case 'error':
      if (value) into.reason = value;
      break;
    case 'hang':
      into.hang = true;
      break;
    case 'stuck':
      into.stuckAt = wholeNumber(value) ?? into.stuckAt;
      break;
    case 'vanish':
      d.vanishAfterPolls = wholeNumber(value) ?? 0;
      break;
    case 'slow':
      d.submitDelayMs = wholeNumber(value) ?? d.submitDelayMs;
      break;
    case 'fault':
      d.submitFault = value ? (parseFaultToken(value) ?? d.submitFault) : d.submitFault;
      break;
    case 'pollfault': {
      const [kind, limit] = (value ?? '').split('@');
      const rule = parseFaultToken(kind);
      const count = wholeNumber(limit);
      if (rule) d.pollFault = count === null ? rule : { ...rule, count };
      break;
    }
    case 'reject':
      d.rejectCode = wholeNumber(value) ?? d.rejectCode;
      break;
  }
}

function outcomeOf(c: Collected): Outcome {
  if (c.hang) return { kind: 'hang' };
  if (c.stuckAt !== null) return { kind: 'stuck', atPercent: c.stuckAt, reason: c.reason };
  if (c.failAt !== null) return { kind: 'fail', atPercent: c.failAt, reason: c.reason };
  if (c.reason !== null) return { kind: 'fail', atPercent: 0, reason: c.reason };
  return { kind: 'success' };
}

/** Reads the directives of every given text (later ones win). */
export function parseDirectives(...texts: unknown[]): Directives {
  const collected: Collected = {
    failAt: null,
    stuckAt: null,
    hang: false,
    reason: null,
    directives: {
      outcome: { kind: 'success' },
      vanishAfterPolls: null,
      submitDelayMs: 0,
      submitFault: null,
      pollFault: null,
      rejectCode: null,
    },
  };
  for (const { name, value } of directiveWords(...texts)) apply(name, value, collected);
  collected.directives.outcome = outcomeOf(collected);
  return collected.directives;
}
