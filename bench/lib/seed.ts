// Child process: in-flight Midjourney tasks for the poll round, created in the simulators through their own
// submit route, then recorded in Taskgate's store as a previous poll would have left them (the engine's own
// merge rule). A child of its own, so none of this setup is left in the measured process's memory.
import { Agent, request } from 'undici';
import { planUpdate } from '../../src/engine/observation.js';
import { observationHash, pollDigest } from '../../src/engine/poll-plan.js';
import { mjModel } from '../../src/platforms/midjourney/actions.js';
import { readMjTask } from '../../src/platforms/midjourney/task-json.js';
import { openStore } from '../../src/store/db.js';
import type { NewTask, TaskRow } from '../../src/store/schema.js';
import { taskValues } from '../../src/store/tasks.js';
import { childConfig } from './child.js';
import { type SeedConfig, WAVE_MS, WAVES } from './seeding.js';
import { SIM_SECRET } from './sims.js';
import { chunks, inParallel } from './util.js';

/**
 * After the last wave the clocks move on to 10.4 s after the first: every task is IN_PROGRESS at 31 %, the
 * first wave 100 ms before its next step (46 % and a new preview at 10.5 s). So the next WAVE_MS of simulated
 * time changes exactly that wave: 1 task in 10.
 */
const SETTLE_MS = 10_400 - (WAVES - 1) * WAVE_MS;
const SUBMIT_CONCURRENCY = 32;
const PROMPT = 'a lighthouse at dusk, oil painting --ar 3:2';

const http = new Agent({ keepAliveTimeout: 30_000, connections: 64 });

async function post(baseUrl: string, path: string, body: unknown): Promise<unknown> {
  const response = await request(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'mj-api-secret': SIM_SECRET },
    body: JSON.stringify(body),
    dispatcher: http,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200)
    throw new Error(`${path}: HTTP ${response.statusCode} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/** `perSim` imagine tasks in each simulator; returns their upstream ids, by simulator. */
async function createUpstreamTasks(urls: string[], perSim: number): Promise<string[][]> {
  const ids: string[][] = urls.map(() => []);
  const advance = (ms: number) =>
    Promise.all(urls.map((url) => post(url, '/__sim/mj/clock', { advanceMs: ms })));
  for (let wave = 0; wave < WAVES; wave++) {
    if (wave > 0) await advance(WAVE_MS);
    const count = Math.floor(perSim / WAVES) + (wave < perSim % WAVES ? 1 : 0);
    const jobs = urls.flatMap((_, sim) => Array.from({ length: count }, () => sim));
    await inParallel(jobs, SUBMIT_CONCURRENCY, async (sim) => {
      const answer = (await post(urls[sim], '/mj/submit/imagine', { prompt: PROMPT })) as {
        code: number;
        result: string;
      };
      if (answer.code !== 1) throw new Error(`the simulator refused a seed task: ${JSON.stringify(answer)}`);
      ids[sim].push(answer.result);
    });
  }
  await advance(SETTLE_MS);
  return ids;
}

/**
 * Records every task as the poller would have after its last poll: the simulator's current answer merged into
 * a fresh row with the engine's own merge rule. Due times are spread over the last 15 s, channels interleaved.
 */
async function recordTasks(config: SeedConfig, ids: string[][]): Promise<number> {
  const { now } = config;
  const store = openStore(config.target);
  let serial = 0;
  try {
    const batches = ids.flatMap((list, sim) => chunks(list, 500).map((batch) => ({ sim, batch })));
    await inParallel(batches, 8, async ({ sim, batch }) => {
      const views = (await post(config.urls[sim], '/mj/task/list-by-condition', { ids: batch })) as unknown[];
      if (views.length !== batch.length) throw new Error('the simulator does not know every seed task');
      const dueAt = new Map<string, number>();
      const rows: NewTask[] = views.map((view) => {
        const n = serial++;
        const base = taskValues(
          {
            task_id: String(1_000_000_000_000_000 + n),
            platform: 'midjourney',
            action: 'IMAGINE',
            model: mjModel('IMAGINE'),
            user_id: config.userId,
            channel_id: config.channelIds[sim],
            upstream_id: (view as { id: string }).id,
            prompt: PROMPT,
            prompt_en: PROMPT,
            status: 'SUBMITTED',
            progress: '0%',
            submit_time: now - 60_000,
          },
          now - 15_000,
        );
        const observation = readMjTask(view)!;
        const patch = planUpdate({ ...base, id: 0 } as TaskRow, observation, now - 15_000) ?? {};
        // With the digest the poller's write leaves, so an unchanged answer finds the row settled as it would.
        patch.poll_digest = pollDigest(base.version ?? 0, observationHash(observation));
        // Due again at some moment of the last 15 s (rarely two rows in step).
        dueAt.set(base.task_id, now - 1 - ((n * 7919) % 15_000));
        return { ...base, ...patch };
      });
      await store.db.transaction().execute(async (trx) => {
        const inserted = await trx.insertInto('tasks').values(rows).returning(['id', 'task_id']).execute();
        // Polled a few times already.
        const polls = inserted.map((r) => ({
          id: r.id,
          next_poll_at: dueAt.get(r.task_id)!,
          poll_attempts: 4,
        }));
        await trx.insertInto('task_polls').values(polls).execute();
      });
    });
  } finally {
    await store.close();
  }
  return serial;
}

const config = childConfig<SeedConfig>();
const recorded = await recordTasks(config, await createUpstreamTasks(config.urls, config.perSim));
await http.close();
process.send?.({ recorded }, () => process.disconnect());
