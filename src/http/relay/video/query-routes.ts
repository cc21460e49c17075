// Reading video tasks, always from Taskgate's own store and scoped to the caller: OpenAI's retrieve, new-api's
// TaskDto fetch, and the content proxy (the caller's completed video, streamed from its channel with Range).
import type { FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../../../core/errors.js';
import { pickLanguage } from '../../../core/messages.js';
import { GuardedFetcher } from '../../../engine/guarded-fetch.js';
import { videoMediaSource } from '../../../platforms/openai-video/media.js';
import { videoObject, videoTaskDto } from '../../../platforms/openai-video/view.js';
import type { TaskRow } from '../../../store/schema.js';
import { findUserTask, findUserTaskColumns, userTasksPage } from '../../../store/tasks.js';
import { mediaReach, streamMedia } from '../../media/stream.js';
import { requireApiKey } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { contentRefusal } from './content-refusal.js';
import {
  ContentQuery,
  ContentResponses,
  IdParams,
  ListQuery,
  openAiResponses,
  TaskDtoAnswer,
  VideoList,
  VideoObject,
} from './schemas.js';
import { PLATFORM, videoLinker } from './shared.js';

/** OpenAI's list bounds. */
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
/** The cursor lookup's columns (one array: the prebuilt SQL is cached by its identity). */
const ID_COLUMN = ['id'] as const;

/** `limit` as a whole number 1..100; anything else is refused rather than clamped. */
function readLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const n = /^\d{1,3}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!(n >= 1 && n <= MAX_LIMIT)) throw badRequest(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
  return n;
}

/** The largest video Taskgate forwards (sora-2-pro 12 s clips are far below it). */
const MAX_CONTENT_BYTES = 500 * 1024 * 1024;

export async function videoQueryRoutes(app: App): Promise<void> {
  const { store, engine, config } = app.ctx;
  const link = videoLinker(app.ctx);
  const fetcher = new GuardedFetcher();
  app.addHook('onClose', () => fetcher.close());
  const tags = ['video'];

  /** The caller's own video task; unknown and foreign ids read alike. */
  async function owned(request: FastifyRequest, id: string): Promise<TaskRow> {
    const task = await findUserTask(store, request.apiKey.user.id, PLATFORM, id);
    if (!task) throw new AppError('task_not_found', 404);
    return task;
  }

  app.get(
    '/v1/videos',
    {
      onRequest: requireApiKey,
      config: { polled: true },
      schema: {
        tags,
        summary: "My videos, newest first by default (OpenAI's cursor list)",
        querystring: ListQuery,
        response: openAiResponses(VideoList),
      },
    },
    async (request) => {
      const { after, order = 'desc' } = request.query;
      const limit = readLimit(request.query.limit);
      let afterId: number | undefined;
      if (after !== undefined) {
        const cursor = await findUserTaskColumns(store, request.apiKey.user.id, PLATFORM, after, ID_COLUMN);
        // Not echoed: another user's id must read exactly like one that never existed.
        if (!cursor) throw badRequest('after must be the id of one of your videos (a page’s last_id)');
        afterId = cursor.id;
      }
      // One row more than the page tells whether another page follows.
      const rows = await userTasksPage(store, request.apiKey.user.id, PLATFORM, {
        afterId,
        order,
        limit: limit + 1,
      });
      const data = rows.slice(0, limit).map((row) => videoObject(row, link(row)));
      return {
        object: 'list' as const,
        data,
        first_id: data[0]?.id ?? null,
        last_id: data.at(-1)?.id ?? null,
        has_more: rows.length > limit,
      };
    },
  );

  app.get(
    '/v1/videos/:id',
    {
      onRequest: requireApiKey,
      config: { polled: true },
      schema: {
        tags,
        summary: 'One of my videos, as an OpenAI video object',
        params: IdParams,
        response: openAiResponses(VideoObject),
      },
    },
    async (request) => {
      const task = await owned(request, request.params.id);
      return videoObject(task, link(task));
    },
  );

  app.get(
    '/v1/video/generations/:id',
    {
      onRequest: requireApiKey,
      config: { polled: true },
      schema: {
        tags,
        summary: "One of my videos, as new-api's TaskDto",
        params: IdParams,
        response: openAiResponses(TaskDtoAnswer),
      },
    },
    async (request) => {
      const task = await owned(request, request.params.id);
      return { code: 'success', message: '', data: videoTaskDto(task, link(task), config.serverAddress) };
    },
  );

  app.get(
    '/v1/videos/:id/content',
    {
      onRequest: requireApiKey,
      schema: {
        tags,
        summary: 'The content of one of my completed videos',
        description:
          'variant video (MP4, default), thumbnail (WebP) or spritesheet (JPEG). Range gives 206. An upstream 4xx ' +
          "about the file (expired, deleted, 429) is answered with its status and the upstream's error code; the " +
          "channel's key refused, 5xx and network failures are 502.",
        params: IdParams,
        querystring: ContentQuery,
        response: ContentResponses,
      },
    },
    async (request, reply) => {
      const task = await owned(request, request.params.id);
      if (task.status !== 'SUCCESS') {
        throw badRequest(`the video ${task.task_id} is not completed yet (status ${task.status})`);
      }
      const channel = await engine.channels.get(task.channel_id);
      if (!channel) throw new AppError('service_unavailable', 503, { detail: "the video's channel is gone" });
      const variant = request.query.variant ?? 'video';
      const location = videoMediaSource({ upstreamId: task.upstream_id }, variant, {
        baseUrl: channel.base_url,
        key: channel.key,
      });
      if (!location) throw new AppError('not_found', 404);
      return streamMedia(fetcher, request, reply, {
        ...location,
        maxBytes: MAX_CONTENT_BYTES,
        ranges: true,
        ...(await mediaReach(engine.channels, channel)),
        where: { task: task.task_id, media: `content:${variant}` },
        // Not ready, expired, deleted, rate-limited: the client hears the upstream's 4xx, not a gateway fault.
        refusal: (status, text) =>
          contentRefusal(
            pickLanguage(request.headers['accept-language']),
            { publicId: task.task_id, upstreamId: task.upstream_id },
            status,
            text,
          ),
      });
    },
  );
}
