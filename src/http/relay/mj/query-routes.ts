// The task query API of seed 002, from Taskgate's own store and scoped to the caller's tasks:
// fetch, list-by-condition, list and queue; image-seed is forwarded to the task's channel.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError, badRequest } from '../../../core/errors.js';
import { MJ_UNFINISHED_STATUSES } from '../../../core/task-status.js';
import { clip, isObject, parseJsonText, str } from '../../../platforms/json.js';
import { mjHeaders } from '../../../platforms/midjourney/adapter.js';
import {
  MJ_VIEW_COLUMNS,
  type MjViewRow,
  mjTaskJson,
  mjTaskObject,
} from '../../../platforms/midjourney/view.js';
import {
  findUserTask,
  findUserTaskColumns,
  findUserTasksByIds,
  unfinishedUserTasks,
  userTasksPage,
} from '../../../store/tasks.js';
import { requireApiKey } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { mediaSigner } from '../../views/tasks.js';
import { mjResponses, SubmitAnswer, TaskObject } from './schemas.js';

const MAX_IDS = 1000;
const JSON_UTF8 = 'application/json; charset=utf-8';
const MAX_LIST = 100;
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export async function mjQueryRoutes(app: App): Promise<void> {
  const { store, options, config, secret, clock, engine } = app.ctx;
  const tags = ['midjourney'];

  const signer = () =>
    mediaSigner(options.get('MjForwardUrlEnabled'), config.serverAddress, secret, clock.now()).sign;
  const view = (rows: MjViewRow[]) => {
    const sign = signer();
    return rows.map((row) => mjTaskObject(row, sign));
  };
  const owned = (request: FastifyRequest, id: string) =>
    findUserTask(store, request.apiKey.user.id, 'midjourney', id);

  app.get(
    '/task/:id/fetch',
    {
      onRequest: requireApiKey,
      config: { polled: true },
      schema: { tags, summary: 'One of my tasks', params: IdParams, response: mjResponses(TaskObject) },
    },
    async (request, reply) => {
      // Only the view's columns, with SQL built once: this is the hottest read route (docs/benchmarks.md).
      const task = await findUserTaskColumns(
        store,
        request.apiKey.user.id,
        'midjourney',
        request.params.id,
        MJ_VIEW_COLUMNS,
      );
      // Unknown and foreign ids read alike, with the body midjourney-proxy clients recognise.
      if (!task) return reply.code(404).send({ code: 4, description: 'task_not_found', result: null });
      // Already JSON (TaskObject's shape, test/platforms/mj-view.test.ts): sent as it is, not serialised again.
      return (reply as FastifyReply).type(JSON_UTF8).send(mjTaskJson(task, signer()));
    },
  );

  app.post(
    '/task/list-by-condition',
    {
      onRequest: requireApiKey,
      config: { polled: true },
      schema: {
        tags,
        summary: 'My tasks among the given ids (unknown ids are left out)',
        body: Type.Object(
          {
            ids: Type.Optional(
              Type.Union([
                Type.Array(Type.Union([Type.String({ maxLength: 64 }), Type.Integer()])),
                Type.Null(),
              ]),
            ),
          },
          { additionalProperties: true },
        ),
        response: mjResponses(Type.Array(TaskObject)),
      },
    },
    async (request) => {
      const ids = [...new Set((request.body.ids ?? []).map(String))];
      if (ids.length > MAX_IDS) throw badRequest(`at most ${MAX_IDS} ids per request, got ${ids.length}`);
      return view(await findUserTasksByIds(store, request.apiKey.user.id, 'midjourney', ids));
    },
  );

  app.get(
    '/task/list',
    {
      onRequest: requireApiKey,
      schema: {
        tags,
        summary: 'My most recent tasks, newest first',
        querystring: Type.Object({ limit: Type.Optional(Type.String({ pattern: '^\\d{1,4}$' })) }),
        response: mjResponses(Type.Array(TaskObject)),
      },
    },
    async (request) => {
      const limit = Math.min(MAX_LIST, Math.max(1, Number(request.query.limit ?? MAX_LIST)));
      return view(await userTasksPage(store, request.apiKey.user.id, 'midjourney', { order: 'desc', limit }));
    },
  );

  app.get(
    '/task/queue',
    {
      onRequest: requireApiKey,
      schema: {
        tags,
        summary: 'My unfinished tasks, oldest first',
        response: mjResponses(Type.Array(TaskObject)),
      },
    },
    async (request) =>
      view(
        await unfinishedUserTasks(
          store,
          request.apiKey.user.id,
          'midjourney',
          MJ_UNFINISHED_STATUSES,
          MAX_IDS,
        ),
      ),
  );

  app.get(
    '/task/:id/image-seed',
    {
      onRequest: requireApiKey,
      schema: {
        tags,
        summary: "A task's seed (asked of its channel)",
        params: IdParams,
        response: mjResponses(SubmitAnswer),
      },
    },
    async (request, reply) => {
      const task = await owned(request, request.params.id);
      if (!task) return reply.code(404).send({ code: 4, description: 'task_not_found', result: null });
      const channel = await engine.channels.get(task.channel_id);
      if (!channel || !task.upstream_id)
        throw new AppError('service_unavailable', 503, { detail: "the task's channel is gone" });
      const response = await engine.upstream
        .call(
          channel.base_url,
          channel.proxy,
          {
            method: 'GET',
            path: `/mj/task/${encodeURIComponent(task.upstream_id)}/image-seed`,
            headers: mjHeaders(channel.key),
          },
          { timeoutMs: 30_000, operation: 'image-seed', channelId: channel.id },
        )
        .catch((error: Error) => {
          throw new AppError('service_unavailable', 502, {
            detail: `the upstream did not answer: ${error.message}`,
          });
        });
      const parsed = parseJsonText(response.text);
      if (!parsed.ok || !isObject(parsed.value)) {
        throw new AppError('service_unavailable', 502, {
          detail: `unreadable upstream answer (HTTP ${response.status})`,
        });
      }
      const body = parsed.value;
      const code = typeof body.code === 'number' ? body.code : 9;
      return reply
        .code(response.status >= 400 && response.status < 500 ? response.status : code === 1 ? 200 : 502)
        .send({
          code,
          description: clip(str(body.description) ?? '', 500),
          result: body.result ?? null,
          properties: isObject(body.properties) ? body.properties : {},
        });
    },
  );
}
