// A video's media and views, alone: signed links added only to completed videos without losing upstream fields,
// content located on the channel with its key, and client views carrying Taskgate's ids only.
import { describe, expect, it } from 'vitest';
import { videoAdapter } from '../../src/platforms/openai-video/adapter.js';
import { videoObject, videoTaskDto } from '../../src/platforms/openai-video/view.js';
import type { TaskRow } from '../../src/store/schema.js';
import { taskValues } from '../../src/store/tasks.js';

const link = (ref: string) => `https://tg.example/task/media/task_x/${ref}?sig=s`;

describe('rewriteMedia', () => {
  const rewrite = videoAdapter.rewriteMedia!;

  it('adds signed content, thumbnail and spritesheet links to a completed video, keeping every field', () => {
    const data = { object: 'video', status: 'completed', seconds: '8', vendor_field: { a: 1 } };
    expect(rewrite(data, link)).toEqual({
      ...data,
      content_url: link('video'),
      thumbnail_url: link('thumbnail'),
      spritesheet_url: link('spritesheet'),
    });
  });

  it("replaces an upstream's own content_url (raw upstream URLs never reach clients)", () => {
    const rewritten = rewrite(
      { status: 'succeeded', content_url: 'https://cdn.vendor/raw.mp4' },
      link,
    ) as Record<string, unknown>;
    expect(rewritten.content_url).toBe(link('video'));
  });

  it.each([
    ['a running video', { status: 'in_progress', progress: 40 }],
    ['a failed video', { status: 'failed' }],
    ['no object', null],
    ['an array', [1, 2]],
    ['a string', 'completed'],
  ])('leaves %s as it is', (_name, data) => {
    expect(rewrite(data, link)).toEqual(data);
  });
});

describe('mediaSource', () => {
  const source = videoAdapter.mediaSource!;
  const channel = { baseUrl: 'http://upstream.example/', key: 'sk-chan' };

  it.each([
    ['video', 'video/mp4'],
    ['thumbnail', 'image/webp'],
    ['spritesheet', 'image/jpeg'],
  ])('%s comes from the content route with the channel key (%s by default)', (ref, type) => {
    expect(source({ upstreamId: 'video_abc', data: {} }, ref, channel)).toEqual({
      url: `http://upstream.example/v1/videos/video_abc/content?variant=${ref}`,
      headers: { authorization: 'Bearer sk-chan' },
      defaultType: type,
    });
  });

  it.each([
    ['an unknown ref', 'audio', 'video_abc', channel],
    ['an inherited name', 'constructor', 'video_abc', channel],
    ['a task never sent', 'video', '', channel],
    ['a deleted channel', 'video', 'video_abc', { baseUrl: '', key: '' }],
  ])('has nothing for %s', (_name, ref, upstreamId, where) => {
    expect(source({ upstreamId, data: {} }, ref, where)).toBeNull();
  });
});

function row(fields: Partial<TaskRow>): TaskRow {
  return {
    id: 1,
    ...taskValues(
      {
        task_id: 'task_x',
        platform: 'openai-video',
        action: 'textGenerate',
        user_id: 2,
        submit_time: 1_767_225_600_000,
        model: 'sora-2',
        upstream_id: 'video_secret',
        ...fields,
      },
      1_767_225_600_000,
    ),
  } as TaskRow;
}

describe('client views', () => {
  it('a fresh task (no data yet) reads as a queued video from its input', () => {
    const view = videoObject(
      row({ status: 'QUEUED', prompt: 'p', properties: JSON.stringify({ seconds: '8', size: '1280x720' }) }),
      link,
    );
    expect(view).toEqual({
      id: 'task_x',
      task_id: 'task_x',
      object: 'video',
      model: 'sora-2',
      status: 'queued',
      progress: 0,
      created_at: 1_767_225_600,
      completed_at: null,
      expires_at: null,
      seconds: '8',
      size: '1280x720',
      prompt: 'p',
      remixed_from_video_id: null,
      error: null,
    });
  });

  it('a completed task keeps upstream fields, adds links, and shows only public ids', () => {
    const data = {
      object: 'video',
      status: 'completed',
      id: 'video_secret',
      expires_at: 1_767_229_000,
      extra: 'x',
    };
    const view = videoObject(
      row({
        status: 'SUCCESS',
        progress: '100%',
        data: JSON.stringify(data),
        parent_task_id: 'task_origin',
        finish_time: 1_767_225_700_000,
      }),
      link,
    );
    expect(view).toMatchObject({
      id: 'task_x',
      status: 'completed',
      progress: 100,
      completed_at: 1_767_225_700,
      expires_at: 1_767_229_000,
      extra: 'x',
      remixed_from_video_id: 'task_origin',
      content_url: link('video'),
    });
    expect(JSON.stringify(view)).not.toContain('video_secret');
  });

  it("a failure reads as OpenAI's error, with Taskgate's reason (timeouts included)", () => {
    const view = videoObject(
      row({ status: 'FAILURE', fail_reason: 'the task did not finish within 1440 minutes' }),
      link,
    );
    expect(view).toMatchObject({
      status: 'failed',
      error: { code: 'video_generation_failed', message: 'the task did not finish within 1440 minutes' },
    });
    expect(view.content_url).toBeUndefined();
  });

  it("new-api's TaskDto: Taskgate's status, seconds, and the content link once done", () => {
    const done = videoTaskDto(
      row({ status: 'SUCCESS', progress: '100%', finish_time: 1_767_225_700_000 }),
      link,
      'https://tg.example',
    );
    expect(done).toMatchObject({
      task_id: 'task_x',
      action: 'textGenerate',
      status: 'SUCCESS',
      submit_time: 1_767_225_600,
      finish_time: 1_767_225_700,
      start_time: 0,
      result_url: link('video'),
      data: { id: 'task_x', status: 'completed' },
    });
    // Without media forwarding the content route (API key) is the way to the file.
    expect(videoTaskDto(row({ status: 'SUCCESS' }), null, 'https://tg.example').result_url).toBe(
      'https://tg.example/v1/videos/task_x/content',
    );
    expect(videoTaskDto(row({ status: 'IN_PROGRESS' }), link, 'https://tg.example').result_url).toBe('');
  });

  it('tolerates junk in the stored columns', () => {
    const view = videoObject(
      row({ status: 'IN_PROGRESS', progress: 'junk', data: '{not json', properties: '[1]' }),
      link,
    );
    expect(view).toMatchObject({ status: 'in_progress', progress: 0, seconds: '4', size: null });
  });
});
