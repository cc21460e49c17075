// Taskgate in front of the midjourney-proxy simulator, both real HTTP servers on loopback, with a user, an API
// key and a channel. Both clocks are moved by hand: the simulator's drives generation, Taskgate's drives polls.
import {
  createMidjourneySimulator,
  type MidjourneySimOptions,
  type MidjourneySimulator,
} from '../../src/sim/midjourney/index.js';
import type { Dialect } from '../../src/store/db.js';
import type { Response } from './app.js';
import { type BaseWorld, type BaseWorldOptions, pollRoundsUntil, startBaseWorld } from './world.js';

export { ROUND_MS } from './world.js';

export const SIM_SECRET = 'sim-channel-secret';
export const USER_QUOTA = 10_000_000;

export interface MjWorld extends BaseWorld {
  sim: MidjourneySimulator;
  simUrl: string;
  submit(path: string, body: unknown, key?: string): Promise<Response>;
  fetchTask(id: string, key?: string): Promise<Response>;
  /** Moves the simulator's time (generation) forward. */
  generate(ms: number): void;
  close(): Promise<void>;
}

export interface MjWorldOptions extends BaseWorldOptions {
  sim?: MidjourneySimOptions;
}

export async function startMjWorld(dialect: Dialect, options: MjWorldOptions = {}): Promise<MjWorld> {
  const sim = createMidjourneySimulator({ apiSecret: SIM_SECRET, mode: 'P', ...options.sim });
  const simUrl = await sim.listen();
  const base = await startBaseWorld(
    dialect,
    { type: 'midjourney-plus', name: 'sim', url: simUrl, key: SIM_SECRET },
    USER_QUOTA,
    options,
  );
  const auth = (k: string) => ({ authorization: `Bearer ${k}` });
  return {
    ...base,
    sim,
    simUrl,
    submit: (path, body, k = base.key) => base.t.request('POST', path, { body, headers: auth(k) }),
    fetchTask: (id, k = base.key) => base.t.request('GET', `/mj/task/${id}/fetch`, { headers: auth(k) }),
    generate: (ms) => sim.state.clock.advance(ms),
    async close() {
      await base.t.close();
      await sim.close();
    },
  };
}

/** Runs poll rounds, letting `simMs` of generation pass before each, until `done` or `rounds` run out. */
export const pollUntil = (
  world: MjWorld,
  done: () => Promise<boolean>,
  options?: { rounds?: number; simMs?: number },
) => pollRoundsUntil(world, world.generate, done, options);
