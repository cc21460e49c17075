// GET /task/media/:taskId/:ref — the files of task-center tasks (Suno audio, covers and videos; generated videos).
// Listings rewrite every media URL in a task's data to this route, signed; the platform's adapter says where each
// ref lives upstream. Audio and video pass Range through.
import { Type } from 'typebox';
import { verifyMediaSignature } from '../../core/media-signing.js';
import { TASK_CENTER_PLATFORMS } from '../../core/task-status.js';
import { GuardedFetcher } from '../../engine/guarded-fetch.js';
import { adapterFor } from '../../platforms/index.js';
import { findTaskByPublicId } from '../../store/tasks.js';
import { sendError } from '../plugins/errors.js';
import type { App } from '../types.js';
import { parseJson } from '../views/tasks.js';
import { mediaReach, streamMedia } from './stream.js';

const MAX_BYTES = 200 * 1024 * 1024;
const Failure = Type.Object({ error: Type.String(), message: Type.String() });

export const taskMediaPath = (taskId: string, ref: string) => `/task/media/${taskId}/${ref}`;

export async function taskMediaRoutes(app: App): Promise<void> {
  const { store, clock, secret, engine } = app.ctx;
  const fetcher = new GuardedFetcher();
  app.addHook('onClose', () => fetcher.close());

  app.get(
    '/task/media/:taskId/:ref',
    {
      schema: {
        tags: ['task'],
        summary: 'A file of a task (signed URL from a listing or fetch)',
        description: 'Needs no credential but the signature; Range is passed to the media host.',
        params: Type.Object({
          taskId: Type.String({ minLength: 1, maxLength: 64 }),
          ref: Type.String({ pattern: '^[\\w.-]{1,64}$' }),
        }),
        querystring: Type.Object({
          v: Type.Optional(Type.String({ pattern: '^[\\w-]{1,32}$' })),
          exp: Type.Optional(Type.String({ maxLength: 32 })),
          sig: Type.Optional(Type.String({ maxLength: 128 })),
        }),
        response: {
          200: {
            description: 'The file',
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
          206: {
            description: 'Part of the file',
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
          '4xx': Failure,
          '5xx': Failure,
        },
      },
    },
    async (request, reply) => {
      const { taskId, ref } = request.params;
      const path = taskMediaPath(taskId, ref);
      const { v, exp, sig } = request.query;
      if (!verifyMediaSignature(secret, path, exp, sig, clock.now(), v)) {
        return sendError(request, reply, 403, 'invalid_request', {
          detail: 'the media URL signature is missing, wrong or expired',
        });
      }
      const task = await findTaskByPublicId(store, taskId);
      const adapter =
        task && TASK_CENTER_PLATFORMS.includes(task.platform as never)
          ? adapterFor(task.platform)
          : undefined;
      const channel = task ? await engine.channels.get(task.channel_id) : undefined;
      if (!task || !adapter?.mediaSource) return sendError(request, reply, 404, 'task_not_found');
      const location = adapter.mediaSource(
        { upstreamId: task.upstream_id, data: parseJson(task.data, null) },
        ref,
        { baseUrl: channel?.base_url ?? '', key: channel?.key ?? '' },
      );
      if (!location) return sendError(request, reply, 404, 'not_found');
      return streamMedia(fetcher, request, reply, {
        ...location,
        maxBytes: MAX_BYTES,
        ranges: true,
        ...(await mediaReach(engine.channels, channel)),
        where: { task: task.task_id, media: path },
      });
    },
  );
}
