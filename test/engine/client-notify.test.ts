// Client callbacks (notifyHook) over real HTTP to a receiver on loopback: one signed delivery per change, in order,
// retried after failures and given up with a log, refused for private targets unless allowed, bounded in memory,
// and never holding up the task writer. Driven through the task writer, on every database engine.
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { hashSecret, newApiKey, newMjPublicId, newTaskPublicId } from '../../src/core/ids.js';
import { verifyMediaSignature } from '../../src/core/media-signing.js';
import {
  ClientNotifier,
  type NotifySettings,
  OWED_CALLBACK_AGE_MS,
  owesCallback,
} from '../../src/engine/client-notify.js';
import { TaskWriter } from '../../src/engine/task-writer.js';
import { createMetrics } from '../../src/http/plugins/metrics.js';
import { Options } from '../../src/services/options.js';
import type { Store } from '../../src/store/db.js';
import type { NewTask, TaskPatch, TaskRow } from '../../src/store/schema.js';
import { findTaskByPublicId, insertTask, taskValues } from '../../src/store/tasks.js';
import { createToken, unlimitedKey } from '../../src/store/tokens.js';
import { createUser } from '../../src/store/users.js';
import { startTestApp } from '../support/app.js';
import { describeEachBackend } from '../support/databases.js';

const SECRET = 'server-secret-for-media-urls-0123456789';
const SERVER = 'https://taskgate.example';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  path: string;
}

