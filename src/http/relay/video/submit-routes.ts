// Video creates and remixes. Each is one engine.submit: price (model × seconds), reserve, channel, upstream,
// record. Remixes must name the caller's own completed video and go to its channel, by its upstream id.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../../../core/errors.js';
import { newTaskPublicId } from '../../../core/ids.js';
import { isObject } from '../../../platforms/json.js';
import { videoAdapter } from '../../../platforms/openai-video/adapter.js';
import {
  createVideoRequest,
  remixVideoRequest,
  type VideoCreate,
} from '../../../platforms/openai-video/requests.js';
import { videoObject } from '../../../platforms/openai-video/view.js';
import type { UpstreamRequest } from '../../../platforms/types.js';
import type { ChannelRow, TaskRow } from '../../../store/schema.js';
import { findUserTask } from '../../../store/tasks.js';
import { assertModelAllowed, requireApiKey } from '../../plugins/auth.js';
import { SUBMIT_RATE_LIMIT } from '../../plugins/submit-rate-limit.js';
import type { App } from '../../types.js';
import { parseJson } from '../../views/tasks.js';
import { createProperties, DEFAULT_SECONDS, readCreate, readPrompt, readSeconds } from './input.js';
import { CreateBody, GenerationBody, IdParams, openAiResponses, RemixBody, VideoObject } from './schemas.js';
import { PLATFORM, videoLinker } from './shared.js';

/** input_reference images are up to about 20 MB; a data: URL in JSON is a third larger. */
export const CREATE_BODY_LIMIT = 32 * 1024 * 1024;

interface Submission {
  action: string;
  model: string;
  seconds: number;
  prompt: string;
  properties: Record<string, unknown>;
  origin?: TaskRow;
  request(channel: ChannelRow): UpstreamRequest;
}

/** new-api's action names: `generate` with a reference image, `textGenerate` without, `remixGenerate`. */
const actionOf = (input: VideoCreate) => (input.reference ? 'generate' : 'textGenerate');

export async function videoSubmitRoutes(app: App): Promise<void> {
  const { engine, store } = app.ctx;
  const link = videoLinker(app.ctx);

  async function submit(request: FastifyRequest, reply: FastifyReply, s: Submission) {
    const { token, user } = request.apiKey;
    assertModelAllowed(token, s.model);
    const result = await engine
      .submit({
        platform: PLATFORM,
        action: s.action,
        model: s.model,
        user,
        token,
        priceMultiplier: s.seconds,
        pinnedChannelId: s.origin?.channel_id,
        publicId: newTaskPublicId(),
        request: s.request,
        read: videoAdapter.readSubmit,
        fields: {
          prompt: s.prompt,
          properties: JSON.stringify(s.properties),
          parent_task_id: s.origin?.task_id ?? '',
        },
      })
      .catch((error: unknown) => {
        // The client names the model (OpenAI's API has no fixed list): one no channel serves is a bad request,
        // as OpenAI answers an unknown model, not a gateway outage a client would retry.
        if (error instanceof AppError && error.code === 'model_not_found') {
          throw new AppError('model_not_found', 400, error.params);
        }
        throw error;
      });
    if (!result.accepted) {
      // The upstream's refusal (moderation, bad size, rate limit) in OpenAI's own shape; nothing is charged.
      const refusal = result.reading;
      const error = refusal.properties.error ?? {
        message: refusal.description,
        type: 'upstream_error',
        param: null,
        code: String(refusal.code),
      };
      return reply.code(refusal.status).send({ error });
    }
    const answered = (result.reading.result ?? {}) as Record<string, unknown>;
    return videoObject(result.task, link(result.task), answered);
  }

  const routeOptions = (summary: string, body: unknown, multipart: boolean, params?: typeof IdParams) => ({
    // Authenticated before the body is read: an anonymous caller never gets an upload parsed.
    onRequest: requireApiKey,
    bodyLimit: CREATE_BODY_LIMIT,
    config: { rateLimit: SUBMIT_RATE_LIMIT },
    schema: {
      tags: ['video'],
      summary,
      ...(multipart ? { consumes: ['application/json', 'multipart/form-data'] } : {}),
      ...(params ? { params } : {}),
      body,
      response: openAiResponses(VideoObject),
    },
  });

  const create = (request: FastifyRequest, reply: FastifyReply) => {
    const input = readCreate(request.body);
    return submit(request, reply, {
      action: actionOf(input),
      model: input.model,
      seconds: input.seconds,
      prompt: input.prompt,
      properties: createProperties(input),
      request: (channel) => createVideoRequest(channel.key, input),
    });
  };

  app.post(
    '/v1/videos',
    routeOptions('Create a video (JSON or multipart/form-data)', CreateBody, true),
    create,
  );
  app.post(
    '/v1/video/generations',
    routeOptions(
      "Create a video (new-api's generic form; also takes duration and image)",
      GenerationBody,
      true,
    ),
    create,
  );

  app.post(
    '/v1/videos/:id/remix',
    routeOptions(
      'Remix one of my completed videos (same channel, model, size and seconds)',
      RemixBody,
      false,
      IdParams,
    ),
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const prompt = readPrompt((request.body as { prompt?: unknown }).prompt);
      const origin = await findUserTask(store, request.apiKey.user.id, PLATFORM, id);
      if (!origin) throw new AppError('task_not_found', 404);
      if (origin.status !== 'SUCCESS' || !origin.upstream_id) {
        throw badRequest(`the video ${origin.task_id} is not completed (status ${origin.status})`);
      }
      const stored = parseJson<unknown>(origin.properties, {});
      const properties = isObject(stored) ? stored : {};
      let seconds = DEFAULT_SECONDS;
      try {
        seconds = readSeconds(properties.seconds);
      } catch {}
      return submit(request, reply, {
        action: 'remixGenerate',
        model: origin.model,
        // Priced like its origin: the remix inherits its length.
        seconds,
        prompt,
        properties: {
          prompt,
          model: origin.model,
          size: properties.size ?? null,
          seconds: String(seconds),
          remix_of: origin.task_id,
        },
        origin,
        request: (channel) => remixVideoRequest(channel.key, origin.upstream_id, prompt),
      });
    },
  );
}
