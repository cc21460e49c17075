// Taskgate in front of the midjourney-proxy simulator, both real HTTP servers on loopback, with a user, an API
// key and a channel. Both clocks are moved by hand: the simulator's drives generation, Taskgate's drives polls.
import type { PollerSettings, RoundStats } from '../../src/engine/poller.js';
import {
  createMidjourneySimulator,
  type MidjourneySimOptions,
  type MidjourneySimulator,
} from '../../src/sim/midjourney/index.js';
import type { Dialect } from '../../src/store/db.js';
import { ledgerBalance } from '../../src/store/ledger.js';
import { findTaskByPublicId } from '../../src/store/tasks.js';
import { type Actor, type Response, startTestApp, type TestApp } from './app.js';

export const SIM_SECRET = 'sim-channel-secret';
export const USER_QUOTA = 10_000_000;
/** One poll interval and a little more: every unfinished task is due again after this. */
export const ROUND_MS = 16_000;

export interface MjWorld {
  t: TestApp;
  sim: MidjourneySimulator;
  simUrl: string;
  user: Actor;
  key: string;
  keyId: number;
  channelId: number;
  submit(path: string, body: unknown, key?: string): Promise<Response>;
  fetchTask(id: string, key?: string): Promise<Response>;
  /** Moves the simulator's time (generation) forward. */
  generate(ms: number): void;
  /** Moves Taskgate's clock by a poll interval and runs one poll round. */
  pollRound(advanceMs?: number): Promise<RoundStats>;
  task(id: string): ReturnType<typeof findTaskByPublicId>;
  balance(): Promise<{ quota: number; usedQuota: number; ledger: number; keyRemain: number }>;
  addChannel(simUrl: string, overrides?: Record<string, unknown>): Promise<number>;
  close(): Promise<void>;
}

export interface MjWorldOptions {
  sim?: MidjourneySimOptions;
  poller?: Partial<PollerSettings>;
  channel?: Record<string, unknown>;
  env?: Record<string, string>;
}

export async function startMjWorld(dialect: Dialect, options: MjWorldOptions = {}): Promise<MjWorld> {
  const sim = createMidjourneySimulator({ apiSecret: SIM_SECRET, mode: 'P', ...options.sim });
  const simUrl = await sim.listen();
  const t = await startTestApp(dialect, options.env, {
    poller: { pollTimeoutMs: 2_000, vanishGraceMs: 60_000, ...options.poller },
  });
  const user = await t.createUser({ quota: USER_QUOTA });
  const { key, id: keyId } = await t.createKey(user, { unlimitedQuota: false, remainQuota: USER_QUOTA });

  const addChannel = async (url: string, overrides: Record<string, unknown> = {}) => {
    const created = await t.request('POST', '/api/channel/', {
      as: t.root,
      body: { type: 'midjourney-plus', name: 'sim', base_url: url, key: SIM_SECRET, ...overrides },
    });
    if (created.status !== 200) throw new Error(`channel not created: ${created.text}`);
    return created.body.data.id as number;
  };
  const channelId = await addChannel(simUrl, options.channel);

  const world: MjWorld = {
    t,
    sim,
    simUrl,
    user,
    key,
    keyId,
    channelId,
    submit: (path, body, k = key) =>
      t.request('POST', path, { body, headers: { authorization: `Bearer ${k}` } }),
    fetchTask: (id, k = key) =>
      t.request('GET', `/mj/task/${id}/fetch`, { headers: { authorization: `Bearer ${k}` } }),
    generate: (ms) => sim.state.clock.advance(ms),
    async pollRound(advanceMs = ROUND_MS) {
      t.clock.advance(advanceMs);
      return t.ctx.engine.poller.runOnce();
    },
    task: (id) => findTaskByPublicId(t.ctx.store, id),
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
  return world;
}

/** Runs poll rounds, letting `simMs` of generation pass before each, until `done` or `rounds` run out. */
export async function pollUntil(
  world: MjWorld,
  done: () => Promise<boolean>,
  { rounds = 20, simMs = 5_000 } = {},
): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await done()) return;
    world.generate(simMs);
    await world.pollRound();
  }
  if (!(await done())) throw new Error(`condition not reached after ${rounds} rounds`);
}
