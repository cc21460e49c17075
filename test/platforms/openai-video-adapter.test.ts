// The OpenAI video adapter alone, on every answer an OpenAI-compatible upstream (or something pretending to be
// one) can give: creates are accepted or refused for the request's or the channel's fault; retrieves become
// observations; transient trouble is never news; only OpenAI's own 404 proves a video is gone.
import { describe, expect, it } from 'vitest';
import { videoAdapter } from '../../src/platforms/openai-video/adapter.js';
import type { PollReading, UpstreamResponse } from '../../src/platforms/types.js';

const answer = (status: number, body: unknown): UpstreamResponse => ({
  status,
  headers: {},
  text: typeof body === 'string' ? body : JSON.stringify(body),
});
const video = (fields: Record<string, unknown> = {}) => ({
  id: 'video_abc',
  object: 'video',
  model: 'sora-2',
  status: 'queued',
  progress: 0,
  created_at: 1_760_000_000,
  completed_at: null,
  expires_at: null,
  seconds: '4',
  size: '720x1280',
  remixed_from_video_id: null,
  error: null,
  prompt: 'p',
  ...fields,
});
const openAiError = (message: string, code: string | null, type = 'invalid_request_error') => ({
  error: { message, type, param: null, code },
});
const one = [{ upstreamId: 'video_abc', action: 'textGenerate' }];

describe('readSubmit', () => {
  const read = videoAdapter.readSubmit;

  it('accepts a 200 video object: the upstream id, the first state, and the object without its ids', () => {
    const reading = read(answer(200, video({ remixed_from_video_id: 'video_origin' })));
    expect(reading).toMatchObject({
      kind: 'accepted',
      upstreamId: 'video_abc',
      initial: { status: 'QUEUED', progress: '0%' },
    });
    const result = (reading as { result: Record<string, unknown> }).result;
    expect(result).toMatchObject({ object: 'video', model: 'sora-2', seconds: '4' });
    expect(Object.keys(result)).not.toEqual(expect.arrayContaining(['id']));
    expect(JSON.stringify(result)).not.toContain('video_');
  });

  it('falls back to the legacy task_id', () => {
    const { id: _id, ...legacy } = video();
    expect(read(answer(200, { ...legacy, task_id: 'video_legacy' }))).toMatchObject({
      kind: 'accepted',
      upstreamId: 'video_legacy',
    });
  });

  it('leaves a video that is already final to the first poll (its refund goes through the writer)', () => {
    const reading = read(answer(200, video({ status: 'failed', error: { code: 'x', message: 'no' } })));
    expect(reading).toMatchObject({ kind: 'accepted', upstreamId: 'video_abc' });
    expect((reading as { initial?: unknown }).initial).toBeUndefined();
  });

  it.each([
    [
      'a 400 moderation refusal',
      400,
      openAiError('blocked by moderation', 'moderation_blocked'),
      400,
      'moderation_blocked',
      false,
    ],
    [
      'a 400 bad size',
      400,
      { error: { message: 'bad size', type: 'invalid_request_error', param: 'size', code: 'invalid_value' } },
      400,
      'invalid_value',
      false,
    ],
    ['a 422 without a body', 422, '', 422, 'invalid_request_error', false],
    ['a 401 bad key', 401, openAiError('Incorrect API key', 'invalid_api_key'), 502, 'upstream_auth', true],
    ['a 403', 403, 'Forbidden', 502, 'upstream_auth', true],
    [
      'a 429',
      429,
      openAiError('Rate limit reached', 'rate_limit_exceeded', 'requests'),
      429,
      'rate_limit_exceeded',
      true,
    ],
    ['a 429 with an HTML body', 429, '<html>slow down</html>', 429, 'rate_limit', true],
    ['a 500', 500, openAiError('server error', null, 'server_error'), 502, 'upstream_failed', true],
    ['a 503 HTML page', 503, '<html><body>503</body></html>', 502, 'upstream_failed', true],
    [
      'a 404 (no video API at this base URL)',
      404,
      openAiError('Invalid URL', null),
      502,
      'upstream_failed',
      true,
    ],
    ['a 200 without an id', 200, { object: 'video', status: 'queued' }, 502, 'upstream_no_id', true],
    ['a 200 with an absurd id', 200, video({ id: 'x'.repeat(500) }), 502, 'upstream_no_id', true],
    ['a 200 HTML page', 200, '<!doctype html><p>hi</p>', 502, 'upstream_unreadable', true],
    ['truncated JSON', 200, '{"id":"video_abc","sta', 502, 'upstream_unreadable', true],
    ['an empty 200', 200, '', 502, 'upstream_unreadable', true],
    ['a JSON array', 200, [video()], 502, 'upstream_unreadable', true],
    ['a 302', 302, '', 502, 'upstream_failed', true],
  ])('%s is refused (HTTP %i to the client)', (_name, status, body, clientStatus, code, channelFault) => {
    const reading = read(answer(status, body));
    expect(reading).toMatchObject({ kind: 'refused', status: clientStatus, code, channelFault });
    const error = (reading as { properties: Record<string, unknown> }).properties.error as Record<
      string,
      unknown
    >;
    expect(error).toMatchObject({ message: expect.any(String), type: expect.any(String) });
    expect(String(error.message).length).toBeGreaterThan(0);
  });

  it("passes the upstream's own message on for the request's faults, and never a huge one", () => {
    const reading = read(answer(400, openAiError('x'.repeat(5000), 'moderation_blocked')));
    expect((reading as { description: string }).description.length).toBeLessThanOrEqual(1001);
  });
});

