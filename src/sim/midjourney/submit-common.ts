// What every submit route shares: fault and directive handling around the route's own work, the checks
// J runs on prompts and images, and creating + queueing a task with the right answer code.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Answer, FaultRule } from '../common/faults.js';
import { type Directives, parseDirectives } from './directives.js';
import { isObject } from './http.js';
import { accepted, modalWait, queueFull, rejection, springError } from './results.js';
import type { MidjourneySimState, TaskFields } from './state.js';
import type { SubmitResult } from './types.js';

export type SubmitBody = Record<string, unknown>;

/** Submits carry base64 images: allow far more than Fastify's 1 MiB default. */
export const SUBMIT_BODY_LIMIT = 32 * 1024 * 1024;
export type SubmitHandler = (body: SubmitBody, directives: Directives) => Answer;

export function ok(result: SubmitResult): Answer {
  return { status: 200, body: result };
}

/** A JSON string field, trimmed; numbers are coerced as Jackson does; anything else counts as absent. */
export function text(body: SubmitBody, key: string): string | null {
  const value = body[key];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? value.trim() : null;
}

/** The callback URL a new task keeps: its own, else the global knob (J resolves it at creation). */
export function notifyHookOf(body: SubmitBody, state: MidjourneySimState): string | null {
  const own = text(body, 'notifyHook');
  return own ? own : state.knobs.notifyHook;
}

export function stateOf(body: SubmitBody): string | null {
  return typeof body.state === 'string' ? body.state : null;
}

const DATA_URL = /^data:(image\/[\w.+-]+);base64,[A-Za-z0-9+/=\s]+$/;

/** The file extension of a base64 data URL, or null when it is not one. */
export function imageExt(dataUrl: unknown): string | null {
  if (typeof dataUrl !== 'string') return null;
  const match = DATA_URL.exec(dataUrl);
  if (!match) return null;
  const subtype = match[1].slice('image/'.length);
  return subtype === 'jpeg' ? 'jpg' : subtype.replace(/\W.*$/, '');
}

/** The banned word found in a prompt (whole word, any case), with the list's own casing. */
export function bannedWordIn(prompt: string, words: string[]): string | null {
  for (const word of words) {
    const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, 'iu').test(prompt)) return word;
  }
  return null;
}

/** Stores a task and queues it (or leaves it waiting for /submit/modal), answering with the proxy's code. */
export function submitTask(
  state: MidjourneySimState,
  build: (id: string, now: number) => TaskFields,
  options: { modal?: boolean } = {},
): SubmitResult {
  const task = state.addTask(build);
  if (options.modal) return modalWait(task.id, task.accountId, task.finalPrompt);
  const ahead = state.enqueue(task);
  if (ahead === null) return queueFull(task.accountId, state.knobs.queueFullCode);
  return accepted(task.id, task.accountId, ahead);
}

/**
 * Runs a submit route: picks the fault for this request (the prompt's own first, then the knobs), then
 * answers a non-object body with 400, a `sim:reject` with its code, and anything else with `handle`.
 */
export function runSubmit(
  state: MidjourneySimState,
  request: FastifyRequest,
  reply: FastifyReply,
  handle: SubmitHandler,
): Promise<FastifyReply> {
  const body = request.body;
  const directives = isObject(body) ? parseDirectives(body.prompt, body.state) : parseDirectives();
  const slow: FaultRule | null =
    directives.submitDelayMs > 0 ? { kind: 'slow', delayMs: directives.submitDelayMs } : null;
  const fault = directives.submitFault ?? slow ?? state.takeFault('submit');
  return state.faults.answer(request, reply, fault, () => {
    if (!isObject(body))
      return { status: 400, body: springError(400, request.url.split('?')[0], state.now()) };
    if (directives.rejectCode !== null) {
      const accountId = state.chooseAccount()?.config.id ?? '';
      return ok(rejection(directives.rejectCode, accountId, text(body, 'prompt') ?? ''));
    }
    return handle(body, directives);
  });
}
