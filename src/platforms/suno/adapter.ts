// Suno-API as an upstream (reference suno-and-video.md Part 1): submits answer {code, message, data: <id>};
// statuses come in batches from POST /suno/fetch. Pure translation: the engine does the calls and the money.
import { clip, isObject, MAX_UPSTREAM_ID, parseJsonText, str } from '../json.js';
import type {
  PlatformAdapter,
  PollTarget,
  SubmitReading,
  UpstreamRequest,
  UpstreamResponse,
} from '../types.js';
import { rewriteSunoMedia, sunoMediaSource } from './media.js';
import { readSunoTask, sunoTaskId } from './task-json.js';

export type SunoUpstreamAction = 'MUSIC' | 'LYRICS';

/** The error code clients see when the channel, not their request, failed (new-api's). */
export const CHANNEL_FAILURE_CODE = 'fail_to_fetch_task';

export const sunoHeaders = (key: string): Record<string, string> => ({
  'content-type': 'application/json',
  authorization: `Bearer ${key}`,
});

export function sunoSubmitRequest(
  key: string,
  action: SunoUpstreamAction,
  body: Record<string, unknown>,
): UpstreamRequest {
  return { method: 'POST', path: `/suno/submit/${action}`, headers: sunoHeaders(key), body };
}

const refusal = (
  status: number,
  code: string,
  description: string,
  channelFault: boolean,
): SubmitReading => ({ kind: 'refused', status, code, description, properties: {}, channelFault });

function readSubmit(response: UpstreamResponse): SubmitReading {
  const { status } = response;
  if (status === 401 || status === 403) {
    return refusal(
      502,
      CHANNEL_FAILURE_CODE,
      `the upstream refused the channel's key (HTTP ${status})`,
      true,
    );
  }
  // 402 is Suno's "no credits left": the account behind this channel, not the request; another may have some.
  if (status === 402) return refusal(502, CHANNEL_FAILURE_CODE, 'the upstream account has no credits', true);
  if (status === 429) {
    return refusal(429, CHANNEL_FAILURE_CODE, 'the upstream is rate limiting this channel', true);
  }
  if (status >= 500) return refusal(502, CHANNEL_FAILURE_CODE, `the upstream failed (HTTP ${status})`, true);
  const parsed = parseJsonText(response.text);
  if (!parsed.ok || !isObject(parsed.value)) {
    const why = parsed.ok ? 'not a JSON object' : parsed.error;
    return refusal(502, CHANNEL_FAILURE_CODE, `the upstream answered something unreadable (${why})`, true);
  }
  const body = parsed.value;
  const code = str(body.code) ?? '';
  const message = clip(str(body.message) ?? '', 500);
  if (status === 200 && code === 'success') {
    const upstreamId = typeof body.data === 'string' ? body.data.trim() : '';
    if (!upstreamId || upstreamId.length > MAX_UPSTREAM_ID) {
      return refusal(502, CHANNEL_FAILURE_CODE, 'the upstream accepted the task without giving its id', true);
    }
    return { kind: 'accepted', upstreamId, code: 1, description: '', properties: {} };
  }
  if (status === 200 || status < 400) {
    // Suno-API never does this; a chained gateway or a broken proxy can. Nothing was created, so another may try.
    return refusal(502, code || CHANNEL_FAILURE_CODE, message || `unexpected answer (HTTP ${status})`, true);
  }
  // A 4xx with Suno's status line or a validation message: the request's fault, answered as it came.
  return refusal(status, code || 'invalid_request', message || `refused (HTTP ${status})`, false);
}

export const sunoAdapter: PlatformAdapter = {
  pollBatchSize: 500,

  pollRequest(key, targets) {
    return {
      method: 'POST',
      path: '/suno/fetch',
      headers: sunoHeaders(key),
      body: { ids: targets.map((t) => t.upstreamId) },
    };
  },

  readPoll(response, targets: PollTarget[]) {
    if (response.status !== 200) return { ok: false, error: `HTTP ${response.status}` };
    const parsed = parseJsonText(response.text);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    const body = parsed.value;
    if (!isObject(body)) return { ok: false, error: 'the answer is not a JSON object' };
    if (body.code !== 'success') {
      return { ok: false, error: `code ${clip(String(str(body.code) ?? body.code), 100)}` };
    }
    if (!Array.isArray(body.data)) return { ok: false, error: 'data is not an array of tasks' };
    const wanted = new Set(targets.map((t) => t.upstreamId));
    const observations = new Map();
    const present = new Set<string>();
    let absenceIsReliable = true;
    for (const element of body.data) {
      const id = sunoTaskId(element);
      if (!id) absenceIsReliable = false;
      // Ids nobody asked for (a chained gateway's other tasks) are none of ours.
      if (!id || !wanted.has(id)) continue;
      present.add(id);
      const observation = readSunoTask(element);
      if (observation) observations.set(id, observation);
    }
    return { ok: true, observations, present, absenceIsReliable };
  },

  readSubmit,
  rewriteMedia: rewriteSunoMedia,
  mediaSource: (task, ref, channel) => sunoMediaSource(task, ref, channel),
};
