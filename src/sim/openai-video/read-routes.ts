// GET /v1/videos/{id} (the poll), GET /v1/videos (cursor list) and DELETE /v1/videos/{id}.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { callerOf } from '../common/call-log.js';
import { type Answer, sendAnswer } from '../common/faults.js';
import { authError, invalidRequest, videoNotFound } from './errors.js';
import type { VideoState } from './state.js';
import type { VideoRecord } from './types.js';
import { videoJson } from './video-json.js';

interface ListQuery {
  after?: string;
  limit?: string;
  order?: string;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

function list(state: VideoState, query: ListQuery): Answer {
  const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return invalidRequest(
      `Invalid 'limit': expected an integer between 1 and ${MAX_LIMIT}.`,
      'limit',
      'invalid_value',
    );
  }
  const order = query.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') {
    return invalidRequest(
      `Invalid value: '${order}'. Supported values are: 'asc', 'desc'.`,
      'order',
      'invalid_value',
    );
  }
  const ordered: VideoRecord[] = [...state.videos.values()].filter((video) => state.visible(video.id));
  if (order === 'desc') ordered.reverse();
  let start = 0;
  if (query.after !== undefined) {
    const index = ordered.findIndex((video) => video.id === query.after);
    if (index < 0)
      return invalidRequest(`No video found with id '${query.after}' for 'after'.`, 'after', 'invalid_value');
    start = index + 1;
  }
  const page = ordered.slice(start, start + limit);
  return {
    status: 200,
    body: {
      object: 'list',
      data: page.map((video) => videoJson(video, state.snapshot(video), state.knobs)),
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
      has_more: start + limit < ordered.length,
    },
  };
}

export function readRoutes(app: FastifyInstance, state: VideoState): void {
  app.get<{ Params: { id: string } }>('/v1/videos/:id', async (request, reply) => {
    if (state.knobs.pollAfterMs !== null)
      reply.header('openai-poll-after-ms', String(state.knobs.pollAfterMs));
    const knobFault = state.drawFault(state.knobs.faults.fetch);
    const denied = authError(request, state.knobs.apiKey);
    const video = denied ? undefined : state.poll(request.params.id, callerOf(request));
    const fault = knobFault ?? (video ? state.drawFault(video.pollFault) : null);
    return state.faults.answer(request, reply, fault, () => {
      if (denied) return denied;
      if (!video) return videoNotFound(request.params.id);
      return { status: 200, body: videoJson(video, state.snapshot(video), state.knobs) };
    });
  });

  app.get('/v1/videos', async (request: FastifyRequest<{ Querystring: ListQuery }>, reply) =>
    sendAnswer(reply, authError(request, state.knobs.apiKey) ?? list(state, request.query)),
  );

  app.delete<{ Params: { id: string } }>('/v1/videos/:id', async (request, reply) => {
    const denied = authError(request, state.knobs.apiKey);
    if (denied) return sendAnswer(reply, denied);
    const id = request.params.id;
    if (!state.visible(id)) return sendAnswer(reply, videoNotFound(id));
    state.videos.delete(id);
    return sendAnswer(reply, { status: 200, body: { id, object: 'video.deleted', deleted: true } });
  });
}
