// Forwarded media: GET /mj/image/:id, /mj/video/:id and /mj/video/:id/:index stream the file stored on the task
// to the client. The URL's signature is the authorisation (`<img src>` sends no headers); only the URL stored on
// the task is fetched, through the SSRF guard, with the configured channels' hosts allowed even when private.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type TSchema, Type } from 'typebox';
import { verifyMediaSignature } from '../../core/media-signing.js';
import { GuardedFetcher } from '../../engine/guarded-fetch.js';
import type { TaskRow } from '../../store/schema.js';
import { findTaskByPublicId } from '../../store/tasks.js';
import { sendError } from '../plugins/errors.js';
import type { App } from '../types.js';
import { parseJson } from '../views/tasks.js';
import { mediaReach, streamMedia } from './stream.js';

type Kind = 'image' | 'video';

const MAX_BYTES: Record<Kind, number> = { image: 50 * 1024 * 1024, video: 200 * 1024 * 1024 };
const DEFAULT_TYPE: Record<Kind, string> = { image: 'image/png', video: 'video/mp4' };

const Signed = Type.Object({
  v: Type.Optional(
    Type.String({ pattern: '^[\\w-]{1,32}$', description: 'Version of the file, from the signed URL' }),
  ),
  exp: Type.Optional(
    Type.String({ maxLength: 32, description: 'Expiry (unix seconds), from the signed URL' }),
  ),
  sig: Type.Optional(Type.String({ maxLength: 128, description: 'Signature, from the signed URL' })),
});
const Id = Type.String({ minLength: 1, maxLength: 64, description: 'The task’s public MJ id' });
const MjError = Type.Object({ code: Type.Integer(), description: Type.String(), result: Type.Null() });

const binary = (description: string, types: string[]) => ({
  description,
  content: Object.fromEntries(types.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
});

function schema<P extends TSchema>(kind: Kind, summary: string, params: P) {
  const types = kind === 'image' ? ['image/png', 'image/webp', 'image/jpeg'] : ['video/mp4'];
  return {
    tags: ['midjourney'],
    summary,
    description:
      'Open the signed URL Taskgate hands out in listings, task fetches and callbacks; it needs no other credential. ' +
      'A missing, wrong or expired signature is a 403.' +
      (kind === 'video' ? ' A Range header is passed to the media host (206 with Content-Range).' : ''),
    params,
    querystring: Signed,
    response: {
      200: binary('The file, streamed from the media host', types),
      ...(kind === 'video' ? { 206: binary('Part of the file, for a Range request', types) } : {}),
      '4xx': MjError,
      '5xx': MjError,
    },
  };
}

/** The URL stored on the task for this media path; empty when there is none. */
function storedUrl(task: TaskRow, kind: Kind, index: number | null): string {
  if (kind === 'image') return task.image_url;
  if (index === null) return task.video_url;
  const urls = parseJson<unknown[]>(task.video_urls, []);
  const url = Array.isArray(urls) ? urls[index] : undefined;
  return typeof url === 'string' ? url : '';
}

export async function mediaRoutes(app: App): Promise<void> {
  const { store, clock, secret, engine } = app.ctx;
  const fetcher = new GuardedFetcher();
  app.addHook('onClose', () => fetcher.close());

  const forward = async (
    request: FastifyRequest,
    reply: FastifyReply,
    kind: Kind,
    id: string,
    index: number | null,
  ) => {
    // The signature covers this exact path, so a URL signed for one task (or one video) opens no other.
    const path = `/mj/${kind}/${id}${index === null ? '' : `/${index}`}`;
    const { v, exp, sig } = request.query as { v?: string; exp?: string; sig?: string };
    // `v` only makes the URL change with the file (browser caches): whichever file is stored now is served.
    if (!verifyMediaSignature(secret, path, exp, sig, clock.now(), v)) {
      return sendError(request, reply, 403, 'invalid_request', {
        detail: 'the media URL signature is missing, wrong or expired',
      });
    }
    const task = await findTaskByPublicId(store, id);
    if (task?.platform !== 'midjourney') return sendError(request, reply, 404, 'task_not_found');
    const url = storedUrl(task, kind, index);
    if (!url) return sendError(request, reply, 404, 'not_found');
    const channel = await engine.channels.get(task.channel_id);

    return streamMedia(fetcher, request, reply, {
      url,
      defaultType: DEFAULT_TYPE[kind],
      maxBytes: MAX_BYTES[kind],
      ranges: kind === 'video',
      ...(await mediaReach(engine.channels, channel)),
      where: { task: task.task_id, media: path },
    });
  };

  app.get(
    '/mj/image/:id',
    { schema: schema('image', 'A task’s image (signed URL)', Type.Object({ id: Id })) },
    (request, reply) => forward(request, reply, 'image', request.params.id, null),
  );

  app.get(
    '/mj/video/:id',
    { schema: schema('video', 'A task’s video (signed URL)', Type.Object({ id: Id })) },
    (request, reply) => forward(request, reply, 'video', request.params.id, null),
  );

  app.get(
    '/mj/video/:id/:index',
    {
      schema: schema(
        'video',
        'One of a task’s videos (signed URL)',
        Type.Object({ id: Id, index: Type.String({ pattern: '^\\d{1,4}$', description: '0-based' }) }),
      ),
    },
    (request, reply) => forward(request, reply, 'video', request.params.id, Number(request.params.index)),
  );
}
