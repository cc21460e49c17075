// midjourney-proxy as an upstream: submits answer {code, description, result, properties}; statuses come in
// batches from POST /mj/task/list-by-condition.
import { clip, isObject, MAX_UPSTREAM_ID, parseJsonText, str } from '../json.js';
import type { PlatformAdapter, PollTarget, SubmitReading, UpstreamResponse } from '../types.js';
import { mjTaskId, readMjTask } from './task-json.js';

/** Codes midjourney-proxy uses for "accepted": submitted, waiting for a modal, queued. */
const ACCEPTED = new Set([1, 21, 22]);
const NO_ACCOUNT = '无可用的账号实例';

export const mjHeaders = (key: string): Record<string, string> => ({
  'content-type': 'application/json',
  'mj-api-secret': key,
});

function readSubmit(response: UpstreamResponse): SubmitReading {
  const refusal = (
    status: number,
    code: number,
    description: string,
    channelFault: boolean,
  ): SubmitReading => ({
    kind: 'refused',
    status,
    code,
    description,
    properties: {},
    channelFault,
  });
  if (response.status === 401 || response.status === 403) {
    return refusal(502, 9, `the upstream refused the channel's key (HTTP ${response.status})`, true);
  }
  if (response.status === 429) return refusal(429, 23, 'the upstream is rate limiting this channel', true);
  if (response.status >= 500) return refusal(502, 9, `the upstream failed (HTTP ${response.status})`, true);
  const parsed = parseJsonText(response.text);
  if (!parsed.ok || !isObject(parsed.value)) {
    const why = parsed.ok ? 'not a JSON object' : parsed.error;
    return refusal(
      502,
      9,
      `the upstream answered something unreadable (HTTP ${response.status}, ${why})`,
      true,
    );
  }
  const body = parsed.value;
  const code = typeof body.code === 'number' ? body.code : Number(str(body.code));
  const description = clip(str(body.description) ?? '', 500);
  const properties = isObject(body.properties) ? body.properties : {};
  const answered = response.status >= 200 && response.status < 300;
  // A code that is no whole 32-bit number (1.5, 1e12) is no code midjourney-proxy sends: on a 2xx the task may
  // exist upstream, so the answer is unreadable, never a refusal passed on (or truncated to 1 on the way out).
  if (Number.isFinite(code) && !(Number.isInteger(code) && Math.abs(code) <= 2 ** 31 - 1)) {
    return refusal(502, 9, `the upstream answered HTTP ${response.status} with an invalid code`, true);
  }
  if (answered && ACCEPTED.has(code)) {
    const upstreamId = str(body.result);
    if (Array.isArray(body.result)) {
      // upload-discord-images answers with URLs and creates no upstream task.
      return { kind: 'accepted', upstreamId: '', code, description, properties, result: body.result };
    }
    if (!upstreamId) return refusal(502, 9, 'the upstream accepted the task without giving its id', true);
    if (upstreamId.length > MAX_UPSTREAM_ID)
      return refusal(502, 9, 'the upstream accepted the task with an id too long to track', true);
    return {
      kind: 'accepted',
      upstreamId,
      code,
      description,
      properties,
      initial: code === 21 ? { status: 'MODAL', progress: '0%' } : undefined,
    };
  }
  if (!Number.isFinite(code)) {
    // midjourney-proxy is a Spring app: a body it cannot bind is a plain 400 with Spring's error object and no
    // code. That is the request's fault, not the channel's: another channel would refuse it alike.
    if (response.status === 400) {
      const why = str(body.message) || str(body.error) || 'Bad Request';
      return refusal(400, 4, `the upstream refused the request: ${clip(why, 200)}`, false);
    }
    return refusal(502, 9, `the upstream answered HTTP ${response.status} without a code`, true);
  }
  return {
    kind: 'refused',
    // midjourney-proxy answers refusals with HTTP 200 and the reason in `code`; clients expect the same.
    status: response.status >= 400 ? response.status : 200,
    // A success code on an answer that is not a success (a 4xx saying code 1) must not read as one to the client.
    code: ACCEPTED.has(code) ? 9 : code,
    description: description || `refused with code ${code}`,
    properties,
    channelFault: code === 3 && description.includes(NO_ACCOUNT),
  };
}

export const midjourneyAdapter: PlatformAdapter = {
  pollBatchSize: 500,

  pollRequest(key, targets) {
    return {
      method: 'POST',
      path: '/mj/task/list-by-condition',
      headers: mjHeaders(key),
      body: { ids: targets.map((t) => t.upstreamId) },
    };
  },

  readPoll(response, targets: PollTarget[]) {
    if (response.status !== 200) return { ok: false, error: `HTTP ${response.status}` };
    const parsed = parseJsonText(response.text);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    if (!Array.isArray(parsed.value)) return { ok: false, error: 'the answer is not a JSON array' };
    const wanted = new Set(targets.map((t) => t.upstreamId));
    const observations = new Map();
    const present = new Set<string>();
    let absenceIsReliable = true;
    for (const element of parsed.value) {
      const id = mjTaskId(element);
      if (!id) absenceIsReliable = false;
      if (!id || !wanted.has(id)) continue;
      present.add(id);
      const observation = readMjTask(element);
      if (observation) observations.set(id, observation);
    }
    return { ok: true, observations, present, absenceIsReliable };
  },

  readSubmit,
};
