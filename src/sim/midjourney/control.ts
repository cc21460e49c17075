// The control API under /__sim/mj: what tests and demos use to read counters, set knobs, move the clock,
// force task states and wipe the simulator. It needs no secret and is never counted or faulted.
import type { FastifyInstance } from 'fastify';
import { ForceError } from './force.js';
import { CONTROL_PREFIX, isObject } from './http.js';
import { KnobError } from './knobs.js';
import type { MidjourneySimState } from './state.js';

function clockJson(state: MidjourneySimState) {
  return { now: state.now(), timeScale: state.clock.timeScale };
}

export function registerControlRoutes(app: FastifyInstance, state: MidjourneySimState): void {
  const p = CONTROL_PREFIX;

  app.get(`${p}/calls`, async () => state.counters.toJSON());

  app.get(`${p}/state`, async () => {
    const now = state.settle();
    return {
      ...clockJson(state),
      baseUrl: state.baseUrl,
      accounts: [...state.accounts.values()].map((a) => ({
        ...a.config,
        running: [...a.running].map((t) => t.id),
        waiting: a.waiting.map((t) => t.id),
      })),
      tasks: [...state.tasks.values()].map((t) => {
        const view = state.view(t, now);
        return {
          id: t.id,
          action: t.action,
          status: view.status,
          progress: view.progress,
          accountId: t.accountId,
        };
      }),
    };
  });

  app.get(`${p}/knobs`, async () => state.knobs);

  app.post(`${p}/knobs`, async (request, reply) => {
    if (!isObject(request.body))
      return reply.code(400).send({ error: 'the body must be an object of knobs' });
    try {
      state.setKnobs(request.body);
    } catch (error) {
      if (error instanceof KnobError) return reply.code(400).send({ error: error.message });
      throw error;
    }
    return state.knobs;
  });

  app.post(`${p}/reset`, async () => {
    state.reset();
    return { ok: true };
  });

  app.post(`${p}/restart`, async () => {
    state.restart();
    return { ok: true };
  });

  app.get(`${p}/clock`, async () => clockJson(state));

  app.post(`${p}/clock`, async (request, reply) => {
    const body = isObject(request.body) ? request.body : {};
    const { advanceMs, timeScale } = body;
    if (advanceMs !== undefined && !(typeof advanceMs === 'number' && advanceMs >= 0)) {
      return reply.code(400).send({ error: 'advanceMs must be a number >= 0' });
    }
    if (timeScale !== undefined && !(typeof timeScale === 'number' && timeScale > 0)) {
      return reply.code(400).send({ error: 'timeScale must be a number > 0' });
    }
    if (typeof timeScale === 'number') state.clock.setTimeScale(timeScale);
    if (typeof advanceMs === 'number') state.clock.advance(advanceMs);
    return clockJson(state);
  });

  // A peek that counts as no poll and never makes a `vanish` task disappear.
  app.get<{ Params: { id: string } }>(`${p}/tasks/:id`, async (request, reply) => {
    const task = state.tasks.get(request.params.id);
    if (!task) return reply.code(404).send({ error: 'no such task' });
    const { outcome, profile, events, dispatchedAt, endsAt, vanishAfterPolls, pollsSeen, forced } = task;
    return {
      view: state.view(task),
      script: {
        outcome,
        profile,
        events,
        dispatchedAt,
        endsAt,
        vanishAfterPolls,
        pollsSeen,
        forced: forced !== null,
      },
    };
  });

  app.post<{ Params: { id: string } }>(`${p}/tasks/:id`, async (request, reply) => {
    try {
      const view = state.forceTask(request.params.id, request.body);
      return view ?? reply.code(404).send({ error: 'no such task' });
    } catch (error) {
      if (error instanceof ForceError) return reply.code(400).send({ error: error.message });
      throw error;
    }
  });

  app.post(`${p}/notify/flush`, async () => {
    await state.notifier.flush();
    return { ok: true };
  });
}
