// midjourney-proxy's submit routes. Each one names an action; follow-ups must name the caller's own successful
// task and go to that task's channel; the engine does the rest (price, reserve, forward, record).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../../../core/errors.js';
import { newMjPublicId } from '../../../core/ids.js';
import {
  FREE_ACTIONS,
  mjModel,
  parseCustomId,
  parseSimpleChange,
} from '../../../platforms/midjourney/actions.js';
import { midjourneyAdapter, mjHeaders } from '../../../platforms/midjourney/adapter.js';
import { isUniqueViolation } from '../../../store/insert.js';
import type { TaskRow } from '../../../store/schema.js';
import { findUserTask } from '../../../store/tasks.js';
import { assertModelAllowed, requireApiKey } from '../../plugins/auth.js';
import { SUBMIT_RATE_LIMIT } from '../../plugins/submit-rate-limit.js';
import type { App } from '../../types.js';
import { forwardBody } from './forward.js';
import { mjResponses, SubmitAnswer, SubmitBodies } from './schemas.js';

/** Base64 images make submit bodies large; everything else stays under the app's 1 MiB. */
const SUBMIT_BODY_LIMIT = 64 * 1024 * 1024;
/** These keep code 21 for the client: it must open the modal itself (new-api's rule). */
const KEEPS_MODAL_CODE = new Set(['INPAINT', 'CUSTOM_ZOOM']);

type Body = Record<string, unknown>;

interface Submission {
  /** The upstream route after `/mj/`. */
  route: string;
  action: string;
  body: Body;
  origin?: TaskRow;
  /** Fields rewritten in the forwarded body (ids translated to the upstream's). */
  replacements?: Body;
  continueTask?: TaskRow;
  free?: boolean;
  model?: string;
}

/**
 * Submits under a new public id; if another submit took that id first (16-digit ids are only unique per
 * millisecond and instance), tries a fresh one. The clash happens when reserving, before any upstream call.
 */
export async function submitWithFreshId<T>(
  submit: (id: string) => Promise<T>,
  fixedId: string | null,
  nextId: () => string,
): Promise<T> {
  if (fixedId) return submit(fixedId);
  for (let attempt = 1; ; attempt++) {
    try {
      return await submit(nextId());
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 5) throw error;
    }
  }
}

