// Taskgate in front of the Suno-API simulator, both real HTTP servers on loopback, with a user, an API key and a
// channel. Both clocks are moved by hand: the simulator's drives generation, Taskgate's drives polls.
import { expect } from 'vitest';
import type { PollerSettings, RoundStats } from '../../src/engine/poller.js';
import { createSunoSimulator, type SunoSimOptions, type SunoSimulator } from '../../src/sim/suno/index.js';
import type { Dialect } from '../../src/store/db.js';
import { ledgerBalance } from '../../src/store/ledger.js';
import { findTaskByPublicId } from '../../src/store/tasks.js';
import { type Actor, type Response, startTestApp, type TestApp } from './app.js';

export const SIM_SECRET = 'sim-suno-secret';
export const USER_QUOTA = 10_000_000;
/** One poll interval and a little more: every unfinished task is due again after this. */
export const ROUND_MS = 16_000;
/** Simulated seconds after which a default song has both clips complete (timings.secondClipDoneAt). */
export const SONG_DONE_MS = 70_000;

export interface SunoWorld {
  t: TestApp;
  sim: SunoSimulator;
  simUrl: string;
  user: Actor;
  key: string;
  keyId: number;
  channelId: number;
  /** POST /suno/submit/{action} with the world's key (or another). */
  submit(action: string, body: unknown, key?: string): Promise<Response>;
  fetchOne(id: string, key?: string): Promise<Response>;
  fetchMany(ids: unknown, key?: string): Promise<Response>;
  /** Moves the simulator's time (generation) forward. */
  generate(ms: number): void;
  /** Moves Taskgate's clock by a poll interval and runs one poll round. */
  pollRound(advanceMs?: number): Promise<RoundStats>;
  task(id: string): ReturnType<typeof findTaskByPublicId>;
  ledgerOf(taskId: string): Promise<Array<{ kind: string; quota: number }>>;
  balance(): Promise<{ quota: number; usedQuota: number; ledger: number; keyRemain: number }>;
  addChannel(simUrl: string, overrides?: Record<string, unknown>): Promise<number>;
  close(): Promise<void>;
}

export interface SunoWorldOptions {
  sim?: SunoSimOptions;
  poller?: Partial<PollerSettings>;
  channel?: Record<string, unknown>;
  env?: Record<string, string>;
  /** How long Taskgate waits for a submit's answer (default 60 s). */
  submitTimeoutMs?: number;
}

export async function startSunoWorld(dialect: Dialect, options: SunoWorldOptions = {}): Promise<SunoWorld> {
  const sim = createSunoSimulator({ secretToken: SIM_SECRET, lyricsDelayMs: 10, ...options.sim });
  const simUrl = await sim.listen();
  const t = await startTestApp(dialect, options.env, {
    poller: { pollTimeoutMs: 2_000, vanishGraceMs: 60_000, ...options.poller },
    submitTimeoutMs: options.submitTimeoutMs,
  });
  const user = await t.createUser({ quota: USER_QUOTA });
  const { key, id: keyId } = await t.createKey(user, { unlimitedQuota: false, remainQuota: USER_QUOTA });

  const addChannel = async (url: string, overrides: Record<string, unknown> = {}) => {
    const created = await t.request('POST', '/api/channel/', {
      as: t.root,
      body: { type: 'suno', name: 'suno sim', base_url: url, key: SIM_SECRET, ...overrides },
    });
    if (created.status !== 200) throw new Error(`channel not created: ${created.text}`);
    return created.body.data.id as number;
  };
  const channelId = await addChannel(simUrl, options.channel);
  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

  return {
    t,
    sim,
    simUrl,
    user,
    key,
    keyId,
    channelId,
    submit: (action, body, k = key) =>
      t.request('POST', `/suno/submit/${action}`, { body, headers: bearer(k) }),
    fetchOne: (id, k = key) =>
      t.request('GET', `/suno/fetch/${encodeURIComponent(id)}`, { headers: bearer(k) }),
    fetchMany: (ids, k = key) => t.request('POST', '/suno/fetch', { body: { ids }, headers: bearer(k) }),
    generate: (ms) => sim.state.clock.advance(ms),
    async pollRound(advanceMs = ROUND_MS) {
      t.clock.advance(advanceMs);
      return t.ctx.engine.poller.runOnce();
    },
    task: (id) => findTaskByPublicId(t.ctx.store, id),
    ledgerOf: (taskId) =>
      t.ctx.store.db
        .selectFrom('ledger')
        .select(['kind', 'quota'])
        .where('task_id', '=', taskId)
        .orderBy('id')
        .execute(),
    async balance() {
      const { store } = t.ctx;
      const row = await store.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow();
      const token = await store.db
        .selectFrom('tokens')
        .selectAll()
        .where('id', '=', keyId)
        .executeTakeFirstOrThrow();
      return {
        quota: row.quota,
        usedQuota: row.used_quota,
        ledger: await ledgerBalance(store, user.id),
        keyRemain: token.remain_quota,
      };
    },
    addChannel,
    async close() {
      await t.close();
      await sim.close();
    },
  };
}

/** Runs poll rounds, letting `simMs` of generation pass before each, until `done` or `rounds` run out. */
export async function pollUntil(
  world: SunoWorld,
  done: () => Promise<boolean>,
  { rounds = 30, simMs = 5_000 } = {},
): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await done()) return;
    world.generate(simMs);
    await world.pollRound();
  }
  if (!(await done())) throw new Error(`condition not reached after ${rounds} rounds`);
}

/** Submits and returns Taskgate's id, failing the test with the answer when the submit was not accepted. */
export async function submitted(world: SunoWorld, action: string, body: unknown): Promise<string> {
  const answer = await world.submit(action, body);
  expect(answer.body, answer.text).toMatchObject({ code: 'success', message: '' });
  return answer.body.data as string;
}

export const statusIs = (world: SunoWorld, id: string, status: string) => async () =>
  (await world.task(id))?.status === status;
