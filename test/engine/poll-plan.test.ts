// A poll answer's plan, and the digest that lets a round skip the rows an unchanged answer would leave alone: it must
// settle a row only when applying the answer again would change nothing.
import { describe, expect, it } from 'vitest';
import { planUpdate } from '../../src/engine/observation.js';
import { observationHashes, planPollWrites, pollDigest, splitSettled } from '../../src/engine/poll-plan.js';
import type { Observation, PollReading } from '../../src/platforms/types.js';
import type { TaskRow } from '../../src/store/schema.js';
import { taskRow } from '../support/task-row.js';

const NOW = 1_760_000_000_000;
const row = (fields: Partial<TaskRow> = {}): TaskRow =>
  taskRow(NOW, { upstream_id: 'up-1', status: 'SUBMITTED', version: 3, ...fields });

const answer = (observations: Record<string, Observation>): PollReading => ({
  ok: true,
  observations: new Map(Object.entries(observations)),
  present: new Set(Object.keys(observations)),
  absenceIsReliable: true,
});

/** The row as the task writer leaves it after a write of `patch` (version + 1). */
const written = (before: TaskRow, patch: object): TaskRow =>
  ({ ...before, ...patch, version: before.version + 1 }) as TaskRow;

describe('the poll digest', () => {
  // Answers of every kind the merge rule treats apart: first sight of a running task, a preview, a backwards
  // status, a lower progress, a clock ahead of Taskgate's, a task back from vanishing.
  const cases: Array<[string, Partial<TaskRow>, Observation]> = [
    ['first seen running', {}, { status: 'IN_PROGRESS', progress: '10%', imageUrl: 'https://x/p.webp' }],
    ['a start time ahead of the clock', {}, { status: 'IN_PROGRESS', startTime: NOW + 3_600_000 }],
    [
      'buttons and properties',
      { status: 'IN_PROGRESS', start_time: NOW - 5_000 },
      { status: 'IN_PROGRESS', progress: '55%', buttons: [{ customId: 'MJ::x' }], properties: { a: 1 } },
    ],
    [
      'a backwards status',
      { status: 'IN_PROGRESS', progress: '40%' },
      { status: 'SUBMITTED', imageUrl: 'u' },
    ],
    [
      'a lower progress',
      { status: 'IN_PROGRESS', progress: '40%' },
      { status: 'IN_PROGRESS', progress: '20%', description: 'd' },
    ],
    [
      'back from vanishing',
      { status: 'IN_PROGRESS', vanished_since: NOW - 1_000 },
      { status: 'IN_PROGRESS' },
    ],
  ];

  it.each(cases)(
    '%s: the row written from an answer is settled by the same answer, and really unchanged by it',
    (_n, fields, observation) => {
      const before = row(fields);
      const reading = answer({ 'up-1': observation });
      const hashes = observationHashes(reading);
      const plan = planPollWrites([before], reading, hashes, 'owner', NOW, 60_000);
      expect(plan.writes).toHaveLength(1);
      const { patch } = plan.writes[0];
      expect(patch.poll_digest).toBe(pollDigest(before.version + 1, hashes.get('up-1')!));
      const after = written(before, patch);
      // Skipping is sound only because a full read and plan would find nothing to do either.
      expect(planUpdate(after, observation, NOW + 60_000)).toBeNull();
      expect(splitSettled([after], observationHashes(answer({ 'up-1': observation })))).toEqual({
        settled: [after],
        rest: [],
      });
    },
  );

  it('does not settle a row another writer moved since (its version is not the digest’s)', () => {
    const observation: Observation = { status: 'IN_PROGRESS', progress: '10%' };
    const reading = answer({ 'up-1': observation });
    const hashes = observationHashes(reading);
    const polled = written(row(), planPollWrites([row()], reading, hashes, 'o', NOW, 60_000).writes[0].patch);
    // A push callback, a vanishing mark, a modal: any write bumps the version and writes no digest.
    const moved = { ...polled, version: polled.version + 1, vanished_since: NOW };
    expect(splitSettled([moved], hashes)).toEqual({ settled: [], rest: [moved] });
    // And the same answer does have something to do there: the task is back.
    expect(planUpdate(moved, observation, NOW)).toMatchObject({ vanished_since: 0 });
  });

  it('does not settle a row whose answer changed in any field, was left out, or that has no digest yet', () => {
    const first = answer({ 'up-1': { status: 'IN_PROGRESS', progress: '10%', imageUrl: 'a' } });
    const hashes = observationHashes(first);
    const polled = written(row(), planPollWrites([row()], first, hashes, 'o', NOW, 60_000).writes[0].patch);
    const changed = answer({ 'up-1': { status: 'IN_PROGRESS', progress: '10%', imageUrl: 'b' } });
    expect(splitSettled([polled], observationHashes(changed)).settled).toEqual([]);
    expect(splitSettled([polled], observationHashes(answer({}))).settled).toEqual([]);
    expect(splitSettled([polled], new Map()).settled).toEqual([]);
    const fresh = row({ poll_digest: '' });
    expect(splitSettled([fresh], hashes).settled).toEqual([]);
  });

  it('writes no digest with changes that are not an observation’s (vanishing, Taskgate’s own failure)', () => {
    const gone = planPollWrites([row()], answer({}), new Map(), 'o', NOW, 60_000);
    expect(gone.kinds).toEqual(['vanishing']);
    expect(gone.writes[0].patch).not.toHaveProperty('poll_digest');
    const failed = planPollWrites(
      [row({ vanished_since: NOW - 61_000 })],
      answer({}),
      new Map(),
      'o',
      NOW,
      60_000,
    );
    expect(failed.kinds).toEqual(['failed']);
    expect(failed.writes[0].patch).not.toHaveProperty('poll_digest');
  });
});
