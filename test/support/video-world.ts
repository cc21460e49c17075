// Taskgate in front of the OpenAI video simulator, both real HTTP servers on loopback, with a user, an API key and
// an openai-video channel. Both clocks are moved by hand: the simulator's drives rendering, Taskgate's drives polls.
import type { PollerSettings, RoundStats } from '../../src/engine/poller.js';
import {
  createVideoSimulator,
  type VideoSimOptions,
  type VideoSimulator,
} from '../../src/sim/openai-video/index.js';
import type { Dialect } from '../../src/store/db.js';
import { ledgerBalance } from '../../src/store/ledger.js';
import { findTaskByPublicId } from '../../src/store/tasks.js';
import { type Actor, type Response, startTestApp, type TestApp } from './app.js';

export const SIM_KEY = 'sk-sim-video-channel-key';
export const USER_QUOTA = 50_000_000;
/** One poll interval and a little more: every unfinished task is due again after this. */
export const ROUND_MS = 16_000;

export interface VideoWorld {
  t: TestApp;
  sim: VideoSimulator;
  simUrl: string;
  user: Actor;
  key: string;
  keyId: number;
  channelId: number;
  /** A JSON request with the world's API key (or `key`). */
  call(method: string, path: string, body?: unknown, key?: string): Promise<Response>;
  create(body: Record<string, unknown>, key?: string): Promise<Response>;
  /** A multipart/form-data create (OpenAI's SDK form when a file is attached). */
  createMultipart(
    fields: Record<string, string>,
    file?: { filename: string; type: string; data: Buffer },
    path?: string,
  ): Promise<Response>;
  /** Moves the simulator's time (rendering) forward. */
  render(ms: number): void;
  /** Moves Taskgate's clock by a poll interval and runs one poll round. */
  pollRound(advanceMs?: number): Promise<RoundStats>;
  task(id: string): ReturnType<typeof findTaskByPublicId>;
  balance(): Promise<{ quota: number; usedQuota: number; ledger: number; keyRemain: number }>;
  ledgerOf(taskId: string): Promise<Array<{ kind: string; quota: number }>>;
  addChannel(simUrl: string, overrides?: Record<string, unknown>): Promise<number>;
  /** The simulator's create requests, newest last. */
  createsSeen(): Array<{ headers: Record<string, unknown>; body: unknown; url: string }>;
  close(): Promise<void>;
}

export interface VideoWorldOptions {
  sim?: VideoSimOptions;
  poller?: Partial<PollerSettings>;
  channel?: Record<string, unknown>;
  env?: Record<string, string>;
}

export async function startVideoWorld(
  dialect: Dialect,
  options: VideoWorldOptions = {},
): Promise<VideoWorld> {
  const sim = createVideoSimulator({ apiKey: SIM_KEY, ...options.sim });
  const simUrl = await sim.listen();
  const t = await startTestApp(dialect, options.env, {
    poller: { pollTimeoutMs: 2_000, vanishGraceMs: 60_000, ...options.poller },
  });
  const user = await t.createUser({ quota: USER_QUOTA });
  const { key, id: keyId } = await t.createKey(user, { unlimitedQuota: false, remainQuota: USER_QUOTA });

  const addChannel = async (url: string, overrides: Record<string, unknown> = {}) => {
    const created = await t.request('POST', '/api/channel/', {
      as: t.root,
      body: { type: 'openai-video', name: 'video sim', base_url: url, key: SIM_KEY, ...overrides },
    });
    if (created.status !== 200) throw new Error(`channel not created: ${created.text}`);
    return created.body.data.id as number;
  };
  const channelId = await addChannel(simUrl, options.channel);

  const call = (method: string, path: string, body?: unknown, k = key) =>
    t.request(method, path, { body, headers: { authorization: `Bearer ${k}` } });

  return {
    t,
    sim,
    simUrl,
    user,
    key,
    keyId,
    channelId,
    call,
    create: (body, k = key) => call('POST', '/v1/videos', body, k),
    async createMultipart(fields, file, path = '/v1/videos') {
      const form = multipartBody(fields, file);
      const response = await fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': form.contentType },
        body: form.body,
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      return { status: response.status, body, headers: response.headers, text };
    },
    render: (ms) => sim.state.clock.advance(ms),
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
    ledgerOf: (taskId) =>
      t.ctx.store.db
        .selectFrom('ledger')
        .select(['kind', 'quota'])
        .where('task_id', '=', taskId)
        .orderBy('id')
        .execute(),
    addChannel,
    createsSeen: () =>
      sim.state.calls.requests.filter((r) => r.method === 'POST' && r.url.startsWith('/v1/videos')),
    async close() {
      await t.close();
      await sim.close();
    },
  };
}

/** Runs poll rounds, letting `simMs` of rendering pass before each, until `done` or `rounds` run out. */
export async function pollUntil(
  world: VideoWorld,
  done: () => Promise<boolean>,
  { rounds = 30, simMs = 5_000 } = {},
): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await done()) return;
    world.render(simMs);
    await world.pollRound();
  }
  if (!(await done())) throw new Error(`condition not reached after ${rounds} rounds`);
}

/** A multipart create body (what OpenAI's SDK sends when a file is attached). */
export function multipartBody(
  fields: Record<string, string>,
  file?: { name?: string; filename: string; type: string; data: Buffer },
): { body: Buffer; contentType: string } {
  const boundary = `----test${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.name ?? 'input_reference'}"; filename="${file.filename}"\r\n` +
          `Content-Type: ${file.type}\r\n\r\n`,
      ),
      file.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
