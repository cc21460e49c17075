// The one merge rule for polls and pushes: what an observation may change on a task.
import { describe, expect, it } from 'vitest';
import { failurePatch, planUpdate, pollChange } from '../../src/engine/observation.js';
import type { TaskRow } from '../../src/store/schema.js';
import { taskRow } from '../support/task-row.js';

const NOW = 1_760_000_000_000;
const row = (fields: Partial<TaskRow> = {}): TaskRow => taskRow(NOW, fields);

describe('planUpdate', () => {
  it('writes nothing when nothing changed', () => {
    const running = row({ status: 'IN_PROGRESS', progress: '46%', start_time: NOW - 1000 });
    expect(planUpdate(running, { status: 'IN_PROGRESS', progress: '46%' }, NOW)).toBeNull();
  });

  it('never moves the status backwards nor the progress down, but keeps new fields', () => {
    const running = row({ status: 'IN_PROGRESS', progress: '62%', start_time: NOW - 1000 });
    expect(planUpdate(running, { status: 'SUBMITTED', progress: '0%' }, NOW)).toBeNull();
    const lower = planUpdate(
      running,
      { status: 'IN_PROGRESS', progress: '31%', imageUrl: 'https://x/preview.webp' },
      NOW,
    );
    expect(lower).toMatchObject({ image_url: 'https://x/preview.webp' });
    expect(lower).not.toHaveProperty('progress');
    expect(lower).not.toHaveProperty('status');
  });

  it('changes nothing on a final task', () => {
    expect(
      planUpdate(
        row({ status: 'SUCCESS', progress: '100%' }),
        { status: 'FAILURE', failReason: 'late' },
        NOW,
      ),
    ).toBeNull();
    expect(
      planUpdate(row({ status: 'FAILURE' }), { status: 'IN_PROGRESS', progress: '99%' }, NOW),
    ).toBeNull();
  });

  it('finishes a task: SUCCESS at 100%, FAILURE with a reason; both take it off the poll schedule', () => {
    const success = planUpdate(row(), { status: 'SUCCESS', finishTime: NOW - 5 }, NOW)!;
    expect(success).toMatchObject({ status: 'SUCCESS', progress: '100%', finish_time: NOW - 5 });
    expect(pollChange(success)).toBe('finished');
    const failure = planUpdate(row(), { status: 'FAILURE', progress: '' }, NOW)!;
    expect(failure).toMatchObject({
      status: 'FAILURE',
      progress: '',
      fail_reason: 'the upstream reported a failure',
      finish_time: NOW,
    });
    expect(pollChange(failure)).toBe('finished');
  });

  it('sets a start time when a task is first seen running and the upstream gives none', () => {
    expect(planUpdate(row(), { status: 'IN_PROGRESS', progress: '10%' }, NOW)).toMatchObject({
      start_time: NOW,
    });
    expect(planUpdate(row(), { status: 'IN_PROGRESS', startTime: NOW - 7 }, NOW)).toMatchObject({
      start_time: NOW - 7,
    });
    expect(planUpdate(row(), { status: 'SUBMITTED', progress: '0%' }, NOW)).not.toHaveProperty('start_time');
    expect(
      planUpdate(
        row({ status: 'IN_PROGRESS', start_time: NOW - 9 }),
        { status: 'IN_PROGRESS', progress: '50%' },
        NOW,
      ),
    ).not.toHaveProperty('start_time');
  });

  it('keeps an upstream clock’s times between the submit time and now', () => {
    const submitted = NOW - 60_000;
    const ahead = planUpdate(
      row(),
      { status: 'SUCCESS', startTime: NOW + 3_600_000, finishTime: NOW + 7_200_000 },
      NOW,
    )!;
    expect(ahead).toMatchObject({ start_time: NOW, finish_time: NOW });
    const behind = planUpdate(
      row(),
      { status: 'FAILURE', startTime: submitted - 10_000_000, finishTime: submitted - 5_000_000 },
      NOW,
    )!;
    expect(behind).toMatchObject({ start_time: submitted, finish_time: submitted });
    const sane = planUpdate(
      row(),
      { status: 'SUCCESS', startTime: NOW - 30_000, finishTime: NOW - 1_000 },
      NOW,
    )!;
    expect(sane).toMatchObject({ start_time: NOW - 30_000, finish_time: NOW - 1_000 });
  });

  it('never rewrites a known start time, so an upstream clock running ahead causes no write each round', () => {
    const running = row({ status: 'IN_PROGRESS', progress: '46%', start_time: NOW - 1_000 });
    expect(
      planUpdate(running, { status: 'IN_PROGRESS', progress: '46%', startTime: NOW + 3_600_000 }, NOW),
    ).toBeNull();
    expect(
      planUpdate(
        running,
        { status: 'IN_PROGRESS', progress: '46%', startTime: NOW + 3_600_000 },
        NOW + 16_000,
      ),
    ).toBeNull();
  });

  it('polls a moving task at the quick end of the schedule again, and clears a vanishing mark', () => {
    const patch = planUpdate(
      row({ vanished_since: NOW - 10 }),
      { status: 'SUBMITTED', progress: '0%' },
      NOW,
    )!;
    expect(patch).toMatchObject({ status: 'SUBMITTED', vanished_since: 0 });
    expect(pollChange(patch)).toBe('moved');
    const progress = planUpdate(
      row({ status: 'IN_PROGRESS', start_time: NOW - 1 }),
      { status: 'IN_PROGRESS', progress: '5%' },
      NOW,
    )!;
    expect(pollChange(progress)).toBe('moved');
    // Anything else keeps the schedule backing off.
    const preview = planUpdate(row(), { status: 'NOT_START', imageUrl: 'https://x/p.webp' }, NOW)!;
    expect(pollChange(preview)).toBeNull();
  });

  it('stores JSON fields as JSON text', () => {
    const patch = planUpdate(
      row(),
      {
        status: 'NOT_START',
        buttons: [{ customId: 'a' }],
        properties: { k: 1 },
        data: [{ id: 'c' }],
        videoUrls: ['u'],
      },
      NOW,
    )!;
    expect(patch).toMatchObject({
      buttons: '[{"customId":"a"}]',
      properties: '{"k":1}',
      data: '[{"id":"c"}]',
      video_urls: '["u"]',
    });
  });
});

describe('failurePatch', () => {
  it('is a final failure with the reason, and stops polling', () => {
    expect(failurePatch('timed out', NOW)).toEqual({
      status: 'FAILURE',
      fail_reason: 'timed out',
      finish_time: NOW,
      progress: '100%',
      updated_at: NOW,
    });
    expect(pollChange(failurePatch('timed out', NOW))).toBe('finished');
  });
});
