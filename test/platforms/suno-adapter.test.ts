// The Suno adapter alone, on every answer Suno-API (or something pretending to be it) can give: submits are
// accepted, refused for the request's fault or for the channel's; fetch answers become observations, and
// nothing hostile throws or invents a status.
import { describe, expect, it } from 'vitest';
import { sunoAdapter, sunoSubmitRequest } from '../../src/platforms/suno/adapter.js';
import type { PollReading, UpstreamResponse } from '../../src/platforms/types.js';

const answer = (status: number, body: unknown): UpstreamResponse => ({
  status,
  headers: {},
  text: typeof body === 'string' ? body : JSON.stringify(body),
});
const envelope = (data: unknown, code = 'success') => ({ code, message: '', data });
const targets = (...ids: string[]) => ids.map((upstreamId) => ({ upstreamId, action: 'song' }));

describe('requests', () => {
  it('submits to /suno/submit/{ACTION} and fetches in one POST /suno/fetch, with the key as Bearer', () => {
    expect(sunoSubmitRequest('k1', 'MUSIC', { prompt: 'x' })).toEqual({
      method: 'POST',
      path: '/suno/submit/MUSIC',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k1' },
      body: { prompt: 'x' },
    });
    expect(sunoAdapter.pollBatchSize).toBe(500);
    expect(sunoAdapter.pollRequest('k2', targets('a', 'b'))).toEqual({
      method: 'POST',
      path: '/suno/fetch',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k2' },
      body: { ids: ['a', 'b'] },
    });
  });
});

describe('readSubmit', () => {
  const read = sunoAdapter.readSubmit;

  it('accepts HTTP 200 with code success and the upstream id as data', () => {
    expect(read(answer(200, envelope('3f2b9c0e8d4a4e51a1c2b7d9e0f1a2b3')))).toMatchObject({
      kind: 'accepted',
      upstreamId: '3f2b9c0e8d4a4e51a1c2b7d9e0f1a2b3',
    });
  });

  it.each([
    [
      '422 status line',
      422,
      { code: 'invalid_request', message: '422 Unprocessable Entity', data: null },
      422,
      'invalid_request',
    ],
    [
      '400 validation',
      400,
      { code: 'invalid_request', message: 'prompt is empty', data: null },
      400,
      'invalid_request',
    ],
    ['JSON without a code', 413, { message: 'too large' }, 413, 'invalid_request'],
  ])('a %s is the request’s fault, answered with its status', (_name, status, body, client, code) => {
    const reading = read(answer(status, body));
    expect(reading).toMatchObject({ kind: 'refused', status: client, code, channelFault: false });
    if (reading.kind === 'refused') expect(reading.description.length).toBeGreaterThan(0);
  });

  it.each([
    ['401', answer(401, { code: 'invalid_request', message: 'unauthorized secret token', data: null }), 502],
    ['403', answer(403, { code: 'invalid_request', message: '403 Forbidden', data: null }), 502],
    [
      '402 (no credits)',
      answer(402, { code: 'invalid_request', message: '402 Payment Required', data: null }),
      502,
    ],
    ['429', answer(429, { code: 'invalid_request', message: '429 Too Many Requests', data: null }), 429],
    ['500 task failed', answer(500, { code: 'internal_error', message: 'task failed', data: null }), 502],
    ['503 HTML', answer(503, '<html><body>503</body></html>'), 502],
    ['plain-text 404 (a wrong base URL)', answer(404, '404 page not found'), 502],
    ['200 HTML', answer(200, '<!doctype html><title>proxy</title>'), 502],
    ['200 truncated', answer(200, '{"code":"succ'), 502],
    ['200 empty', answer(200, ''), 502],
    ['200 array', answer(200, []), 502],
    ['200 code ≠ success', answer(200, { code: 'fail_to_fetch_task', message: 'busy', data: null }), 502],
    ['200 success without an id', answer(200, envelope(null)), 502],
    ['200 success with an empty id', answer(200, envelope('  ')), 502],
    ['200 success with a numeric id', answer(200, envelope(42)), 502],
    ['200 success with an object id', answer(200, envelope({ id: 'x' })), 502],
  ])('a %s blames the channel', (_name, response, status) => {
    expect(read(response)).toMatchObject({ kind: 'refused', status, channelFault: true });
  });

  it('keeps an upstream code and message it can read, cut to a sane length', () => {
    const reading = read(answer(200, { code: 'quota_not_enough', message: 'x'.repeat(5000), data: null }));
    expect(reading).toMatchObject({ kind: 'refused', code: 'quota_not_enough' });
    if (reading.kind === 'refused') expect(reading.description.length).toBeLessThanOrEqual(501);
  });
});

