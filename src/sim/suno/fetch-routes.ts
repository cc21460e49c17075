// POST /suno/fetch (full task rows, unknown ids omitted, database order) and GET /suno/fetch/:id (only the
// task's `data`, the reference's quirk). Both count polls per task and caller.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { callerOf } from '../common/call-log.js';
import type { Answer, FaultRule } from '../common/faults.js';
import { authorized, badRequest, decodeBody, success, UNAUTHORIZED } from './envelope.js';
import type { SunoState } from './state.js';
import { taskData, taskJson } from './task-json.js';
import type { MusicTask, SunoTask } from './types.js';

/** A fetch is always handled (polls are counted); a fault may still replace or damage its answer. */
type FetchPlan = { fault: FaultRule | null; answer: () => Answer };

const known = (answer: Answer): FetchPlan => ({ fault: null, answer: () => answer });

/** The origin media URLs point at: the knob, else the origin this request came to. */
function mediaBase(state: SunoState, request: FastifyRequest): string {
  return state.knobs.mediaBaseUrl ?? `${request.protocol}://${request.host}`;
}

/** The first of these tasks whose poll fault fires this time. */
function pollFault(state: SunoState, tasks: SunoTask[]): FaultRule | null {
  for (const task of tasks) {
    const fault = state.drawFault(task.pollFault);
    if (fault) return fault;
  }
  return null;
}

function planBatch(state: SunoState, request: FastifyRequest): FetchPlan {
  if (!authorized(request, state.knobs.secretToken, state.knobs.strictBearer)) return known(UNAUTHORIZED);
  const decoded = decodeBody(request.body, 'FetchReq', { ids: '[]string', action: 'string' });
  if (!decoded.ok) return known(decoded.answer);
  const asked = (decoded.fields.ids ?? []) as Array<string | null>;
  state.calls.fetchBatchSizes.push(asked.length);
  const ids = [...new Set(asked.map((id) => id ?? ''))];
  const caller = callerOf(request);
  const found = new Set(ids.map((id) => state.poll(id, caller)).filter((task) => task !== undefined));
  const tasks = [...state.tasks.values()].filter((task) => found.has(task));
  const base = mediaBase(state, request);
  const snapshotOf = (task: MusicTask) => state.snapshot(task);
  return {
    fault: pollFault(state, tasks),
    answer: () => {
      const rows = tasks.map((task) => taskJson(task, snapshotOf, base));
      const extras = state.knobs.extraIds + (tasks.some((task) => task.extraIds) ? 1 : 0);
      for (let i = 0; i < extras; i++) {
        const phantom = state.phantomTask();
        rows.push(taskJson(phantom, snapshotOf, base));
      }
      return success(rows);
    },
  };
}

function planSingle(state: SunoState, request: FastifyRequest<{ Params: { id: string } }>): FetchPlan {
  if (!authorized(request, state.knobs.secretToken, state.knobs.strictBearer)) return known(UNAUTHORIZED);
  const task = state.poll(request.params.id, callerOf(request));
  if (!task) return known(badRequest('task not exist'));
  const base = mediaBase(state, request);
  return {
    fault: pollFault(state, [task]),
    answer: () => success(taskData(task, (t) => state.snapshot(t), base)),
  };
}

export function fetchRoutes(app: FastifyInstance, state: SunoState): void {
  app.post('/suno/fetch', async (request, reply) => {
    const knobFault = state.drawFault(state.knobs.faults.fetch);
    const plan = planBatch(state, request);
    return state.faults.answer(request, reply, knobFault ?? plan.fault, plan.answer);
  });

  app.get<{ Params: { id: string } }>('/suno/fetch/:id', async (request, reply) => {
    const knobFault = state.drawFault(state.knobs.faults.fetch);
    const plan = planSingle(state, request);
    return state.faults.answer(request, reply, knobFault ?? plan.fault, plan.answer);
  });
}
