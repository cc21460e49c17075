// The OpenAI video API as an upstream (reference suno-and-video.md Part 2): a create answers a video object, and
// each video is polled on its own with GET /v1/videos/{id} (no batch route; the engine polls in parallel).
// Pure translation: the engine does the calls, the money and the database.
import { clip, isObject, MAX_UPSTREAM_ID, parseJsonText, str } from '../json.js';
import type { PlatformAdapter, PollReading, SubmitReading, UpstreamResponse } from '../types.js';
import { rewriteVideoMedia, videoMediaSource } from './media.js';
import { retrieveVideoRequest } from './requests.js';
import { readVideoObject, videoData, videoId } from './video-json.js';

/** An OpenAI error object as clients expect it, from whatever the upstream sent. */
export interface OpenAiErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

export function upstreamError(body: unknown, fallback: string, type = 'upstream_error'): OpenAiErrorObject {
  const error = isObject(body) && isObject(body.error) ? body.error : {};
  return {
    message: clip(str(error.message)?.trim() || fallback, 1000),
    type: clip(str(error.type) || type, 100),
    param: str(error.param) ? clip(str(error.param)!, 200) : null,
    code: str(error.code) ? clip(str(error.code)!, 100) : null,
  };
}

function refusal(
  status: number,
  error: OpenAiErrorObject,
  channelFault: boolean,
): Extract<SubmitReading, { kind: 'refused' }> {
  return {
    kind: 'refused',
    status,
    code: error.code ?? error.type,
    description: error.message,
    properties: { error },
    channelFault,
  };
}

function readSubmit(response: UpstreamResponse): SubmitReading {
  const { status } = response;
  const parsed = parseJsonText(response.text);
  const body = parsed.ok ? parsed.value : null;
  const own = (message: string, code: string) => ({ message, type: 'upstream_error', param: null, code });
  if (status === 401 || status === 403) {
    return refusal(
      502,
      own(`the upstream refused the channel's key (HTTP ${status})`, 'upstream_auth'),
      true,
    );
  }
  if (status === 429) {
    // The upstream's own message is kept: it says whose limit it is.
    return refusal(
      429,
      upstreamError(body, 'the upstream is rate limiting this channel', 'rate_limit'),
      true,
    );
  }
  if (status >= 500)
    return refusal(502, own(`the upstream failed (HTTP ${status})`, 'upstream_failed'), true);
  // A 404 or 405 on the create route means the base URL does not lead to a video API: the channel is wrong.
  if (status === 404 || status === 405) {
    return refusal(502, own(`the upstream has no video API here (HTTP ${status})`, 'upstream_failed'), true);
  }
  if (status >= 400) {
    // 400 (bad size, moderation) and the other 4xx: the request's fault, answered with the upstream's own words.
    const fallback = `the upstream refused the request (HTTP ${status})`;
    return refusal(status, upstreamError(body, fallback, 'invalid_request_error'), false);
  }
  if (status < 200 || status >= 300) {
    return refusal(502, own(`the upstream answered HTTP ${status}`, 'upstream_failed'), true);
  }
  if (!parsed.ok || !isObject(body)) {
    const why = parsed.ok ? 'not a JSON object' : parsed.error;
    const message = `the upstream answered something unreadable (HTTP ${status}, ${why})`;
    return refusal(502, own(message, 'upstream_unreadable'), true);
  }
  const upstreamId = videoId(body);
  if (!upstreamId || upstreamId.length > MAX_UPSTREAM_ID) {
    return refusal(502, own('the upstream accepted the video without giving its id', 'upstream_no_id'), true);
  }
  const seen = readVideoObject(body);
  // A video already final at create (failed at once) is left to the first poll, which reads its reason and
  // refunds it like any later failure.
  const initial = seen && seen.status !== 'SUCCESS' && seen.status !== 'FAILURE' ? seen : undefined;
  return {
    kind: 'accepted',
    upstreamId,
    code: 1,
    description: '',
    properties: {},
    initial,
    result: videoData(body),
  };
}

const nothingKnown = (error: string): PollReading => ({ ok: false, error });

function readPoll(response: UpstreamResponse, targets: { upstreamId: string }[]): PollReading {
  const wanted = targets[0]?.upstreamId;
  // One video per call: anything else would make absence meaningless.
  if (!wanted || targets.length !== 1)
    return nothingKnown(`expected one video per call, got ${targets.length}`);
  const parsed = parseJsonText(response.text);
  if (response.status === 404) {
    // Only OpenAI's own "not found" proves absence; a proxy's HTML 404 (a wrong base URL) proves nothing.
    if (parsed.ok && isObject(parsed.value) && isObject(parsed.value.error)) {
      return { ok: true, observations: new Map(), present: new Set(), absenceIsReliable: true };
    }
    return nothingKnown('HTTP 404 without an OpenAI error body');
  }
  // 429, 5xx and anything else: transient, whatever the body says (new-api failed tasks on these).
  if (response.status !== 200) return nothingKnown(`HTTP ${response.status}`);
  if (!parsed.ok) return nothingKnown(parsed.error);
  const body = parsed.value;
  if (!isObject(body)) return nothingKnown('the answer is not a JSON object');
  if (body.status === undefined && body.error !== undefined)
    return nothingKnown('an error body with HTTP 200');
  const id = videoId(body);
  if (id && id !== wanted && str(body.task_id) !== wanted) {
    return nothingKnown(`the answer is about another video (${clip(id, 80)})`);
  }
  const observation = readVideoObject(body);
  // An unknown status is no news: the task stays as it is until it moves or times out.
  const observations = new Map(observation ? [[wanted, observation]] : []);
  return { ok: true, observations, present: new Set([wanted]), absenceIsReliable: true };
}

export const videoAdapter: PlatformAdapter = {
  pollBatchSize: 1,
  pollRequest: (key, targets) => retrieveVideoRequest(key, targets[0]?.upstreamId ?? ''),
  readPoll,
  readSubmit,
  rewriteMedia: rewriteVideoMedia,
  mediaSource: (task, ref, channel) => videoMediaSource(task, ref, channel),
};