export async function mjSubmitRoutes(app: App): Promise<void> {
  const { engine, options, config, clock, store } = app.ctx;

  /** The caller's own Midjourney task, which must have succeeded unless `anyStatus`. */
  async function originTask(request: FastifyRequest, taskId: unknown, anyStatus = false): Promise<TaskRow> {
    const origin = await findUserTask(store, request.apiKey.user.id, 'midjourney', String(taskId));
    if (!origin) throw new AppError('task_not_found', 404);
    if (!anyStatus && options.get('MjActionCheckSuccessEnabled') && origin.status !== 'SUCCESS') {
      throw badRequest(`the task ${origin.task_id} has not succeeded (status ${origin.status})`);
    }
    if (!origin.upstream_id) throw badRequest(`the task ${origin.task_id} has no upstream task to act on`);
    return origin;
  }

  async function relay(request: FastifyRequest, reply: FastifyReply, s: Submission) {
    const { token, user } = request.apiKey;
    const model = s.model ?? mjModel(s.action);
    assertModelAllowed(token, model);
    const prompt =
      typeof s.body.prompt === 'string' && s.body.prompt ? s.body.prompt : (s.origin?.prompt ?? '');
    const submit = (publicId: string) =>
      engine.submit({
        platform: 'midjourney',
        action: s.action,
        model,
        user,
        token,
        free: s.free ?? FREE_ACTIONS.has(s.action),
        pinnedChannelId: s.origin?.channel_id ?? s.continueTask?.channel_id,
        publicId,
        continueTask: s.continueTask,
        request: (channel) => ({
          method: 'POST',
          path: `/mj/${s.route}`,
          headers: mjHeaders(channel.key),
          body: forwardBody(
            s.body,
            channel,
            { options, serverAddress: config.serverAddress },
            s.replacements,
          ),
        }),
        read: midjourneyAdapter.readSubmit,
        fields: {
          prompt,
          prompt_en: prompt,
          state: typeof s.body.state === 'string' ? s.body.state : '',
          notify_hook: typeof s.body.notifyHook === 'string' ? s.body.notifyHook : '',
          parent_task_id: s.origin?.task_id ?? '',
        },
      });
    const result = await submitWithFreshId(submit, s.continueTask?.task_id ?? null, () =>
      newMjPublicId(clock.now()),
    );
    if (!result.accepted) {
      const refusal = result.reading;
      return reply.code(refusal.status).send({
        code: Number(refusal.code) || 9,
        description: refusal.description,
        result: null,
        properties: refusal.properties,
      });
    }
    const reading = result.reading;
    // 21 (waiting for a modal) and 22 (queued) both mean "accepted" to clients; queue length stays in properties.
    const code = reading.code === 21 && KEEPS_MODAL_CODE.has(s.action) ? 21 : 1;
    return {
      code,
      description: reading.description,
      result: reading.result ?? result.task.task_id,
      properties: reading.properties,
    };
  }

  const route = <K extends keyof typeof SubmitBodies>(
    path: string,
    bodyKind: K,
    summary: string,
    handler: (request: FastifyRequest<{ Body: Body }>, reply: FastifyReply) => Promise<unknown>,
  ) =>
    app.post(
      path,
      {
        // Authenticated before the body is read: nobody without a key gets up to 64 MiB parsed and validated.
        onRequest: requireApiKey,
        bodyLimit: SUBMIT_BODY_LIMIT,
        config: { rateLimit: SUBMIT_RATE_LIMIT },
        schema: {
          tags: ['midjourney'],
          summary,
          body: SubmitBodies[bodyKind],
          response: mjResponses(SubmitAnswer),
        },
      },
      handler as never,
    );

  const simple = (path: string, bodyKind: keyof typeof SubmitBodies, action: string, summary: string) =>
    route(`/submit/${path}`, bodyKind, summary, (request, reply) =>
      relay(request, reply, { route: `submit/${path}`, action, body: request.body }),
    );

  simple('imagine', 'imagine', 'IMAGINE', 'Generate images from a prompt');
  simple('describe', 'describe', 'DESCRIBE', 'Describe an image');
  simple('blend', 'blend', 'BLEND', 'Blend 2 to 5 images');
  simple('shorten', 'shorten', 'SHORTEN', 'Analyse and shorten a prompt');
  simple('upload-discord-images', 'upload', 'UPLOAD', 'Upload images; answers their URLs');
  simple('edits', 'edits', 'EDITS', 'Edit an image from a prompt');
  route('/insight-face/swap', 'swap', 'Swap a face', (request, reply) =>
    relay(request, reply, { route: 'insight-face/swap', action: 'SWAP_FACE', body: request.body }),
  );

  route('/submit/video', 'video', 'Animate an image, or extend a video task', async (request, reply) => {
    const body = request.body;
    if (!body.taskId) return relay(request, reply, { route: 'submit/video', action: 'VIDEO', body });
    const origin = await originTask(request, body.taskId);
    return relay(request, reply, {
      route: 'submit/video',
      action: 'VIDEO',
      body,
      origin,
      replacements: { taskId: origin.upstream_id },
    });
  });

  route(
    '/submit/change',
    'change',
    'Upscale, vary or reroll a task (U1–U4, V1–V4, R)',
    async (request, reply) => {
      const body = request.body as Body & { action: string; index?: number | null };
      if (body.action !== 'REROLL' && body.index == null)
        throw badRequest('index (1 to 4) is required for UPSCALE and VARIATION');
      const origin = await originTask(request, body.taskId);
      return relay(request, reply, {
        route: 'submit/change',
        action: body.action,
        body,
        origin,
        replacements: { taskId: origin.upstream_id },
      });
    },
  );

  route(
    '/submit/simple-change',
    'simpleChange',
    'The same as change, as "<taskId> U1".."V4" or "<taskId> R"',
    async (request, reply) => {
      const parsed = parseSimpleChange(String(request.body.content));
      if (!parsed) throw badRequest('content must be "<taskId> U1".."U4", "V1".."V4" or "R"');
      const origin = await originTask(request, parsed.taskId);
      const command = String(request.body.content).trim().split(/\s+/)[1];
      return relay(request, reply, {
        route: 'submit/simple-change',
        action: parsed.action,
        body: request.body,
        origin,
        replacements: { content: `${origin.upstream_id} ${command}` },
      });
    },
  );

  route(
    '/submit/action',
    'action',
    'Press a button of a task (customId from its buttons)',
    async (request, reply) => {
      const parsed = parseCustomId(String(request.body.customId));
      if (!parsed) throw badRequest(`unknown customId '${String(request.body.customId).slice(0, 100)}'`);
      const origin = await originTask(request, request.body.taskId);
      return relay(request, reply, {
        route: 'submit/action',
        action: parsed.action,
        body: request.body,
        origin,
        replacements: { taskId: origin.upstream_id },
      });
    },
  );

  route(
    '/submit/modal',
    'modal',
    'Confirm a task waiting for a modal (remix prompt, region, zoom)',
    async (request, reply) => {
      const task = await originTask(request, request.body.taskId, true);
      if (task.status !== 'MODAL')
        throw badRequest(`the task ${task.task_id} is not waiting for a modal (status ${task.status})`);
      // The modal is charged unless the action that opened it was (a remix variation already paid).
      return relay(request, reply, {
        route: 'submit/modal',
        action: task.action,
        model: 'mj_modal',
        free: task.quota > 0,
        body: request.body,
        continueTask: task,
        replacements: { taskId: task.upstream_id },
      });
    },
  );
}
