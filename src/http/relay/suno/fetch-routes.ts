// POST /suno/fetch and GET /suno/fetch/:id, answered from Taskgate's own store (never the upstream's) and scoped
// to the caller: another user's id reads exactly like an unknown one.
import type { FastifyRequest } from 'fastify';
import { badRequest } from '../../../core/errors.js';
import type { TaskRow } from '../../../store/schema.js';
import { findUserTask, findUserTasksByIds } from '../../../store/tasks.js';
import { requireApiKey } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { mediaSigner } from '../../views/tasks.js';
import { ANY_CONTENT_TYPE, taskNotExist } from './errors.js';
import { FetchBody, FetchManyAnswer, FetchOneAnswer, FetchParams, sunoResponses } from './schemas.js';
import { sunoTaskDto } from './task-dto.js';

const MAX_IDS = 1000;

export async function sunoFetchRoutes(app: App): Promise<void> {
  const { store, options, config, secret, clock } = app.ctx;
  const tags = ['suno'];

  // The same signer (and forwarding switch) as the listings, so both hand out the same URLs.
  const view = (rows: TaskRow[]) => {
    const media = mediaSigner(options.get('MjForwardUrlEnabled'), config.serverAddress, secret, clock.now());
    return rows.map((row) => sunoTaskDto(row, media));
  };
  const success = <T>(data: T) => ({ code: 'success', message: '', data });
  const userOf = (request: FastifyRequest) => request.apiKey.user.id;

  app.post(
    '/suno/fetch',
    {
      onRequest: requireApiKey,
      config: { polled: true },
      schema: {
        tags,
        summary: 'My Suno tasks among the given ids (unknown ids are left out)',
        description: ANY_CONTENT_TYPE,
        body: FetchBody,
        response: sunoResponses(FetchManyAnswer),
      },
    },
    async (request) => {
      const ids = [...new Set(request.body?.ids ?? [])];
      if (ids.length > MAX_IDS) throw badRequest(`at most ${MAX_IDS} ids per request, got ${ids.length}`);
      const rows = await findUserTasksByIds(store, userOf(request), 'suno', ids);
      // In the order asked, as a client matching answers to its list expects.
      const byId = new Map(rows.map((row) => [row.task_id, row]));
      return success(view(ids.flatMap((id) => byId.get(id) ?? [])));
    },
  );

  app.get(
    '/suno/fetch/:id',
    {
      onRequest: requireApiKey,
      config: { polled: true },
      schema: {
        tags,
        summary: 'One of my Suno tasks, with its status and result',
        params: FetchParams,
        response: sunoResponses(FetchOneAnswer),
      },
    },
    async (request, reply) => {
      const task = await findUserTask(store, userOf(request), 'suno', request.params.id);
      if (!task) return taskNotExist(request, reply);
      return success(view([task])[0]);
    },
  );
}
