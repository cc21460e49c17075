// Contract tests for the four task listings of seeds 000 (Midjourney) and 001 (task center): each seed's example
// request is sent against its example task written through the store, and the answer is compared with the seed's
// example response field by field, on every database engine. Then the contract's decisions the seeds leave open:
// signed media URLs, seconds everywhere, inclusive time filters in seconds or milliseconds, paging, scoping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyMediaSignature } from '../../src/core/media-signing.js';
import type { NewTask } from '../../src/store/schema.js';
import { insertTask, taskValues } from '../../src/store/tasks.js';
import { type Actor, startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/databases.js';

// ---------------------------------------------------------------------------------------------------------------
// The seeds' examples, copied verbatim.

/** Seed 000, `GET /api/mj/self` request example. */
const SEED_000_SELF_QUERY =
  '/api/mj/self?p=1&page_size=20&mj_id=task123&start_timestamp=1640908800&end_timestamp=1640995200';
/** Seed 000, `GET /api/mj/self` success example (one item). */
const SEED_000_SELF_ITEM = {
  id: 1,
  mj_id: 'task123456',
  action: 'IMAGINE',
  prompt: 'a beautiful landscape',
  prompt_en: 'a beautiful landscape',
  status: 'SUCCESS',
  progress: '100%',
  image_url: 'https://example.com/image.jpg',
  video_url: 'https://example.com/video.mp4',
  video_urls: '["https://example.com/video1.mp4"]',
  submit_time: 1640908800,
  start_time: 1640909000,
  finish_time: 1640909200,
  fail_reason: '',
  quota: 1000,
};
/** Seed 000, `GET /api/mj/` request example. */
const SEED_000_ADMIN_QUERY =
  '/api/mj/?p=1&page_size=20&channel_id=1&mj_id=task123&start_timestamp=1640908800&end_timestamp=1640995200';
/** Seed 000, `GET /api/mj/` success example (one item). */
const SEED_000_ADMIN_ITEM = {
  id: 1,
  user_id: 1,
  mj_id: 'task123456',
  action: 'IMAGINE',
  prompt: 'a beautiful landscape',
  status: 'SUCCESS',
  progress: '100%',
  image_url: 'https://example.com/image.jpg',
  channel_id: 1,
  quota: 1000,
  submit_time: 1640908800,
  finish_time: 1640909200,
};

/** Seed 001, `GET /api/task/self` request example. */
const SEED_001_SELF_QUERY =
  '/api/task/self?p=1&page_size=20&platform=suno&task_id=task123&status=SUCCESS&action=song' +
  '&start_timestamp=1640908800&end_timestamp=1640995200';
/** Seed 001, `GET /api/task/self` success example (one item). */
const SEED_001_SELF_ITEM = {
  id: 1,
  created_at: 1640908800,
  updated_at: 1640909000,
  task_id: 'task123456',
  platform: 'suno',
  user_id: 1,
  quota: 1000,
  action: 'song',
  status: 'SUCCESS',
  fail_reason: '',
  submit_time: 1640908800,
  start_time: 1640908900,
  finish_time: 1640909000,
  progress: '100%',
  properties: {},
  data: {},
};
/** Seed 001, `GET /api/task/` request example. */
const SEED_001_ADMIN_QUERY =
  '/api/task/?p=1&page_size=20&channel_id=1&platform=suno&task_id=task123&status=SUCCESS&action=song' +
  '&start_timestamp=1640908800&end_timestamp=1640995200';
/** Seed 001, `GET /api/task/` success example (one item). */
const SEED_001_ADMIN_ITEM = {
  id: 1,
  created_at: 1640908800,
  task_id: 'task123456',
  platform: 'suno',
  user_id: 1,
  channel_id: 1,
  quota: 1000,
  action: 'song',
  status: 'SUCCESS',
  submit_time: 1640908800,
  finish_time: 1640909000,
  progress: '100%',
  data: {},
};

/**
 * The seeds' requests filter on `task123` while their responses show `task123456`: an exact filter (the
 * contract's and new-api's) cannot produce both. The field-by-field comparisons send the seed's request with
 * the example item's own id; the literal request is sent too and must match exactly the task named `task123`.
 */
const withId = (query: string, field: 'mj_id' | 'task_id') =>
  query.replace(`${field}=task123&`, `${field}=task123456&`);

// Extra keys the contract allows beyond the seeds' examples (§5).
const MJ_DETAIL_EXTRAS = ['refunded', 'description', 'state', 'buttons', 'properties', 'code'];
const MJ_ADMIN_EXTRAS = [...MJ_DETAIL_EXTRAS, 'user_id', 'channel_id', 'upstream_id'];
const TASK_SELF_EXTRAS = ['refunded'];
const TASK_ADMIN_EXTRAS = ['refunded', 'channel_id', 'upstream_id'];

const S = 1000;
/** 2021-12-31T00:00:00Z, the seeds' submit time, in milliseconds. */
const T0 = 1640908800 * S;
/** Times of the tasks that are not part of a seed example: 2026, far outside the seeds' window. */
const LATER = Date.UTC(2026, 0, 1);

// ---------------------------------------------------------------------------------------------------------------
// Helpers

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read freely.
type Json = any;

/** Every key the seed shows is present with the seed's type and value (or the expected override); the only
 *  other keys are the ones the contract adds. */
function expectSeedItem(
  item: Json,
  seed: Record<string, unknown>,
  extras: string[],
  overrides: Record<string, unknown> = {},
): void {
  expect(Object.keys(item).sort()).toEqual([...new Set([...Object.keys(seed), ...extras])].sort());
  for (const [key, value] of Object.entries(seed)) {
    expect(typeof item[key], `type of ${key}`).toBe(typeof value);
    if (Array.isArray(value) || (value !== null && typeof value === 'object')) {
      expect(Array.isArray(item[key]), `${key} is an array`).toBe(Array.isArray(value));
    }
    expect(item[key], key).toEqual(key in overrides ? overrides[key] : value);
  }
}

/** The envelope and paging frame every listing answers with. */
function expectPage(body: Json, page: number, pageSize: number, total: number): void {
  expect(Object.keys(body).sort()).toEqual(['data', 'message', 'success']);
  expect(body.success).toBe(true);
  expect(body.message).toBe('');
  expect(Object.keys(body.data).sort()).toEqual(['items', 'page', 'page_size', 'total']);
  expect(body.data.page).toBe(page);
  expect(body.data.page_size).toBe(pageSize);
  expect(body.data.total).toBe(total);
  expect(Array.isArray(body.data.items)).toBe(true);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A signed forwarding URL for `path` on this Taskgate, whose signature verifies with the server secret. */
function expectSignedUrl(t: TestApp, url: string, path: string): void {
  expect(url).toMatch(
    new RegExp(`^${escapeRegExp(t.url)}${escapeRegExp(path)}\\?v=[\\w-]+&exp=\\d+&sig=[A-Za-z0-9_-]+$`),
  );
  const query = new URL(url).searchParams;
  const exp = query.get('exp')!;
  expect(Number(exp) * S).toBeGreaterThan(t.clock.now());
  const [sig, v] = [query.get('sig')!, query.get('v')!];
  expect(verifyMediaSignature(t.ctx.secret, path, exp, sig, t.clock.now(), v)).toBe(true);
  // The signature covers the path: it does not open another task's media.
  expect(verifyMediaSignature(t.ctx.secret, `${path}x`, exp, query.get('sig')!, t.clock.now())).toBe(false);
}

async function put(t: TestApp, fields: Parameters<typeof taskValues>[0], now = fields.submit_time) {
  return insertTask(t.ctx.store, taskValues(fields, now));
}

async function setForwarding(t: TestApp, value: string | boolean): Promise<void> {
  const res = await t.request('PUT', '/api/option/', {
    as: t.root,
    body: { key: 'MjForwardUrlEnabled', value },
  });
  expect(res.status).toBe(200);
}

// ---------------------------------------------------------------------------------------------------------------
// Data shared by both families: the same people, times and counts, each on its own platform.

interface Family {
  title: string;
  platform: 'midjourney' | 'suno';
  /** A platform of the other family (its tasks must never show here). */
  foreign: 'midjourney' | 'suno';
  self: string;
  admin: string;
  /** The listing's id field. */
  idField: 'mj_id' | 'task_id';
  action: string;
}

const MJ: Family = {
  title: 'Midjourney',
  platform: 'midjourney',
  foreign: 'suno',
  self: '/api/mj/self',
  admin: '/api/mj/',
  idField: 'mj_id',
  action: 'IMAGINE',
};
const TASK: Family = {
  title: 'task center',
  platform: 'suno',
  foreign: 'midjourney',
  self: '/api/task/self',
  admin: '/api/task/',
  idField: 'task_id',
  action: 'song',
};

interface Fixture {
  alice: Actor;
  bob: Actor;
  pager: Actor;
  timer: Actor;
  /** Public ids of Alice's tasks listed by this family, oldest first. */
  aliceIds: string[];
  bobIds: string[];
  /** The pager's 45 tasks, oldest first. */
  pagerIds: string[];
  /** Public ids of tasks of the other family (never listed here). */
  foreignIds: string[];
  /** How many tasks this family's admin listing holds in all. */
  familyTotal: number;
  /** The timer's tasks by submit time. */
  timed: Record<'before' | 'exact' | 'halfPast' | 'next', string>;
}

/** Everything after the seed examples (which go first, so their database id is 1). */
async function seedCommon(t: TestApp, family: Family, seedTasks: number): Promise<Fixture> {
  const prefix = family.platform === 'midjourney' ? 'mj' : 'tc';
  const [alice, bob, pager, timer] = [
    await t.createUser(),
    await t.createUser(),
    await t.createUser(),
    await t.createUser(),
  ];
  let familyTotal = seedTasks;
  const foreignIds: string[] = [];
  const aliceIds: string[] = [];
  const bobIds: string[] = [];
  const pagerIds: string[] = [];

  // Alice: channel 7, 7, 8; on the task center two songs and one lyrics, and one video task.
  const aliceTasks: Array<Partial<NewTask>> =
    family.platform === 'midjourney'
      ? [
          { action: 'IMAGINE', status: 'SUCCESS', channel_id: 7 },
          { action: 'UPSCALE', status: 'FAILURE', channel_id: 7 },
          { action: 'IMAGINE', status: 'IN_PROGRESS', channel_id: 8 },
        ]
      : [
          { action: 'song', status: 'SUCCESS', channel_id: 7 },
          { action: 'lyrics', status: 'FAILURE', channel_id: 7 },
          { action: 'song', status: 'IN_PROGRESS', channel_id: 8 },
          { action: 'generate', status: 'QUEUED', channel_id: 9, platform: 'openai-video' },
        ];
  for (const [i, extra] of aliceTasks.entries()) {
    const task_id = `${prefix}-alice-${i}`;
    await put(t, {
      task_id,
      platform: family.platform,
      action: family.action,
      user_id: alice.id,
      submit_time: LATER + i * S,
      ...extra,
    });
    aliceIds.push(task_id);
  }
  familyTotal += aliceTasks.length;
  // A task of the other family for Alice: it must never appear in this family's listings.
  const foreign = `${prefix}-alice-foreign`;
  await put(t, {
    task_id: foreign,
    platform: family.foreign,
    action: family.foreign === 'midjourney' ? 'IMAGINE' : 'song',
    user_id: alice.id,
    channel_id: 7,
    status: 'SUCCESS',
    submit_time: LATER + 10 * S,
  });
  foreignIds.push(foreign);

  for (let i = 0; i < 2; i++) {
    const task_id = `${prefix}-bob-${i}`;
    await put(t, {
      task_id,
      platform: family.platform,
      action: family.action,
      user_id: bob.id,
      channel_id: 8,
      status: 'SUCCESS',
      submit_time: LATER + (20 + i) * S,
    });
    bobIds.push(task_id);
  }
  familyTotal += 2;

  for (let i = 0; i < 45; i++) {
    const task_id = `${prefix}-page-${String(i).padStart(2, '0')}`;
    await put(t, {
      task_id,
      platform: family.platform,
      action: family.action,
      user_id: pager.id,
      channel_id: 3,
      status: 'SUCCESS',
      // Submit times run against insertion order: the listing is ordered by id, not by time.
      submit_time: LATER + (1000 - i) * S,
    });
    pagerIds.push(task_id);
  }
  familyTotal += 45;

  const timed = {
    before: `${prefix}-time-before`,
    exact: `${prefix}-time-exact`,
    halfPast: `${prefix}-time-half`,
    next: `${prefix}-time-next`,
  };
  const times = { before: T0 - 1, exact: T0, halfPast: T0 + 500, next: T0 + S };
  for (const key of ['before', 'exact', 'halfPast', 'next'] as const) {
    await put(t, {
      task_id: timed[key],
      platform: family.platform,
      action: family.action,
      user_id: timer.id,
      channel_id: 4,
      status: 'SUCCESS',
      submit_time: times[key],
    });
  }
  familyTotal += 4;

  return { alice, bob, pager, timer, aliceIds, bobIds, pagerIds, foreignIds, familyTotal, timed };
}

const idsOf = (body: Json, field: string): string[] => body.data.items.map((item: Json) => item[field]);

/** The behaviour both families share: time filters, paging, scoping, the separation of the families. */
function sharedListingTests(family: Family, ctx: () => { t: TestApp; f: Fixture }): void {
  const list = (actor: Actor, path: string) => ctx().t.request('GET', path, { as: actor });
  const self = (query: string) => list(ctx().f.timer, `${family.self}?${query}`);
  const timedIds = async (query: string) => {
    const res = await self(query);
    expect(res.status, res.text).toBe(200);
    expect(res.body.data.total).toBe(res.body.data.items.length);
    return new Set(idsOf(res.body, family.idField));
  };

  it('time filters in seconds are inclusive bounds on the submit time; an end second covers all of it', async () => {
    const { timed } = ctx().f;
    const all = [timed.before, timed.exact, timed.halfPast, timed.next];
    expect(await timedIds('')).toEqual(new Set(all));
    // start = the exact second: the task submitted at that instant is in, the one a millisecond earlier is out.
    expect(await timedIds('start_timestamp=1640908800')).toEqual(
      new Set([timed.exact, timed.halfPast, timed.next]),
    );
    expect(await timedIds('start_timestamp=1640908801')).toEqual(new Set([timed.next]));
    // end = the exact second: everything within that second (up to .999) is in, the next second is out.
    expect(await timedIds('end_timestamp=1640908800')).toEqual(
      new Set([timed.before, timed.exact, timed.halfPast]),
    );
    expect(await timedIds('end_timestamp=1640908799')).toEqual(new Set([timed.before]));
    expect(await timedIds('start_timestamp=1640908800&end_timestamp=1640908800')).toEqual(
      new Set([timed.exact, timed.halfPast]),
    );
    expect(await timedIds('start_timestamp=1640908801&end_timestamp=1640908801')).toEqual(
      new Set([timed.next]),
    );
  });

  it('time filters of 10^11 and more are milliseconds, inclusive to the millisecond', async () => {
    const { timed } = ctx().f;
    expect(await timedIds('start_timestamp=1640908800000')).toEqual(
      new Set([timed.exact, timed.halfPast, timed.next]),
    );
    expect(await timedIds('start_timestamp=1640908800001')).toEqual(new Set([timed.halfPast, timed.next]));
    expect(await timedIds('end_timestamp=1640908800000')).toEqual(new Set([timed.before, timed.exact]));
    expect(await timedIds('end_timestamp=1640908799999')).toEqual(new Set([timed.before]));
    expect(await timedIds('start_timestamp=1640908800500&end_timestamp=1640908800500')).toEqual(
      new Set([timed.halfPast]),
    );
    // Seconds and milliseconds mixed in one query.
    expect(await timedIds('start_timestamp=1640908800&end_timestamp=1640908800499')).toEqual(
      new Set([timed.exact]),
    );
    // The threshold: 99,999,999,999 is still seconds (year 5138: every task), 10^11 is milliseconds (1973: none).
    expect((await timedIds('end_timestamp=99999999999')).size).toBe(4);
    expect((await timedIds('end_timestamp=100000000000')).size).toBe(0);
    expect((await timedIds('start_timestamp=99999999999')).size).toBe(0);
    expect((await timedIds('start_timestamp=100000000000')).size).toBe(4);
  });

  it('a bad time filter is a 400, never a silent empty list', async () => {
    for (const query of [
      'start_timestamp=abc',
      'end_timestamp=1640908800.5',
      'start_timestamp=-5',
      'start_timestamp=1640908801&end_timestamp=1640908800',
    ]) {
      const res = await self(query);
      expect(res.status, query).toBe(400);
      expect(res.body).toEqual({ success: false, message: expect.any(String) });
    }
    const admin = await list(ctx().t.root, `${family.admin}?end_timestamp=yesterday`);
    expect(admin.status).toBe(400);
  });

  it('pages: 45 tasks make pages of 20, 20 and 5, newest first by id, total counting every match', async () => {
    const { pager, pagerIds } = ctx().f;
    const newestFirst = [...pagerIds].reverse();
    const first = await list(pager, family.self);
    expectPage(first.body, 1, 20, 45);
    expect(idsOf(first.body, family.idField)).toEqual(newestFirst.slice(0, 20));
    const ids = first.body.data.items.map((item: Json) => item.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    const second = await list(pager, `${family.self}?p=2&page_size=20`);
    expectPage(second.body, 2, 20, 45);
    expect(idsOf(second.body, family.idField)).toEqual(newestFirst.slice(20, 40));

    const third = await list(pager, `${family.self}?p=3&page_size=20`);
    expectPage(third.body, 3, 20, 45);
    expect(third.body.data.items).toHaveLength(5);
    expect(idsOf(third.body, family.idField)).toEqual(newestFirst.slice(40));

    const beyond = await list(pager, `${family.self}?p=4&page_size=20`);
    expectPage(beyond.body, 4, 20, 45);
    expect(beyond.body.data.items).toEqual([]);

    const small = await list(pager, `${family.self}?p=5&page_size=10`);
    expectPage(small.body, 5, 10, 45);
    expect(idsOf(small.body, family.idField)).toEqual(newestFirst.slice(40));
  });

  it('paging parameters out of range: p below 1 is 1; page_size outside 1..100 is refused (the issue overrides the contract)', async () => {
    const { t, f } = ctx();
    const zero = await list(f.pager, `${family.self}?p=0`);
    expectPage(zero.body, 1, 20, 45);
    const negative = await list(f.pager, `${family.self}?p=-3&page_size=5`);
    expectPage(negative.body, 1, 5, 45);
    expect(idsOf(negative.body, family.idField)).toEqual([...f.pagerIds].reverse().slice(0, 5));
    const full = await list(t.root, `${family.admin}?page_size=100`);
    expectPage(full.body, 1, 100, f.familyTotal);
    for (const size of ['1000', '101', '0', '-5']) {
      const refused = await t.request('GET', `${family.admin}?page_size=${size}`, { as: t.root });
      expect(refused.status, `page_size=${size}`).toBe(400);
      expect(refused.body).toEqual({
        success: false,
        message: expect.stringContaining('page_size must be between 1 and 100'),
      });
    }
  });

  it(`never lists the other family's tasks, and every admin row is this family's`, async () => {
    const { t, f } = ctx();
    const alice = await list(f.alice, `${family.self}?page_size=100`);
    expectPage(alice.body, 1, 100, f.aliceIds.length);
    expect(idsOf(alice.body, family.idField)).toEqual([...f.aliceIds].reverse());

    const everything = await list(t.root, `${family.admin}?page_size=100`);
    expect(everything.body.data.total).toBe(f.familyTotal);
    for (const id of f.foreignIds) {
      expect(idsOf(everything.body, family.idField)).not.toContain(id);
      const byId = await list(t.root, `${family.admin}?${family.idField}=${id}`);
      expectPage(byId.body, 1, 20, 0);
      const selfById = await list(f.alice, `${family.self}?${family.idField}=${id}`);
      expectPage(selfById.body, 1, 20, 0);
    }
    // The other family's listing shows the foreign task.
    const other = family.platform === 'midjourney' ? '/api/task/self' : '/api/mj/self';
    const otherField = family.platform === 'midjourney' ? 'task_id' : 'mj_id';
    const foreign = await list(f.alice, other);
    expect(idsOf(foreign.body, otherField)).toEqual(f.foreignIds);
  });

  it('admin filters channel_id and user_id narrow the admin listing', async () => {
    const { t, f } = ctx();
    const byUser = await list(t.root, `${family.admin}?user_id=${f.alice.id}&page_size=100`);
    expectPage(byUser.body, 1, 100, f.aliceIds.length);
    expect(idsOf(byUser.body, family.idField)).toEqual([...f.aliceIds].reverse());
    expect(byUser.body.data.items.every((item: Json) => item.user_id === f.alice.id)).toBe(true);

    const byChannel = await list(t.root, `${family.admin}?channel_id=8`);
    expectPage(byChannel.body, 1, 20, 3);
    expect(new Set(idsOf(byChannel.body, family.idField))).toEqual(new Set([f.aliceIds[2], ...f.bobIds]));
    expect(byChannel.body.data.items.every((item: Json) => item.channel_id === 8)).toBe(true);

    const both = await list(t.root, `${family.admin}?channel_id=8&user_id=${f.bob.id}`);
    expect(new Set(idsOf(both.body, family.idField))).toEqual(new Set(f.bobIds));
    expect(both.body.data.total).toBe(2);

    const nobody = await list(t.root, `${family.admin}?user_id=999999`);
    expectPage(nobody.body, 1, 20, 0);

    for (const query of ['channel_id=abc', 'user_id=1.5']) {
      expect((await list(t.root, `${family.admin}?${query}`)).status, query).toBe(400);
    }
  });

  it('the self listing stays scoped to the caller: channel_id and user_id are not applied there', async () => {
    const { f } = ctx();
    const aliceNewestFirst = [...f.aliceIds].reverse();
    for (const query of [`user_id=${f.bob.id}`, 'channel_id=8', `channel_id=8&user_id=${f.bob.id}`]) {
      const res = await list(f.alice, `${family.self}?${query}`);
      expect(res.status, query).toBe(200);
      expectPage(res.body, 1, 20, f.aliceIds.length);
      expect(idsOf(res.body, family.idField), query).toEqual(aliceNewestFirst);
    }
    const bob = await list(f.bob, `${family.self}?user_id=${f.alice.id}`);
    expect(idsOf(bob.body, family.idField)).toEqual([...f.bobIds].reverse());
    // Another user's task id is simply not among the caller's tasks.
    const peek = await list(f.bob, `${family.self}?${family.idField}=${f.aliceIds[0]}`);
    expectPage(peek.body, 1, 20, 0);
  });

  it('the admin listing is for admins (403 for users) and answers without the trailing slash', async () => {
    const { t, f } = ctx();
    const denied = await list(f.alice, family.admin);
    expect(denied.status).toBe(403);
    expect(denied.body.success).toBe(false);
    expect((await t.request('GET', family.self)).status).toBe(401);
    const admin = await t.createUser({ role: 10 });
    const bare = await list(admin, `${family.admin.replace(/\/$/, '')}?user_id=${f.bob.id}`);
    expect(bare.status).toBe(200);
    expect(new Set(idsOf(bare.body, family.idField))).toEqual(new Set(f.bobIds));
  });

  it('filters by status and by exact id', async () => {
    const { f } = ctx();
    const success = await list(f.alice, `${family.self}?status=SUCCESS`);
    expect(idsOf(success.body, family.idField)).toEqual([f.aliceIds[0]]);
    const running = await list(f.alice, `${family.self}?status=IN_PROGRESS`);
    expect(idsOf(running.body, family.idField)).toEqual([f.aliceIds[2]]);
    expect((await list(f.alice, `${family.self}?status=DONE`)).status).toBe(400);
    const exact = await list(f.alice, `${family.self}?${family.idField}=${f.aliceIds[1]}`);
    expect(idsOf(exact.body, family.idField)).toEqual([f.aliceIds[1]]);
    // Exact, not a prefix: `…-alice-` names no task.
    const prefix = await list(f.alice, `${family.self}?${family.idField}=${f.aliceIds[1].slice(0, -1)}`);
    expectPage(prefix.body, 1, 20, 0);
  });
}

// ---------------------------------------------------------------------------------------------------------------

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`seed 000: GET /api/mj/self and /api/mj/ [${backend.dialect}]`, () => {
    let t: TestApp;
    let f: Fixture;
    let seedId: number;
    beforeAll(async () => {
      t = await startTestApp(backend.dialect);
      // The seed's example task, first in a fresh database (so its id is 1), owned by root (user 1) on channel 1.
      // The store keeps milliseconds; the sub-second parts must not leak into the seconds the API answers.
      seedId = await put(t, {
        task_id: 'task123456',
        platform: 'midjourney',
        action: 'IMAGINE',
        user_id: 1,
        channel_id: 1,
        upstream_id: '1640908800123456',
        prompt: 'a beautiful landscape',
        prompt_en: 'a beautiful landscape',
        status: 'SUCCESS',
        progress: '100%',
        code: 1,
        description: 'Submit success',
        image_url: 'https://example.com/image.jpg',
        video_url: 'https://example.com/video.mp4',
        video_urls: '["https://example.com/video1.mp4"]',
        buttons: '[{"customId":"MJ::JOB::upsample::1::abc","emoji":"","label":"U1","type":2,"style":2}]',
        properties: '{"finalPrompt":"a beautiful landscape"}',
        quota: 1000,
        submit_time: T0,
        start_time: 1640909000 * S + 250,
        finish_time: 1640909200 * S + 999,
      });
      // The task the seed's literal request names, on the same channel and inside the same time window.
      await put(t, {
        task_id: 'task123',
        platform: 'midjourney',
        action: 'IMAGINE',
        user_id: 1,
        channel_id: 1,
        status: 'SUCCESS',
        progress: '100%',
        submit_time: T0 + 100 * S,
      });
      f = await seedCommon(t, MJ, 2);
    });
    afterAll(async () => t?.close());

    const signedOverrides = () => ({
      image_url: expect.stringMatching(/\/mj\/image\/task123456\?v=[\w-]+&exp=\d+&sig=/),
      video_url: expect.stringMatching(/\/mj\/video\/task123456\?v=[\w-]+&exp=\d+&sig=/),
      video_urls: expect.any(String),
    });

    it('GET /api/mj/self answers the seed example field by field (forwarding on: signed Taskgate URLs)', async () => {
      const res = await t.request('GET', withId(SEED_000_SELF_QUERY, 'mj_id'), { as: t.root });
      expect(res.status, res.text).toBe(200);
      expectPage(res.body, 1, 20, 1);
      expect(res.body.data.items).toHaveLength(1);
      const item = res.body.data.items[0];
      expect(seedId).toBe(1);
      expectSeedItem(item, SEED_000_SELF_ITEM, MJ_DETAIL_EXTRAS, signedOverrides());
      expectSignedUrl(t, item.image_url, '/mj/image/task123456');
      expectSignedUrl(t, item.video_url, '/mj/video/task123456');
      const videoUrls = JSON.parse(item.video_urls);
      expect(videoUrls).toHaveLength(1);
      expectSignedUrl(t, videoUrls[0], '/mj/video/task123456/0');
      expect(res.text).not.toContain('example.com');
      // The detail fields the contract allows: JSON columns as JSON, not strings.
      expect(item.refunded).toBe(false);
      expect(item.description).toBe('Submit success');
      expect(item.state).toBe('');
      expect(item.code).toBe(1);
      expect(item.buttons).toEqual([
        { customId: 'MJ::JOB::upsample::1::abc', emoji: '', label: 'U1', type: 2, style: 2 },
      ]);
      expect(item.properties).toEqual({ finalPrompt: 'a beautiful landscape' });
    });

    it('GET /api/mj/ answers the seed example field by field, with user_id and channel_id', async () => {
      const res = await t.request('GET', withId(SEED_000_ADMIN_QUERY, 'mj_id'), { as: t.root });
      expect(res.status, res.text).toBe(200);
      expectPage(res.body, 1, 20, 1);
      const item = res.body.data.items[0];
      // The admin item carries every field of the user's item plus user_id and channel_id (seed 000).
      expectSeedItem(item, { ...SEED_000_SELF_ITEM, ...SEED_000_ADMIN_ITEM }, MJ_ADMIN_EXTRAS, {
        ...signedOverrides(),
      });
      expectSignedUrl(t, item.image_url, '/mj/image/task123456');
      expect(item.upstream_id).toBe('1640908800123456');
      // Also without the trailing slash, as new-api's UI calls it.
      const bare = await t.request(
        'GET',
        withId(SEED_000_ADMIN_QUERY, 'mj_id').replace('/api/mj/?', '/api/mj?'),
        {
          as: t.root,
        },
      );
      expect(bare.body.data.items.map((i: Json) => i.id)).toEqual([seedId]);
    });

    it('with MjForwardUrlEnabled=false the raw upstream URLs are shown, exactly as in the seed', async () => {
      await setForwarding(t, 'false');
      try {
        const status = await t.request('GET', '/api/status');
        expect(status.body.data.media_forwarding).toBe(false);
        const self = await t.request('GET', withId(SEED_000_SELF_QUERY, 'mj_id'), { as: t.root });
        expectPage(self.body, 1, 20, 1);
        expectSeedItem(self.body.data.items[0], SEED_000_SELF_ITEM, MJ_DETAIL_EXTRAS);
        const admin = await t.request('GET', withId(SEED_000_ADMIN_QUERY, 'mj_id'), { as: t.root });
        expectSeedItem(
          admin.body.data.items[0],
          { ...SEED_000_SELF_ITEM, ...SEED_000_ADMIN_ITEM },
          MJ_ADMIN_EXTRAS,
        );
      } finally {
        await setForwarding(t, true);
      }
      const again = await t.request('GET', withId(SEED_000_SELF_QUERY, 'mj_id'), { as: t.root });
      expectSignedUrl(t, again.body.data.items[0].image_url, '/mj/image/task123456');
    });

    it('the seeds literal requests (mj_id=task123) match exactly the task named task123', async () => {
      for (const query of [SEED_000_SELF_QUERY, SEED_000_ADMIN_QUERY]) {
        const res = await t.request('GET', query, { as: t.root });
        expect(res.status, query).toBe(200);
        expectPage(res.body, 1, 20, 1);
        expect(idsOf(res.body, 'mj_id')).toEqual(['task123']);
        const item = res.body.data.items[0];
        expect(item.submit_time).toBe(1640908900);
        // No stored media: no URL is invented for it.
        expect(item.image_url).toBe('');
        expect(item.video_url).toBe('');
        expect(item.video_urls).toBe('[]');
        expect(item.start_time).toBe(0);
        expect(item.finish_time).toBe(0);
      }
    });

    it("the seed's window [1640908800, 1640995200] holds both root tasks, newest first", async () => {
      const res = await t.request('GET', '/api/mj/self?start_timestamp=1640908800&end_timestamp=1640995200', {
        as: t.root,
      });
      expectPage(res.body, 1, 20, 2);
      expect(idsOf(res.body, 'mj_id')).toEqual(['task123', 'task123456']);
      const ms = await t.request(
        'GET',
        '/api/mj/self?start_timestamp=1640908800000&end_timestamp=1640995200000',
        { as: t.root },
      );
      expect(idsOf(ms.body, 'mj_id')).toEqual(['task123', 'task123456']);
    });

    sharedListingTests(MJ, () => ({ t, f }));
  });

  describe.skipIf(!backend.available)(
    `seed 001: GET /api/task/self and /api/task/ [${backend.dialect}]`,
    () => {
      let t: TestApp;
      let f: Fixture;
      let seedId: number;
      beforeAll(async () => {
        t = await startTestApp(backend.dialect);
        seedId = await insertTask(
          t.ctx.store,
          taskValues(
            {
              task_id: 'task123456',
              platform: 'suno',
              action: 'song',
              model: 'suno_music',
              user_id: 1,
              channel_id: 1,
              upstream_id: 'c2b0ef7e-upstream',
              quota: 1000,
              status: 'SUCCESS',
              progress: '100%',
              properties: '{}',
              data: '{}',
              submit_time: T0,
              start_time: 1640908900 * S + 1,
              finish_time: 1640909000 * S + 999,
              updated_at: 1640909000 * S + 500,
            },
            T0,
          ),
        );
        await put(t, {
          task_id: 'task123',
          platform: 'suno',
          action: 'song',
          user_id: 1,
          channel_id: 1,
          status: 'SUCCESS',
          progress: '100%',
          submit_time: T0 + 100 * S,
        });
        f = await seedCommon(t, TASK, 2);
      });
      afterAll(async () => t?.close());

      it('GET /api/task/self answers the seed example field by field', async () => {
        const res = await t.request('GET', withId(SEED_001_SELF_QUERY, 'task_id'), { as: t.root });
        expect(res.status, res.text).toBe(200);
        expectPage(res.body, 1, 20, 1);
        expect(seedId).toBe(1);
        const item = res.body.data.items[0];
        expectSeedItem(item, SEED_001_SELF_ITEM, TASK_SELF_EXTRAS);
        expect(item.refunded).toBe(false);
      });

      it('GET /api/task/ answers the seed example field by field, with channel_id', async () => {
        const res = await t.request('GET', withId(SEED_001_ADMIN_QUERY, 'task_id'), { as: t.root });
        expect(res.status, res.text).toBe(200);
        expectPage(res.body, 1, 20, 1);
        const item = res.body.data.items[0];
        // Every field of the user's item plus channel_id (seed 001).
        expectSeedItem(item, { ...SEED_001_SELF_ITEM, ...SEED_001_ADMIN_ITEM }, TASK_ADMIN_EXTRAS);
        expect(item.upstream_id).toBe('c2b0ef7e-upstream');
        const bare = await t.request(
          'GET',
          withId(SEED_001_ADMIN_QUERY, 'task_id').replace('/api/task/?', '/api/task?'),
          { as: t.root },
        );
        expect(bare.body.data.items.map((i: Json) => i.id)).toEqual([seedId]);
      });

      it('the seeds literal requests (task_id=task123) match exactly the task named task123', async () => {
        for (const query of [SEED_001_SELF_QUERY, SEED_001_ADMIN_QUERY]) {
          const res = await t.request('GET', query, { as: t.root });
          expect(res.status, query).toBe(200);
          expectPage(res.body, 1, 20, 1);
          expect(idsOf(res.body, 'task_id')).toEqual(['task123']);
          expect(res.body.data.items[0].submit_time).toBe(1640908900);
          expect(res.body.data.items[0].properties).toEqual({});
          expect(res.body.data.items[0].data).toEqual({});
        }
      });

      it('properties and data are JSON objects and arrays, never strings', async () => {
        const clips = [
          { id: 'clip-1', audio_url: 'https://cdn.example/clip-1.mp3', title: 'Song', duration: 61.5 },
        ];
        await put(t, {
          task_id: 'tc-json',
          platform: 'suno',
          action: 'song',
          user_id: f.timer.id,
          status: 'SUCCESS',
          properties: '{"input":"a song about the sea","model":"chirp-v4"}',
          data: JSON.stringify(clips),
          submit_time: LATER,
        });
        try {
          const res = await t.request('GET', '/api/task/self?task_id=tc-json', { as: f.timer });
          const item = res.body.data.items[0];
          expect(item.properties).toEqual({ input: 'a song about the sea', model: 'chirp-v4' });
          // Media URLs in data are Taskgate's signed forwarding URLs; every other field is the upstream's.
          const forwarded = clips.map((clip) => ({
            ...clip,
            audio_url: expect.stringMatching(
              new RegExp(`^${t.url}/task/media/tc-json/0\\.audio_url\\?v=[\\w-]+&exp=\\d+&sig=`),
            ),
          }));
          expect(item.data).toEqual(forwarded);
          expect(JSON.stringify(item.data)).not.toContain('cdn.example');
          const admin = await t.request('GET', '/api/task/?task_id=tc-json', { as: t.root });
          expect(admin.body.data.items[0].data).toEqual(forwarded);
          expect(typeof admin.body.data.items[0].properties).toBe('object');
        } finally {
          await t.ctx.store.db.deleteFrom('tasks').where('task_id', '=', 'tc-json').execute();
        }
      });

      it('action=MUSIC is an alias of song, LYRICS of lyrics; platform filters within the task center', async () => {
        const { alice, aliceIds } = f;
        const get = async (query: string) => {
          const res = await t.request('GET', `/api/task/self?${query}`, { as: alice });
          expect(res.status, query).toBe(200);
          return idsOf(res.body, 'task_id');
        };
        const songs = [aliceIds[2], aliceIds[0]];
        expect(await get('action=song')).toEqual(songs);
        expect(await get('action=MUSIC')).toEqual(songs);
        expect(await get('action=lyrics')).toEqual([aliceIds[1]]);
        expect(await get('action=LYRICS')).toEqual([aliceIds[1]]);
        expect(await get('action=MUSIC&status=SUCCESS')).toEqual([aliceIds[0]]);
        const adminMusic = await t.request('GET', `/api/task/?action=MUSIC&user_id=${alice.id}`, {
          as: t.root,
        });
        expect(idsOf(adminMusic.body, 'task_id')).toEqual(songs);
        expect(adminMusic.body.data.items.every((i: Json) => i.action === 'song')).toBe(true);

        expect(await get('platform=suno')).toEqual([aliceIds[2], aliceIds[1], aliceIds[0]]);
        expect(await get('platform=openai-video')).toEqual([aliceIds[3]]);
        // Midjourney is not a task-center platform: refused rather than silently listing nothing.
        const mj = await t.request('GET', '/api/task/self?platform=midjourney', { as: alice });
        expect(mj.status).toBe(400);
      });

      it('the seed window in seconds and in milliseconds holds both root tasks', async () => {
        for (const query of [
          'start_timestamp=1640908800&end_timestamp=1640995200',
          'start_timestamp=1640908800000&end_timestamp=1640995200000',
        ]) {
          const res = await t.request('GET', `/api/task/self?${query}`, { as: t.root });
          expectPage(res.body, 1, 20, 2);
          expect(idsOf(res.body, 'task_id')).toEqual(['task123', 'task123456']);
        }
      });

      sharedListingTests(TASK, () => ({ t, f }));
    },
  );
}