describe('pollRequest', () => {
  it('asks GET /v1/videos/{id} with the channel key, one video per call', () => {
    expect(videoAdapter.pollBatchSize).toBe(1);
    expect(videoAdapter.pollRequest('sk-chan', [{ upstreamId: 'video_a/b', action: 'x' }])).toEqual({
      method: 'GET',
      path: '/v1/videos/video_a%2Fb',
      headers: { authorization: 'Bearer sk-chan' },
    });
  });
});

describe('readPoll', () => {
  const read = (status: number, body: unknown) => videoAdapter.readPoll(answer(status, body), one);
  const observed = (reading: PollReading) => {
    expect(reading.ok).toBe(true);
    return reading.ok ? reading.observations.get('video_abc') : undefined;
  };

  it.each([
    ['queued', 0, 'QUEUED', '0%'],
    ['pending', 0, 'QUEUED', '0%'],
    ['submitted', undefined, 'SUBMITTED', undefined],
    ['in_progress', 42, 'IN_PROGRESS', '42%'],
    ['processing', '57', 'IN_PROGRESS', '57%'],
    ['running', 12.6, 'IN_PROGRESS', '13%'],
    ['IN_PROGRESS', 150, 'IN_PROGRESS', '100%'],
    ['generating', 'lots', 'IN_PROGRESS', undefined],
    ['completed', 100, 'SUCCESS', '100%'],
    ['succeeded', 99, 'SUCCESS', '100%'],
    ['failed', 30, 'FAILURE', '100%'],
    ['cancelled', 0, 'FAILURE', '100%'],
  ])('%s with progress %j → %s %s', (status, progress, expected, percent) => {
    const observation = observed(read(200, video({ status, progress })));
    expect(observation).toMatchObject({ status: expected });
    expect(observation?.progress).toBe(percent);
  });

  it('keeps the video object as data, without upstream ids, and the finish time from completed_at', () => {
    const observation = observed(
      read(
        200,
        video({
          status: 'completed',
          progress: 100,
          completed_at: 1_760_000_100,
          remixed_from_video_id: 'video_o',
        }),
      ),
    );
    expect(observation).toMatchObject({ status: 'SUCCESS', finishTime: 1_760_000_100_000 });
    expect(observation?.data).toMatchObject({
      object: 'video',
      status: 'completed',
      seconds: '4',
      size: '720x1280',
    });
    expect(JSON.stringify(observation?.data)).not.toContain('video_');
  });

  it('bounds what it keeps: base64 payloads are cut', () => {
    const data = observed(read(200, video({ status: 'in_progress', preview: 'A'.repeat(100_000) })))?.data;
    expect(JSON.stringify(data).length).toBeLessThan(10_000);
  });

  it.each([
    ['error.message', { code: 'policy', message: 'Content policy violation' }, 'Content policy violation'],
    ['error.code alone', { code: 'video_generation_failed' }, 'video_generation_failed'],
    ['an error string', 'boom', 'boom'],
    ['no error', null, 'the upstream reported a failure without a reason'],
  ])('a failure reads its reason from %s', (_name, error, reason) => {
    expect(observed(read(200, video({ status: 'failed', error })))?.failReason).toBe(reason);
  });

  it('a cancelled video without a reason says so', () => {
    expect(observed(read(200, video({ status: 'cancelled' })))?.failReason).toBe(
      'the upstream cancelled the video',
    );
  });

  it("OpenAI's 404 proves the video is gone: present empty, absence reliable", () => {
    const reading = read(404, openAiError("Video with id 'video_abc' not found.", 'video_not_found'));
    expect(reading).toEqual({
      ok: true,
      observations: new Map(),
      present: new Set(),
      absenceIsReliable: true,
    });
  });

  it.each([
    ['a 500', 500, openAiError('server error', null, 'server_error')],
    ['a 502 HTML page', 502, '<html><body>Bad gateway</body></html>'],
    ['a 429', 429, openAiError('Rate limit', 'rate_limit_exceeded')],
    ['a 429 with code "429"', 429, openAiError('Too many', '429')],
    ['a 401 (key rotated)', 401, openAiError('Incorrect API key', 'invalid_api_key')],
    ['an HTML 404 from a proxy', 404, '<html>404 Not Found</html>'],
    ['a 404 with plain JSON', 404, { message: 'nope' }],
    ['a 200 HTML page', 200, '<!doctype html>'],
    ['truncated JSON', 200, '{"id":"video_abc","status":"comp'],
    ['an empty 200', 200, ''],
    ['a JSON array', 200, [video()]],
    ['a JSON string', 200, '"completed"'],
    ['an OpenAI error with HTTP 200', 200, openAiError('oops', 'server_error')],
    ['another video', 200, video({ id: 'video_other', status: 'failed' })],
  ])('%s tells nothing (never a failure, never an absence)', (_name, status, body) => {
    expect(read(status, body).ok).toBe(false);
  });

  it.each([
    ['an unknown status', video({ status: 'exploded' })],
    ['no status', { id: 'video_abc', progress: 50 }],
    ['a numeric status', video({ status: 3 })],
    ['wrong types everywhere', { id: 'video_abc', status: ['completed'], progress: {}, error: 7 }],
  ])('%s is present but no news', (_name, body) => {
    const reading = read(200, body);
    expect(reading).toEqual({
      ok: true,
      observations: new Map(),
      present: new Set(['video_abc']),
      absenceIsReliable: true,
    });
  });

  it('accepts the legacy task_id as the video named', () => {
    const { id: _id, ...legacy } = video({ status: 'in_progress', progress: 5 });
    expect(observed(read(200, { ...legacy, task_id: 'video_abc' }))).toMatchObject({ status: 'IN_PROGRESS' });
  });

  it('refuses to read a call that asked about more or fewer than one video', () => {
    const body = answer(200, video());
    expect(videoAdapter.readPoll(body, []).ok).toBe(false);
    expect(videoAdapter.readPoll(body, [...one, { upstreamId: 'video_b', action: 'x' }]).ok).toBe(false);
  });
});
