// What every platform's test world shares: a real Taskgate over a fresh database, a user with balance and a
// metered API key, a channel pointing at a simulator, and helpers for poll rounds and money checks.
import type { RoundStats } from '../../src/engine/poller.js';
import type { PollerSettings } from '../../src/engine/poller-settings.js';
import type { Dialect } from '../../src/store/db.js';
import { ledgerBalance } from '../../src/store/ledger.js';
import { findTaskByPublicId } from '../../src/store/tasks.js';
import { type Actor, startTestApp, type TestApp } from './app.js';

/** One poll interval and a little more: every unfinished task is due again after this. */
export const ROUND_MS = 16_000;

export interface BaseWorld {
  t: TestApp;
  user: Actor;
  key: string;
  keyId: number;
  channelId: number;
  addChannel(url: string, overrides?: Record<string, unknown>): Promise<number>;
  /** Moves Taskgate's clock by a poll interval and runs one poll round. */
  pollRound(advanceMs?: number): Promise<RoundStats>;
  task(id: string): ReturnType<typeof findTaskByPublicId>;
  ledgerOf(taskId: string): Promise<Array<{ kind: string; quota: number }>>;
  /** `channelUsed`: every channel's `used_quota` summed (a retried task may end on another channel). */
  balance(): Promise<{
    quota: number;
    usedQuota: number;
    ledger: number;
    keyRemain: number;
    channelUsed: number;
  }>;
}

export interface BaseWorldOptions {
  poller?: Partial<PollerSettings>;
  channel?: Record<string, unknown>;
  env?: Record<string, string>;
  submitTimeoutMs?: number;
}

export async function startBaseWorld(
  dialect: Dialect,
  channel: { type: string; name: string; url: string; key: string },
  quota: number,
  options: BaseWorldOptions = {},
): Promise<BaseWorld> {
  const t = await startTestApp(dialect, options.env, {
    poller: { pollTimeoutMs: 2_000, vanishGraceMs: 60_000, ...options.poller },
    submitTimeoutMs: options.submitTimeoutMs,
  });
  const user = await t.createUser({ quota });
  const { key, id: keyId } = await t.createKey(user, { unlimitedQuota: false, remainQuota: quota });
  const addChannel = async (url: string, overrides: Record<string, unknown> = {}) => {
    const created = await t.request('POST', '/api/channel/', {
      as: t.root,
      body: { type: channel.type, name: channel.name, base_url: url, key: channel.key, ...overrides },
    });
    if (created.status !== 200) throw new Error(`channel not created: ${created.text}`);
    return created.body.data.id as number;
  };
  const channelId = await addChannel(channel.url, options.channel);
  // Always through t.ctx: a restart (t.reopen) replaces the store.
  return {
    t,
    user,
    key,
    keyId,
    channelId,
    addChannel,
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
      const row = await t.ctx.store.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow();
      const token = await t.ctx.store.db
        .selectFrom('tokens')
        .selectAll()
        .where('id', '=', keyId)
        .executeTakeFirstOrThrow();
      return {
        quota: row.quota,
        usedQuota: row.used_quota,
        ledger: await ledgerBalance(t.ctx.store, user.id),
        keyRemain: token.remain_quota,
        channelUsed: (await t.ctx.store.db.selectFrom('channels').select('used_quota').execute()).reduce(
          (sum, c) => sum + c.used_quota,
          0,
        ),
      };
    },
  };
}

/** Runs poll rounds, letting `simMs` of upstream time pass before each, until `done` or `rounds` run out. */
export async function pollRoundsUntil(
  world: { pollRound(): Promise<unknown> },
  advanceUpstream: (ms: number) => void,
  done: () => Promise<boolean>,
  { rounds = 20, simMs = 5_000 } = {},
): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await done()) return;
    advanceUpstream(simMs);
    await world.pollRound();
  }
  if (!(await done())) throw new Error(`condition not reached after ${rounds} rounds`);
}
