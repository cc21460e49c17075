// Taskgate in front of the Suno-API simulator, both real HTTP servers on loopback, with a user, an API key and a
// channel. Both clocks are moved by hand: the simulator's drives generation, Taskgate's drives polls.
import { expect } from 'vitest';
import { createSunoSimulator, type SunoSimOptions, type SunoSimulator } from '../../src/sim/suno/index.js';
import type { Dialect } from '../../src/store/db.js';
import type { Response } from './app.js';
import { type BaseWorld, type BaseWorldOptions, pollRoundsUntil, startBaseWorld } from './world.js';

export { ROUND_MS } from './world.js';

export const SIM_SECRET = 'sim-suno-secret';
export const USER_QUOTA = 10_000_000;
/** Simulated seconds after which a default song has both clips complete (timings.secondClipDoneAt). */
export const SONG_DONE_MS = 70_000;

export interface SunoWorld extends BaseWorld {
  sim: SunoSimulator;
  simUrl: string;
  /** POST /suno/submit/{action} with the world's key (or another). */
  submit(action: string, body: unknown, key?: string): Promise<Response>;
  fetchOne(id: string, key?: string): Promise<Response>;
  fetchMany(ids: unknown, key?: string): Promise<Response>;
  /** Moves the simulator's time (generation) forward. */
  generate(ms: number): void;
  close(): Promise<void>;
}

export interface SunoWorldOptions extends BaseWorldOptions {
  sim?: SunoSimOptions;
}

export async function startSunoWorld(dialect: Dialect, options: SunoWorldOptions = {}): Promise<SunoWorld> {
  const sim = createSunoSimulator({ secretToken: SIM_SECRET, lyricsDelayMs: 10, ...options.sim });
  const simUrl = await sim.listen();
  const base = await startBaseWorld(
    dialect,
    { type: 'suno', name: 'suno sim', url: simUrl, key: SIM_SECRET },
    USER_QUOTA,
    options,
  );
  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
  return {
    ...base,
    sim,
    simUrl,
    submit: (action, body, k = base.key) =>
      base.t.request('POST', `/suno/submit/${action}`, { body, headers: bearer(k) }),
    fetchOne: (id, k = base.key) =>
      base.t.request('GET', `/suno/fetch/${encodeURIComponent(id)}`, { headers: bearer(k) }),
    fetchMany: (ids, k = base.key) =>
      base.t.request('POST', '/suno/fetch', { body: { ids }, headers: bearer(k) }),
    generate: (ms) => sim.state.clock.advance(ms),
    async close() {
      await base.t.close();
      await sim.close();
    },
  };
}

/** Runs poll rounds, letting `simMs` of generation pass before each, until `done` or `rounds` run out. */
export const pollUntil = (
  world: SunoWorld,
  done: () => Promise<boolean>,
  { rounds = 30, simMs = 5_000 } = {},
) => pollRoundsUntil(world, world.generate, done, { rounds, simMs });

/** Submits and returns Taskgate's id, failing the test with the answer when the submit was not accepted. */
export async function submitted(world: SunoWorld, action: string, body: unknown): Promise<string> {
  const answer = await world.submit(action, body);
  expect(answer.body, answer.text).toMatchObject({ code: 'success', message: '' });
  return answer.body.data as string;
}

export const statusIs = (world: SunoWorld, id: string, status: string) => async () =>
  (await world.task(id))?.status === status;
