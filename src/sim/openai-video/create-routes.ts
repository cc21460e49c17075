// POST /v1/videos (JSON or multipart/form-data) and POST /v1/videos/{id}/remix.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Answer } from '../common/faults.js';
import { type FormPart, MultipartError, multipartBoundary, parseMultipart } from '../common/multipart.js';
import { answerPlan, type Plan } from '../common/planned.js';
import { readJson } from '../common/raw-body.js';
import { authError, invalidRequest, UNPARSABLE_JSON, videoNotFound } from './errors.js';
import { parseVideoScript } from './script.js';
import type { VideoState } from './state.js';
import type { VideoParams } from './types.js';
import { type Checked, checkCreate, checkKnownParams, checkPrompt } from './validate.js';
import { videoJson } from './video-json.js';

interface CreateForm {
  fields: Record<string, unknown>;
  referencePart: FormPart | null;
}

function formFields(request: FastifyRequest, boundary: string): Checked<CreateForm> {
  let parts: FormPart[];
  try {
    parts = parseMultipart(Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0), boundary);
  } catch (error) {
    if (!(error instanceof MultipartError)) throw error;
    return { ok: false, answer: invalidRequest(`Invalid multipart/form-data body: ${error.message}.`) };
  }
  const references = parts.filter((part) => part.name === 'input_reference');
  if (references.length > 1) {
    return {
      ok: false,
      answer: invalidRequest("Only one 'input_reference' may be given.", 'input_reference'),
    };
  }
  const fields: Record<string, unknown> = {};
  for (const part of parts)
    if (part.name !== 'input_reference') fields[part.name] = part.data.toString('utf8');
  return { ok: true, value: { fields, referencePart: references[0] ?? null } };
}

/** The body as fields: multipart when it says so, JSON otherwise. */
function readForm(request: FastifyRequest): Checked<CreateForm> {
  const contentType = request.headers['content-type'];
  const boundary = multipartBoundary(contentType);
  if (boundary) return formFields(request, boundary);
  if (contentType?.toLowerCase().startsWith('multipart/')) {
    return { ok: false, answer: invalidRequest('Invalid multipart/form-data body: no boundary.') };
  }
  const read = readJson(request.body);
  if (!read.ok) return { ok: false, answer: UNPARSABLE_JSON };
  if (typeof read.value !== 'object' || read.value === null || Array.isArray(read.value)) {
    return { ok: false, answer: invalidRequest('The request body must be a JSON object.') };
  }
  return { ok: true, value: { fields: read.value as Record<string, unknown>, referencePart: null } };
}

function created(state: VideoState, params: VideoParams, remixOf: string | null): Plan {
  const script = parseVideoScript(params.prompt);
  return {
    fault: script.submitFault,
    run: async (): Promise<Answer> => {
      const video = state.create(params, script, remixOf);
      // A slow answer still leaves the video behind, as a client that gave up would find out later.
      if (script.submitDelayMs > 0) await state.faults.wait(script.submitDelayMs);
      return { status: 200, body: videoJson(video, state.snapshot(video), state.knobs) };
    },
  };
}

function planCreate(state: VideoState, request: FastifyRequest): Plan {
  const denied = authError(request, state.knobs.apiKey);
  if (denied) return { answer: denied };
  const form = readForm(request);
  if (!form.ok) return form;
  const params = checkCreate(form.value.fields, form.value.referencePart, state.knobs.strictParams);
  if (!params.ok) return params;
  return created(state, params.value, null);
}

function planRemix(state: VideoState, request: FastifyRequest<{ Params: { id: string } }>): Plan {
  const denied = authError(request, state.knobs.apiKey);
  if (denied) return { answer: denied };
  const source = state.visible(request.params.id);
  if (!source) return { answer: videoNotFound(request.params.id) };
  const read = readJson(request.body);
  if (!read.ok && !read.empty) return { answer: UNPARSABLE_JSON };
  const fields = (read.ok && typeof read.value === 'object' && read.value) || {};
  const unknown = state.knobs.strictParams
    ? checkKnownParams(fields as Record<string, unknown>, ['prompt'])
    : null;
  if (unknown) return { answer: unknown };
  const prompt = checkPrompt(fields as Record<string, unknown>);
  if (!prompt.ok) return prompt;
  const status = state.snapshot(source).status;
  if (status !== 'completed') {
    return {
      answer: invalidRequest(
        `Video '${source.id}' cannot be remixed because its status is '${status}'; only completed videos can be remixed.`,
        null,
        'invalid_video_status',
      ),
    };
  }
  const { model, seconds, size } = source;
  return created(state, { prompt: prompt.value, model, seconds, size, inputReference: null }, source.id);
}

export function createRoutes(app: FastifyInstance, state: VideoState): void {
  const answer = (request: FastifyRequest, reply: FastifyReply, plan: () => Plan) => {
    if (state.knobs.pollAfterMs !== null)
      reply.header('openai-poll-after-ms', String(state.knobs.pollAfterMs));
    return answerPlan(state.faults, request, reply, state.drawFault(state.knobs.faults.submit), plan);
  };

  app.post('/v1/videos', async (request, reply) => answer(request, reply, () => planCreate(state, request)));

  app.post<{ Params: { id: string } }>('/v1/videos/:id/remix', async (request, reply) =>
    answer(request, reply, () => planRemix(state, request)),
  );
}
