// The task query routes (seed 002 and reference 2.3): fetch, list-by-condition, list, queue, plus's
// image-seed. Every ask of a task id is counted, per caller, before any fault decides the answer.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { callerOf } from '../common/call-log.js';
import { type Answer, type FaultRule, takeFault } from '../common/faults.js';
import { isObject } from './http.js';
import { seedFor } from './ids.js';
import { invalid, notFound, springError, submitResult, TEXT } from './results.js';
import type { MidjourneySimState } from './state.js';

function shuffled<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function unknownTask(state: MidjourneySimState, request: FastifyRequest): Answer {
  switch (state.knobs.fetchUnknown) {
    case 'empty':
      return { status: 200 };
    case '204':
      return { status: 204 };
    case '404':
      return { status: 404, body: springError(404, request.url.split('?')[0], state.now()) };
  }
}

/** The ids of a list-by-condition body as J reads them: numbers become strings, null entries are skipped. */
function idsOf(body: unknown): string[] | null {
  if (!isObject(body)) return null;
  if (body.ids === undefined || body.ids === null) return [];
  if (!Array.isArray(body.ids)) return null;
  const ids: string[] = [];
  for (const id of body.ids) {
    if (typeof id === 'string') ids.push(id);
    else if (typeof id === 'number' && Number.isFinite(id)) ids.push(String(id));
    else if (id !== null) return null;
  }
  return ids;
}

export function registerQueryRoutes(app: FastifyInstance, state: MidjourneySimState): string[] {
  app.get<{ Params: { id: string } }>('/mj/task/:id/fetch', (request, reply) => {
    const id = request.params.id;
    state.counters.countAsk(id, callerOf(request));
    const fault = takeFault(state.tasks.get(id)?.pollFault) ?? state.takeFault('fetch');
    return state.faults.answer(request, reply, fault, () => {
      const task = state.lookupForPoll(id);
      return task ? { status: 200, body: state.view(task) } : unknownTask(state, request);
    });
  });

  app.post('/mj/task/list-by-condition', (request, reply) => {
    const ids = idsOf(request.body);
    const unique = [...new Set(ids ?? [])];
    if (ids) state.counters.listByConditionBatchSizes.push(ids.length);
    const caller = callerOf(request);
    let fault: FaultRule | null = null;
    for (const id of unique) {
      state.counters.countAsk(id, caller);
      fault ??= takeFault(state.tasks.get(id)?.pollFault);
    }
    fault ??= state.takeFault('listByCondition');
    return state.faults.answer(request, reply, fault, async () => {
      const path = request.url.split('?')[0];
      if (ids === null) return { status: 400, body: springError(400, path, state.now()) };
      const limit = state.knobs.listByConditionMaxIds;
      if (limit !== null && unique.length > limit)
        return { status: 500, body: springError(500, path, state.now()) };
      await state.faults.wait(state.knobs.listByConditionDelayPerIdMs * unique.length);
      const now = state.settle();
      const views = unique.flatMap((id) => {
        const task = state.lookupForPoll(id);
        return task ? [state.view(task, now)] : [];
      });
      return { status: 200, body: state.knobs.shuffleListResults ? shuffled(views) : views };
    });
  });

  app.get('/mj/task/list', (request, reply) =>
    state.faults.answer(request, reply, state.takeFault('list'), () => {
      const now = state.settle();
      const tasks = [...state.tasks.values()].sort(
        (a, b) => b.submitTime - a.submitTime || b.id.localeCompare(a.id),
      );
      return { status: 200, body: tasks.map((task) => state.view(task, now)) };
    }),
  );

  app.get('/mj/task/queue', (request, reply) =>
    state.faults.answer(request, reply, state.takeFault('queue'), () => {
      const now = state.settle();
      return { status: 200, body: state.queuedTasks().map((task) => state.view(task, now)) };
    }),
  );

  app.get<{ Params: { id: string } }>('/mj/task/:id/image-seed', async (request, reply) => {
    const task = state.tasks.get(request.params.id);
    if (!task) return reply.code(404).send(notFound(TEXT.parentMissing));
    if (!state.view(task).properties.messageHash) return reply.code(400).send(invalid(TEXT.parentStatus));
    return reply.send(submitResult(1, '成功', seedFor(task.id)));
  });

  return ['/mj/task/:id/image-seed'];
}
