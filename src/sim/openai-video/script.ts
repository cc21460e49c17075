// `sim:` directives in a video prompt script that video's life (same grammar as the other simulators):
//
//   sim:fail@N            fails when progress reaches N % (sim:fail = sim:fail@0: failed at once)
//   sim:error=<message>   error.message (quote it for spaces); alone: sim:fail@0
//   sim:code=<code>       error.code (default video_generation_failed)
//   sim:noerror           fails without an `error` object
//   sim:hang              stays in_progress forever, progress stalled at 50
//   sim:stuck@N           progress stops at N % forever (sim:stuck@0 stays queued)
//   sim:vanish[@N]        returned by N retrieves (default 0), then 404
//   sim:slow=<ms>         the create (or remix) answer comes after <ms> of real time; the video exists meanwhile
//   sim:fault=<kind>      the create (or remix) is answered with an HTTP fault (see videoFaultToken)
//   sim:pollfault=<kind>[@N]     retrieves of this video get that fault (only the first N with @N)
//   sim:contentfault=<kind>[@N]  downloads of its content get that fault (`truncated` cuts the bytes)
import { directiveWords, wholeNumber } from '../common/directive-words.js';
import type { FaultRule } from '../common/faults.js';
import { videoFaultToken } from './errors.js';

export interface VideoScript {
  failAtPercent: number | null;
  /** The `error` of a failed video; null: failed without one. */
  error: { code: string; message: string } | null;
  stallAtPercent: number | null;
  vanishAfterPolls: number | null;
  submitDelayMs: number;
  submitFault: FaultRule | null;
  pollFault: FaultRule | null;
  contentFault: FaultRule | null;
}

const HANG_STALL_PERCENT = 50;

function faultWithLimit(value: string | undefined): FaultRule | null {
  const [kind, limit] = (value ?? '').split('@');
  const rule = videoFaultToken(kind);
  const count = wholeNumber(limit);
  return rule && count !== null ? { ...rule, count } : rule;
}

export function parseVideoScript(prompt: string): VideoScript {
  const script: VideoScript = {
    failAtPercent: null,
    error: { code: 'video_generation_failed', message: 'Video generation failed (simulated).' },
    stallAtPercent: null,
    vanishAfterPolls: null,
    submitDelayMs: 0,
    submitFault: null,
    pollFault: null,
    contentFault: null,
  };
  let messageGiven = false;
  let noError = false;
  for (const { name, value } of directiveWords(prompt)) {
    const error = script.error ?? { code: '', message: '' };
    switch (name) {
      case 'fail':
        script.failAtPercent = Math.min(100, wholeNumber(value) ?? 0);
        break;
      case 'error':
        if (value) [script.error, messageGiven] = [{ ...error, message: value }, true];
        break;
      case 'code':
        if (value) script.error = { ...error, code: value };
        break;
      case 'noerror':
        noError = true;
        break;
      case 'hang':
        script.stallAtPercent = HANG_STALL_PERCENT;
        break;
      case 'stuck':
        script.stallAtPercent = Math.min(99, wholeNumber(value) ?? 0);
        break;
      case 'vanish':
        script.vanishAfterPolls = wholeNumber(value) ?? 0;
        break;
      case 'slow':
        script.submitDelayMs = wholeNumber(value) ?? script.submitDelayMs;
        break;
      case 'fault':
        script.submitFault = videoFaultToken(value ?? '') ?? script.submitFault;
        break;
      case 'pollfault':
        script.pollFault = faultWithLimit(value) ?? script.pollFault;
        break;
      case 'contentfault':
        script.contentFault = faultWithLimit(value) ?? script.contentFault;
        break;
    }
  }
  if (messageGiven && script.failAtPercent === null) script.failAtPercent = 0;
  if (noError) script.error = null;
  return script;
}