/** A callback receiver on 127.0.0.1; `answer` decides each reply (a status, or 'hang' to never answer). */
async function startReceiver() {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  let answer: (n: number, req: Received) => number | 'hang' = () => 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const item = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        path: req.url ?? '',
      };
      received.push(item);
      const status = answer(received.length, item);
      if (status === 'hang') return void hanging.push(res);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received,
    hanging,
    set answer(fn: typeof answer) {
      answer = fn;
    },
    /** Cuts every hung answer (the sender sees a failure). */
    release() {
      for (const res of hanging.splice(0)) res.destroy();
    },
    reset() {
      received.length = 0;
      for (const res of hanging.splice(0)) res.destroy();
      answer = () => 200;
    },
    async close() {
      for (const res of hanging.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** What a client does with its own API key: the HMAC key is the hex SHA-256 of the key. */
function expectedSignature(apiKey: string, timestamp: string, body: string): string {
  const key = createHash('sha256').update(apiKey).digest('hex');
  return `v1=${createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')}`;
}

type Log = { level: string; fields: Record<string, unknown>; message: string };

describeEachBackend('client callbacks', (current) => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let store: Store;
  let options: Options;
  const clock = new ManualClock(Date.UTC(2026, 2, 1));
  const logs: Log[] = [];
  const log = {
    info: (fields: object, message: string) => logs.push({ level: 'info', fields: { ...fields }, message }),
    warn: (fields: object, message: string) => logs.push({ level: 'warn', fields: { ...fields }, message }),
    error: (fields: object, message: string) => logs.push({ level: 'error', fields: { ...fields }, message }),
  } as never;
  let writer: TaskWriter;
  let notifier: ClientNotifier;
  let userId: number;
  let tokenId: number;
  let apiKey: string;

  const settings: Partial<NotifySettings> = { retryDelaysMs: [30, 60], timeoutMs: 2_000 };
  const makeNotifier = (extra: Partial<NotifySettings> = {}) =>
    new ClientNotifier(
      { store, clock, options, log, secret: SECRET, serverAddress: () => SERVER },
      { ...settings, ...extra },
    );

  beforeAll(async () => {
    store = current();
    receiver = await startReceiver();
    options = new Options(store);
    // The receiver is on loopback, which is private.
    await options.set('NotifyPrivateTargetsAllowed', 'true');
    userId = await createUser(
      store,
      { username: `cb${Date.now()}`, passwordHash: 'x', role: 1 },
      clock.now(),
    );
    apiKey = newApiKey();
    tokenId = await createToken(store, userId, hashSecret(apiKey), apiKey, unlimitedKey('k'), clock.now());
    writer = new TaskWriter(store, clock, createMetrics(false), log, owesCallback);
    notifier = makeNotifier();
    writer.onChange((before, after) => notifier.taskChanged(before, after));
  });

  afterEach(async () => {
    receiver.reset();
    logs.length = 0;
    await options.set('NotifyPrivateTargetsAllowed', 'true');
  });

  afterAll(async () => {
    await notifier?.close();
    await receiver?.close();
  });

  // The clock stands still and a midjourney id is its millisecond plus 3 random digits: a distinct millisecond
  // per task keeps two ids from colliding (the relay retries a collision; this helper inserts directly).
  let distinctMs = 0;
  const addTask = async (fields: Partial<NewTask> = {}): Promise<TaskRow> => {
    const taskId =
      fields.platform && fields.platform !== 'midjourney'
        ? newTaskPublicId()
        : newMjPublicId(clock.now() + ++distinctMs);
    await insertTask(
      store,
      taskValues(
        {
          task_id: taskId,
          platform: 'midjourney',
          action: 'IMAGINE',
          user_id: userId,
          token_id: tokenId,
          submit_time: clock.now(),
          status: 'SUBMITTED',
          progress: '0%',
          notify_hook: `${receiver.base}/hook?client_token=client-own-secret`,
          ...fields,
        },
        clock.now(),
      ),
    );
    return (await findTaskByPublicId(store, taskId))!;
  };

  /** Commits `patch` over the task's current row, as the poller would. */
  const step = async (taskId: string, patch: TaskPatch) => {
    const row = (await findTaskByPublicId(store, taskId))!;
    expect(await writer.commit(row, patch, { version: row.version })).not.toBeNull();
  };

  it('delivers one signed callback per status or progress change, in order', async () => {
    const task = await addTask();
    // A slow receiver: later changes queue behind earlier ones instead of overtaking them.
    receiver.answer = () => 200;
    await step(task.task_id, { status: 'IN_PROGRESS', progress: '10%', start_time: clock.now() });
    await step(task.task_id, { progress: '55%' });
    await step(task.task_id, { buttons: '[]', description: 'no status or progress change: no callback' });
    await step(task.task_id, {
      status: 'SUCCESS',
      progress: '100%',
      finish_time: clock.now(),
      image_url: 'https://cdn.discordapp.com/attachments/1/2/fox.png',
    });
    await until(() => receiver.received.length >= 3, 'three callbacks');
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received.length).toBe(3);

    const bodies = receiver.received.map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => [b.status, b.progress])).toEqual([
      ['IN_PROGRESS', '10%'],
      ['IN_PROGRESS', '55%'],
      ['SUCCESS', '100%'],
    ]);
    for (const { headers, body, path } of receiver.received) {
      expect(path).toBe('/hook?client_token=client-own-secret');
      expect(headers['content-type']).toBe('application/json');
      expect(headers['x-taskgate-event']).toBe('task.updated');
      const timestamp = String(headers['x-taskgate-timestamp']);
      expect(timestamp).toBe(String(Math.floor(clock.now() / 1000)));
      expect(headers['x-taskgate-signature']).toBe(expectedSignature(apiKey, timestamp, body));
    }
    expect(receiver.received.map((r) => Number(r.headers['x-taskgate-task-version']))).toEqual([1, 2, 4]);

    // midjourney-proxy's Task object, with the image behind a signed Taskgate URL.
    const done = bodies[2];
    expect(done.id).toBe(task.task_id);
    expect(done.action).toBe('IMAGINE');
    expect(done.finishTime).toBe(clock.now());
    const image = new URL(done.imageUrl);
    expect(`${image.origin}${image.pathname}`).toBe(`${SERVER}/mj/image/${task.task_id}`);
    expect(
      verifyMediaSignature(
        SECRET,
        image.pathname,
        image.searchParams.get('exp')!,
        image.searchParams.get('sig')!,
        clock.now(),
        image.searchParams.get('v')!,
      ),
    ).toBe(true);
    expect(done.imageUrl).not.toContain('discordapp');
  });

  it('sends the task-center view for other platforms', async () => {
    const task = await addTask({ platform: 'suno', action: 'MUSIC', data: '[{"id":"clip-1"}]' });
    await step(task.task_id, {
      status: 'FAILURE',
      progress: '100%',
      fail_reason: 'upstream said no',
    });
    await until(() => receiver.received.length === 1, 'the callback');
    const body = JSON.parse(receiver.received[0].body);
    expect(body).toEqual({
      task_id: task.task_id,
      platform: 'suno',
      action: 'MUSIC',
      status: 'FAILURE',
      progress: '100%',
      fail_reason: 'upstream said no',
      submit_time: Math.floor(clock.now() / 1000),
      start_time: 0,
      finish_time: 0,
      data: [{ id: 'clip-1' }],
    });
  });

  it('retries after a 500 and then delivers the same body', async () => {
    const task = await addTask();
    receiver.answer = (n) => (n === 1 ? 500 : 200);
    await step(task.task_id, { status: 'IN_PROGRESS', progress: '5%' });
    await until(() => receiver.received.length === 2, 'the retry');
    expect(receiver.received[1].body).toBe(receiver.received[0].body);
    expect(logs.some((l) => l.message === 'client callback failed' && l.fields.status === 500)).toBe(true);
    await until(() => notifier.backlog === 0, 'an empty backlog');
  });

  it('gives up after every attempt failed, with a log that holds no secret', async () => {
    const task = await addTask();
    receiver.answer = () => 503;
    await step(task.task_id, { status: 'IN_PROGRESS', progress: '5%' });
    await until(() => logs.some((l) => l.message === 'client callback given up'), 'giving up');
    // One attempt, then one per retry delay.
    expect(receiver.received.length).toBe(3);
    await new Promise((r) => setTimeout(r, 150));
    expect(receiver.received.length).toBe(3);
    const failures = logs.filter((l) => l.message === 'client callback failed');
    expect(failures.map((l) => l.fields.attempt)).toEqual([1, 2, 3]);
    const text = JSON.stringify(logs);
    expect(text).not.toContain('client-own-secret');
    expect(text).not.toContain(hashSecret(apiKey));
    expect(text).not.toContain('x-taskgate-signature');
    expect(text).toContain(receiver.base);
  });

  it('refuses a private target when NotifyPrivateTargetsAllowed is off: the receiver sees nothing', async () => {
    await options.set('NotifyPrivateTargetsAllowed', 'false');
    const task = await addTask();
    await step(task.task_id, { status: 'IN_PROGRESS', progress: '5%' });
    await until(() => logs.some((l) => l.message.startsWith('client callback refused')), 'the refusal');
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received).toEqual([]);
    expect(notifier.backlog).toBe(0);
  });

  it('never holds up the writer, and a hung receiver of one task does not hold up another task', async () => {
    const slow = await addTask({ notify_hook: `${receiver.base}/slow` });
    const fast = await addTask({ notify_hook: `${receiver.base}/fast` });
    receiver.answer = (_n, req) => (req.path === '/slow' ? 'hang' : 200);
    await step(slow.task_id, { status: 'IN_PROGRESS', progress: '5%' });
    await step(slow.task_id, { progress: '50%' });
    // Both commits are done while the first callback still waits for its answer.
    await until(() => receiver.hanging.length === 1, 'the hung callback');
    await step(fast.task_id, { status: 'IN_PROGRESS', progress: '5%' });
    await until(() => receiver.received.some((r) => r.path === '/fast'), 'the other task’s callback');
    // The second state of the hung task waits for the first: order is kept.
    expect(receiver.received.filter((r) => r.path === '/slow').length).toBe(1);
    expect(notifier.backlog).toBe(2);
    // Once the hung answer fails, the newer state goes out (the stale one is not retried behind it).
    receiver.answer = () => 200;
    receiver.release();
    await until(() => notifier.backlog === 0, 'an empty backlog');
    const slowBodies = receiver.received
      .filter((r) => r.path === '/slow')
      .map((r) => JSON.parse(r.body).progress);
    expect(slowBodies).toEqual(['5%', '50%']);
  });

  it('keeps a bounded queue: past the limit the oldest undelivered callback is dropped with a warning', async () => {
    const bounded = makeNotifier({ queueLimit: 2, concurrency: 1 });
    try {
      receiver.answer = () => 'hang';
      const rows = await Promise.all(
        [1, 2, 3, 4].map(() => addTask({ notify_hook: `${receiver.base}/bounded` })),
      );
      for (const row of rows) bounded.taskChanged(row, { ...row, status: 'IN_PROGRESS', progress: '1%' });
      await until(() => receiver.hanging.length === 1, 'the first callback in flight');
      expect(receiver.received.map((r) => JSON.parse(r.body).id)).toEqual([rows[0].task_id]);
      const dropped = logs.filter((l) => l.message.startsWith('client callback queue full'));
      expect(dropped.map((l) => l.fields.task)).toEqual([rows[1].task_id, rows[2].task_id]);
      expect(bounded.backlog).toBe(2);
    } finally {
      await bounded.close();
    }
    expect(bounded.backlog).toBe(0);
  });

  /** The task's `notify_pending` mark, as stored. */
  const mark = async (taskId: string) => (await findTaskByPublicId(store, taskId))!.notify_pending;

  it('marks a change that owes a callback in its own write, and clears the mark once the callback is delivered', async () => {
    const task = await addTask();
    receiver.answer = () => 'hang';
    await step(task.task_id, { status: 'IN_PROGRESS', progress: '5%' });
    expect(await mark(task.task_id)).toBe(1);
    await until(() => receiver.hanging.length === 1, 'the callback in flight');
    receiver.answer = () => 200;
    receiver.release();
    await until(() => notifier.backlog === 0, 'the retry delivered');
    await expect.poll(() => mark(task.task_id)).toBe(0);
    // Owing nothing: a change of neither status nor progress, and a task without a hook.
    await step(task.task_id, { description: 'no status or progress change' });
    expect(await mark(task.task_id)).toBe(0);
    const silent = await addTask({ notify_hook: '' });
    await step(silent.task_id, { status: 'IN_PROGRESS', progress: '5%' });
    expect(await mark(silent.task_id)).toBe(0);
  });

  it('clears the mark when a write that owes nothing lands while the callback is in flight, so no duplicate follows', async () => {
    const task = await addTask();
    receiver.answer = () => 'hang';
    await step(task.task_id, { status: 'IN_PROGRESS', progress: '5%' });
    await until(() => receiver.hanging.length === 1, 'the callback in flight');
    // A push of the same state with a new detail: a newer version, but nothing the client is owed.
    await step(task.task_id, { description: 'the same state, new detail' });
    receiver.answer = () => 200;
    receiver.release();
    await until(() => notifier.backlog === 0, 'the callback delivered');
    await expect.poll(() => mark(task.task_id)).toBe(0);
    // Left set, the mark would have the sweep send this state again once the delivery's age passed.
    expect(receiver.received.map((r) => JSON.parse(r.body).progress)).toEqual(['5%', '5%']); // hung, then retried
  });

  it('a callback an instance left behind (it stopped while retrying) is sent once by the sweep, with the current state', async () => {
    const stopping = makeNotifier({ retryDelaysMs: [60_000] });
    const stoppingWriter = new TaskWriter(store, clock, createMetrics(false), log, owesCallback);
    stoppingWriter.onChange((before, after) => stopping.taskChanged(before, after));
    const task = await addTask();
    receiver.answer = () => 500;
    const row = (await findTaskByPublicId(store, task.task_id))!;
    const fence = { version: row.version };
    expect(
      await stoppingWriter.commit(row, { status: 'IN_PROGRESS', progress: '40%' }, fence),
    ).not.toBeNull();
    await until(() => logs.some((l) => l.message === 'client callback failed'), 'the first failure');
    await stopping.close();
    expect(await mark(task.task_id)).toBe(1);

    // Another instance: nothing yet (the stopped one might still have been trying), then the task's state now.
    receiver.answer = () => 200;
    const sweeper = makeNotifier();
    try {
      expect(await sweeper.resendOwed()).toBe(0);
      clock.advance(OWED_CALLBACK_AGE_MS + 1);
      expect(await sweeper.resendOwed()).toBe(1);
      await until(() => receiver.received.length === 2, 'the resent callback');
      const resent = receiver.received[1];
      expect(JSON.parse(resent.body)).toMatchObject({
        id: task.task_id,
        status: 'IN_PROGRESS',
        progress: '40%',
      });
      expect(resent.headers['x-taskgate-task-version']).toBe(String(row.version + 1));
      expect(resent.headers['x-taskgate-signature']).toBe(
        expectedSignature(apiKey, String(resent.headers['x-taskgate-timestamp']), resent.body),
      );
      await expect.poll(() => mark(task.task_id)).toBe(0);
      expect(await sweeper.resendOwed()).toBe(0);
    } finally {
      await sweeper.close();
    }
    expect(receiver.received.length).toBe(2);
  });

  it('close() stops pending retries at once', async () => {
    const closing = makeNotifier({ retryDelaysMs: [60_000] });
    receiver.answer = () => 500;
    const row = await addTask();
    closing.taskChanged(row, { ...row, status: 'IN_PROGRESS', progress: '1%' });
    await until(() => logs.some((l) => l.message === 'client callback failed'), 'the first failure');
    await closing.close();
    expect(closing.backlog).toBe(0);
    closing.taskChanged(row, { ...row, status: 'SUCCESS', progress: '100%' });
    await new Promise((r) => setTimeout(r, 50));
    expect(receiver.received.length).toBe(1);
  });
});