describe('readPoll', () => {
  const read = (response: UpstreamResponse, ...ids: string[]) =>
    sunoAdapter.readPoll(response, targets(...ids));
  const ok = (reading: PollReading) => {
    if (!reading.ok) throw new Error(`not ok: ${reading.error}`);
    return reading;
  };
  const task = (fields: Record<string, unknown>) => ({
    id: 1,
    created_at: '2024-07-03T10:00:00Z',
    updated_at: '2024-07-03T10:00:05Z',
    task_id: 'a',
    action: 'MUSIC',
    status: 'IN_PROGRESS',
    fail_reason: '',
    submit_time: 1719990000,
    start_time: 1719990030,
    finish_time: 0,
    search_item: '',
    data: [],
    ...fields,
  });

  it.each([
    ['HTTP 502', answer(502, envelope([]))],
    ['HTTP 401', answer(401, { code: 'invalid_request', message: 'unauthorized secret token', data: null })],
    ['HTML', answer(200, '<html>oops</html>')],
    ['truncated JSON', answer(200, '{"code":"success","data":[{"task_id":"a"')],
    ['an empty 200', answer(200, '')],
    ['code ≠ success', answer(200, envelope([task({})], 'fail_to_fetch_task'))],
    ['code missing', answer(200, { data: [task({})] })],
    ['data not an array', answer(200, envelope({ clips: [] }))],
    ['data null', answer(200, envelope(null))],
    ['a bare array', answer(200, [task({})])],
    ['a JSON string', answer(200, '"success"')],
  ])('%s tells nothing (never that tasks vanished)', (_name, response) => {
    expect(read(response, 'a')).toMatchObject({ ok: false, error: expect.any(String) });
  });

  it.each([
    ['NOT_START', '0%'],
    ['SUBMITTED', '10%'],
    ['QUEUED', '20%'],
    ['IN_PROGRESS', '50%'],
    ['SUCCESS', '100%'],
    ['FAILURE', '100%'],
    ['in_progress', '50%'],
  ])('status %s reads with progress %s', (status, progress) => {
    const observation = ok(read(answer(200, envelope([task({ status })])), 'a')).observations.get('a');
    expect(observation).toMatchObject({ status: status.toUpperCase(), progress });
  });

  it('one clip complete while the other streams is further along', () => {
    const data = [{ status: 'complete' }, { status: 'streaming' }];
    const reading = ok(read(answer(200, envelope([task({ data })])), 'a'));
    expect(reading.observations.get('a')?.progress).toBe('75%');
  });

  it.each([['UNKNOWN'], ['PAUSED'], [''], [7], [null]])(
    'status %j changes nothing but the task is there (not vanished)',
    (status) => {
      const reading = ok(read(answer(200, envelope([task({ status })])), 'a'));
      expect(reading.observations.has('a')).toBe(false);
      expect(reading.present.has('a')).toBe(true);
      expect(reading.absenceIsReliable).toBe(true);
    },
  );

  it('times are seconds made milliseconds; zeros and junk stay unknown; data is the clip array', () => {
    const clips = [{ id: 'c0', status: 'streaming', audio_url: 'https://audiopipe.suno.ai/?item_id=c0' }];
    const observation = ok(read(answer(200, envelope([task({ data: clips })])), 'a')).observations.get('a');
    expect(observation).toEqual({
      status: 'IN_PROGRESS',
      progress: '50%',
      failReason: undefined,
      startTime: 1719990030_000,
      finishTime: undefined,
      data: clips,
    });
    const junk = ok(
      read(answer(200, envelope([task({ start_time: 'soon', finish_time: -5, data: 'text' })])), 'a'),
    ).observations.get('a');
    expect(junk).toMatchObject({ startTime: undefined, finishTime: undefined, data: undefined });
  });

  it('lyrics: the lyrics object is the data', () => {
    const lyrics = { id: 'l-1', status: 'complete', title: 'T', text: '[Verse]' };
    const reading = ok(
      read(
        answer(200, envelope([task({ task_id: 'l-1', action: 'LYRICS', status: 'SUCCESS', data: lyrics })])),
        'l-1',
      ),
    );
    expect(reading.observations.get('l-1')).toMatchObject({ status: 'SUCCESS', data: lyrics });
  });

  it.each([
    ['the task’s own reason', { fail_reason: 'time out' }, 'time out'],
    [
      'the first clip error',
      { data: [{ metadata: { error_message: null } }, { metadata: { error_message: 'moderated' } }] },
      'moderated',
    ],
    [
      'a failed lyrics job’s text',
      { data: { id: 'l', status: 'error', text: 'blocked', title: '' } },
      'blocked',
    ],
    ['no reason at all', { data: [{ metadata: null }, 'junk'] }, 'Suno reported a failure without a reason'],
    ['a numeric reason', { fail_reason: 12 }, '12'],
  ])('a FAILURE takes %s as its reason', (_name, fields, reason) => {
    const reading = ok(read(answer(200, envelope([task({ status: 'FAILURE', ...fields })])), 'a'));
    expect(reading.observations.get('a')).toMatchObject({ status: 'FAILURE', failReason: reason });
  });

  it('a long reason is cut', () => {
    const reading = ok(
      read(answer(200, envelope([task({ status: 'FAILURE', fail_reason: 'x'.repeat(10_000) })])), 'a'),
    );
    expect(reading.observations.get('a')!.failReason!.length).toBeLessThanOrEqual(2001);
  });

  it('ids not returned are absent; ids nobody asked for are ignored; the order does not matter', () => {
    const reading = ok(
      read(
        answer(200, envelope([task({ task_id: 'z' }), task({ task_id: 'b', status: 'QUEUED' })])),
        'a',
        'b',
      ),
    );
    expect([...reading.observations.keys()]).toEqual(['b']);
    expect([...reading.present]).toEqual(['b']);
    expect(reading.absenceIsReliable).toBe(true);
  });

  it.each([
    ['a string element', 'junk'],
    ['null', null],
    ['an object without task_id', { status: 'SUCCESS' }],
    ['an empty task_id', { task_id: '', status: 'SUCCESS' }],
  ])('%s in the list makes absence unreliable (it might have been ours)', (_name, element) => {
    const reading = ok(read(answer(200, envelope([element])), 'a'));
    expect(reading.observations.size).toBe(0);
    expect(reading.present.size).toBe(0);
    expect(reading.absenceIsReliable).toBe(false);
  });

  it('a numeric task_id is read as its text', () => {
    const reading = ok(read(answer(200, envelope([task({ task_id: 42, status: 'QUEUED' })])), '42'));
    expect(reading.observations.get('42')?.status).toBe('QUEUED');
  });

  it('an empty list for an empty ask is fine', () => {
    expect(ok(read(answer(200, envelope([]))))).toMatchObject({
      observations: new Map(),
      absenceIsReliable: true,
    });
  });
});
