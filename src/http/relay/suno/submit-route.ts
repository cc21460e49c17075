// POST /suno/submit/{music|lyrics}: validate, translate Taskgate's ids to the upstream's, and hand the task to the
// engine (price, reserve, channel, forward, record). The client gets Taskgate's public id, never the upstream's.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { badRequest } from '../../../core/errors.js';
import { newTaskPublicId } from '../../../core/ids.js';
import { isObject } from '../../../platforms/json.js';
import { type SunoUpstreamAction, sunoAdapter, sunoSubmitRequest } from '../../../platforms/suno/adapter.js';
import type { TaskRow } from '../../../store/schema.js';
import { findUserTask } from '../../../store/tasks.js';
import { assertModelAllowed, requireApiKey } from '../../plugins/auth.js';
import { SUBMIT_RATE_LIMIT } from '../../plugins/submit-rate-limit.js';
import type { App } from '../../types.js';
import { parseJson } from '../../views/tasks.js';
import { ANY_CONTENT_TYPE, sunoError, taskNotExist } from './errors.js';
import { SubmitAnswer, SubmitBody, SubmitParams, sunoResponses } from './schemas.js';

type Body = Static<typeof SubmitBody>;

interface Kind {
  upstream: SunoUpstreamAction;
  /** The task center's action name (seed 001). */
  action: 'song' | 'lyrics';
  model: string;
}

const KINDS = new Map<string, Kind>([
  ['music', { upstream: 'MUSIC', action: 'song', model: 'suno_music' }],
  ['lyrics', { upstream: 'LYRICS', action: 'lyrics', model: 'suno_lyrics' }],
]);

/** Suno-API's default model for songs. */
const DEFAULT_MV = 'chirp-v3-0';
const MUSIC_TEXT_FIELDS = ['gpt_description_prompt', 'prompt', 'tags', 'title', 'mv'] as const;

const filled = (value: string | null | undefined): value is string =>
  typeof value === 'string' && value.trim() !== '';

/** Only the fields Suno-API knows, with Taskgate's origin id replaced by the upstream's. */
function musicBody(body: Body, origin: TaskRow | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of MUSIC_TEXT_FIELDS) if (filled(body[field])) out[field] = body[field];
  out.mv ??= DEFAULT_MV;
  out.make_instrumental = body.make_instrumental === true;
  if (origin) {
    out.continue_clip_id = body.continue_clip_id;
    if (typeof body.continue_at === 'number') out.continue_at = body.continue_at;
    out.task_id = origin.upstream_id;
  }
  return out;
}

/** What the listings show as `properties`: the request's input, with Taskgate's own ids. */
function propertiesOf(kind: Kind, forwarded: Record<string, unknown>, origin: TaskRow | undefined) {
  const { task_id: _upstreamId, ...input } = forwarded;
  return { ...input, model: kind.model, ...(origin ? { task_id: origin.task_id } : {}) };
}

/** The clip ids of a song task, from its last observed clips. */
function clipIdsOf(task: TaskRow): string[] {
  const clips = parseJson<unknown>(task.data, null);
  if (!Array.isArray(clips)) return [];
  return clips.flatMap((c) => (isObject(c) && typeof c.id === 'string' ? [c.id] : []));
}

export async function sunoSubmitRoute(app: App): Promise<void> {
  const { engine, store } = app.ctx;

  /** A continuation names the caller's own song and one of its clips. */
  async function originOf(request: FastifyRequest, body: Body): Promise<TaskRow | null | undefined> {
    if (!filled(body.continue_clip_id)) return undefined;
    if (!filled(body.task_id)) throw badRequest('task_id (the task whose clip is continued) is required');
    const origin = await findUserTask(store, request.apiKey.user.id, 'suno', body.task_id.trim());
    if (!origin) return null;
    if (origin.action !== 'song') throw badRequest(`the task ${origin.task_id} is not a song`);
    if (!origin.upstream_id) throw badRequest(`the task ${origin.task_id} has no upstream task to continue`);
    if (!clipIdsOf(origin).includes(body.continue_clip_id))
      throw badRequest(`continue_clip_id is not a clip of the task ${origin.task_id}`);
    return origin;
  }

  async function handler(
    request: FastifyRequest<{ Params: Static<typeof SubmitParams>; Body: Body }>,
    reply: FastifyReply,
  ) {
    // Suno-API upper-cases the action: any case works.
    const kind = KINDS.get(request.params.action.toLowerCase());
    if (!kind) {
      return sunoError(request, reply, 400, 'invalid_action', 'invalid_request', {
        detail: 'the action must be music or lyrics',
      });
    }
    const { token, user } = request.apiKey;
    assertModelAllowed(token, kind.model);
    const body = request.body ?? {};
    let origin: TaskRow | undefined;
    let forwarded: Record<string, unknown>;
    if (kind.upstream === 'LYRICS') {
      if (!filled(body.prompt)) throw badRequest('prompt is required for lyrics');
      forwarded = { prompt: body.prompt };
    } else {
      if (!filled(body.prompt) && !filled(body.gpt_description_prompt))
        throw badRequest('prompt or gpt_description_prompt is required for music');
      const found = await originOf(request, body);
      if (found === null) return taskNotExist(request, reply);
      origin = found;
      forwarded = musicBody(body, origin);
    }

    const result = await engine.submit({
      platform: 'suno',
      action: kind.action,
      model: kind.model,
      user,
      token,
      // A continuation extends a clip only the origin's upstream knows.
      pinnedChannelId: origin?.channel_id,
      publicId: newTaskPublicId(),
      request: (channel) => sunoSubmitRequest(channel.key, kind.upstream, forwarded),
      read: sunoAdapter.readSubmit,
      fields: {
        prompt: String(body.prompt || body.gpt_description_prompt || ''),
        properties: JSON.stringify(propertiesOf(kind, forwarded, origin)),
        parent_task_id: origin?.task_id ?? '',
      },
    });
    if (!result.accepted) {
      const refusal = result.reading;
      return reply
        .code(refusal.status)
        .send({ code: String(refusal.code), message: refusal.description, data: null });
    }
    return { code: 'success', message: '', data: result.task.task_id };
  }

  app.post(
    '/suno/submit/:action',
    {
      onRequest: requireApiKey,
      config: { rateLimit: SUBMIT_RATE_LIMIT },
      schema: {
        tags: ['suno'],
        summary: 'Submit a song (music) or lyrics task; answers its Taskgate id',
        description: ANY_CONTENT_TYPE,
        params: SubmitParams,
        body: SubmitBody,
        response: sunoResponses(SubmitAnswer),
      },
    },
    handler as never,
  );
}