describe('client callbacks through the running app', () => {
  /** A running app, a receiver it may call, and a Midjourney task of a new user with a hook to that receiver. */
  async function appWithHookedTask(fields: Partial<NewTask>) {
    const receiver = await startReceiver();
    const t = await startTestApp('sqlite');
    await t.ctx.options.set('NotifyPrivateTargetsAllowed', 'true');
    const user = await t.createUser();
    const { id: tokenId, key } = await t.createKey(user);
    const taskId = newMjPublicId(t.clock.now());
    const task = {
      task_id: taskId,
      platform: 'midjourney',
      action: 'IMAGINE',
      user_id: user.id,
      token_id: tokenId,
      submit_time: t.clock.now(),
      notify_hook: `${receiver.base}/cb`,
      ...fields,
    };
    await insertTask(t.ctx.store, taskValues(task, t.clock.now()));
    const close = async () => {
      await t.close();
      await receiver.close();
    };
    return { receiver, t, key, taskId, close };
  }

  it('a callback a restart interrupted is sent after it by the resend job', async () => {
    const { receiver, t, taskId, close } = await appWithHookedTask({ status: 'SUBMITTED' });
    try {
      // The receiver holds the first attempt: no retry can happen before the restart cuts it off.
      receiver.answer = () => 'hang';
      const row = (await findTaskByPublicId(t.ctx.store, taskId))!;
      await t.ctx.engine.writer.commit(
        row,
        { status: 'IN_PROGRESS', progress: '30%' },
        { version: row.version },
      );
      await until(() => receiver.hanging.length === 1, 'the first attempt');
      // Restarted mid-delivery: the new process has no memory of it, only the task's mark.
      await t.reopen();
      receiver.answer = () => 200;
      t.clock.advance(OWED_CALLBACK_AGE_MS + 1);
      await t.ctx.engine.jobs.runOnce();
      await until(() => receiver.received.length === 2, 'the resent callback');
      expect(JSON.parse(receiver.received[1].body)).toMatchObject({
        id: taskId,
        status: 'IN_PROGRESS',
        progress: '30%',
      });
      await expect.poll(async () => (await findTaskByPublicId(t.ctx.store, taskId))!.notify_pending).toBe(0);
      await t.ctx.engine.jobs.runOnce();
      await new Promise((r) => setTimeout(r, 50));
      expect(receiver.received.length).toBe(2);
    } finally {
      await close();
    }
  });

  it('the engine’s own notifier calls the hook with media URLs signed for this server', async () => {
    const { receiver, t, key, taskId, close } = await appWithHookedTask({
      status: 'IN_PROGRESS',
      progress: '90%',
    });
    try {
      const row = (await findTaskByPublicId(t.ctx.store, taskId))!;
      await t.ctx.engine.writer.commit(
        row,
        {
          status: 'SUCCESS',
          progress: '100%',
          image_url: 'https://cdn.example.com/a.png',
        },
        { version: row.version },
      );
      await until(() => receiver.received.length === 1, 'the callback');
      const { headers, body } = receiver.received[0];
      expect(headers['x-taskgate-signature']).toBe(
        expectedSignature(key, String(headers['x-taskgate-timestamp']), body),
      );
      const image = new URL(JSON.parse(body).imageUrl);
      expect(image.origin).toBe(t.url);
      // The URL handed to the client opens on this server (the file host itself is unreachable: a 502, not a 403).
      const res = await fetch(image);
      expect(res.status).not.toBe(403);
    } finally {
      await close();
    }
  });
});
