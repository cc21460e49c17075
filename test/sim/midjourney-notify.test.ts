// notifyHook callbacks of the midjourney-proxy simulator, delivered to a real local receiver.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMidjourneySimulator,
  type MidjourneySimOptions,
  type MidjourneySimulator,
} from '../../src/sim/midjourney/index.js';

interface Received {
  status: string;
  progress: string | null;
  id: string;
  properties: Record<string, unknown>;
}

let sim: MidjourneySimulator | null = null;
let receiver: Server | null = null;
afterEach(async () => {
  await sim?.close();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(null)));
  sim = null;
  receiver = null;
});

/** A callback receiver that records every JSON body; `answerAfterMs` makes it slow. */
async function listenForCallbacks(answerAfterMs = 0) {
  const received: Received[] = [];
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push(JSON.parse(body));
      setTimeout(() => response.end('ok'), answerAfterMs);
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/mj/notify`;
  return { received, url };
}

async function start(options: MidjourneySimOptions = {}) {
  const realNow = 1_700_000_000_000;
  sim = createMidjourneySimulator({ now: () => realNow, ...options });
  const base = await sim.listen();
  const s = sim;
  const submit = async (body: unknown) => {
    const res = await fetch(`${base}/mj/submit/imagine`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as { result: string };
    return answer.result;
  };
  return { sim: s, submit };
}

const WHOLE_LIFE = [
  'SUBMITTED 0%',
  'IN_PROGRESS 0%',
  'IN_PROGRESS 0%',
  ...[15, 31, 46, 62, 78, 93].map((p) => `IN_PROGRESS ${p}%`),
  'SUCCESS 100%',
];

function steps(received: Received[]): string[] {
  return received.map((r) => `${r.status} ${r.progress}`);
}

describe('midjourney simulator: notifyHook', () => {
  it('posts the task on every status and progress change, never at NOT_START, even across a clock jump', async () => {
    const { received, url } = await listenForCallbacks();
    const { sim, submit } = await start();
    const id = await submit({ prompt: 'hooked', notifyHook: url });
    await sim.state.notifier.flush();
    expect(received).toEqual([]);
    sim.state.clock.advance(60_000);
    await sim.state.notifier.flush();
    expect(steps(received)).toEqual(WHOLE_LIFE);
    expect(received.every((r) => r.id === id && r.properties.notifyHook === url)).toBe(true);
    expect(sim.state.counters.notifications).toHaveLength(WHOLE_LIFE.length);
    expect(sim.state.counters.notifications[0]).toMatchObject({ taskId: id, httpStatus: 200, error: null });
    // Nothing more once the task has ended.
    sim.state.clock.advance(60_000);
    await sim.state.notifier.flush();
    expect(received).toHaveLength(WHOLE_LIFE.length);
  });

  it('duplicates and reorders deliveries when asked to', async () => {
    const { received, url } = await listenForCallbacks();
    const { sim, submit } = await start({ notifyDuplicate: true, notifyReorder: true });
    await submit({ prompt: 'messy', notifyHook: url });
    sim.state.clock.advance(60_000);
    await sim.state.notifier.flush();
    expect(steps(received)).toEqual([...WHOLE_LIFE].reverse().flatMap((s) => [s, s]));
  });

  it('uses the global hook for tasks without their own, and notifies a forced state', async () => {
    const { received, url } = await listenForCallbacks();
    const { sim, submit } = await start({ notifyHook: url });
    const id = await submit({ prompt: 'global' });
    sim.state.forceTask(id, { status: 'FAILURE', failReason: 'forced' });
    await sim.state.notifier.flush();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      id,
      status: 'FAILURE',
      progress: '',
      properties: { notifyHook: url },
    });
  });

  it('records unreachable and slow receivers without failing', async () => {
    const slow = await listenForCallbacks(500);
    const { sim, submit } = await start({ notifyTimeoutMs: 100 });
    await submit({ prompt: 'nobody home sim:fail@0', notifyHook: 'http://127.0.0.1:9/mj/notify' });
    await submit({ prompt: 'slow home sim:fail@0', notifyHook: slow.url });
    sim.state.clock.advance(1000);
    await sim.state.notifier.flush();
    const errors = sim.state.counters.notifications.map((n) => n.error);
    expect(errors).toHaveLength(2);
    expect(errors.every((e) => typeof e === 'string' && e.length > 0)).toBe(true);
  });

  it('delivers by itself as simulated time passes (background ticker)', async () => {
    const { received, url } = await listenForCallbacks();
    sim = createMidjourneySimulator({ timeScale: 200 });
    const base = await sim.listen();
    await fetch(`${base}/mj/submit/imagine`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'ticking', notifyHook: url }),
    });
    const deadline = Date.now() + 5000;
    while (!received.some((r) => r.status === 'SUCCESS') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(steps(received)).toEqual(WHOLE_LIFE);
  });
});
