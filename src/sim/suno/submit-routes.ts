// POST /suno/submit/:action — MUSIC answers a task id at once; LYRICS blocks until its lyrics exist.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FaultRule } from '../common/faults.js';
import { answerPlan, type Plan } from '../common/planned.js';
import {
  authorized,
  badRequest,
  decodeBody,
  failure,
  type GoType,
  success,
  UNAUTHORIZED,
} from './envelope.js';
import { parseSunoScript } from './script.js';
import type { SunoState } from './state.js';
import type { MusicRequest } from './types.js';

const MUSIC_FIELDS: Record<string, GoType> = {
  gpt_description_prompt: 'string',
  prompt: 'string',
  tags: 'string',
  title: 'string',
  mv: 'string',
  make_instrumental: 'bool',
  continue_clip_id: 'string',
  continue_at: 'float64',
  task_id: 'string',
};

function text(fields: Record<string, unknown>, name: string): string {
  const value = fields[name];
  return typeof value === 'string' ? value : '';
}

function planMusic(state: SunoState, body: unknown): Plan {
  const decoded = decodeBody(body, 'SubmitGenSongReq', MUSIC_FIELDS);
  if (!decoded.ok) return decoded;
  const fields = decoded.fields;
  const request: MusicRequest = {
    gpt_description_prompt: text(fields, 'gpt_description_prompt'),
    prompt: text(fields, 'prompt'),
    tags: text(fields, 'tags'),
    title: text(fields, 'title'),
    mv: text(fields, 'mv') || 'chirp-v3-0',
    make_instrumental: fields.make_instrumental === true,
    continue_clip_id: text(fields, 'continue_clip_id'),
    continue_at: typeof fields.continue_at === 'number' ? fields.continue_at : null,
    task_id: text(fields, 'task_id'),
  };
  if (request.continue_clip_id && !request.task_id) return { answer: badRequest('task_id is empty') };
  const script = parseSunoScript(request.prompt, request.gpt_description_prompt, request.tags, request.title);
  if (request.gpt_description_prompt) {
    // Inspiration mode: Suno-API drops the custom fields before calling Suno.
    Object.assign(request, { prompt: '', tags: '', title: '', continue_clip_id: '', continue_at: null });
  }
  return {
    fault: script.submitFault,
    run: async () => {
      const task = state.addMusic(request, script);
      // A slow answer still leaves the task behind, as a client that gave up would find out later.
      if (script.submitDelayMs > 0) await state.faults.wait(script.submitDelayMs);
      return success(task.taskId);
    },
  };
}

function planLyrics(state: SunoState, body: unknown): Plan {
  const decoded = decodeBody(body, 'SubmitGenLyricsReq', { prompt: 'string' });
  if (!decoded.ok) return decoded;
  const prompt = text(decoded.fields, 'prompt');
  if (!prompt) return { answer: badRequest('prompt is empty') };
  const script = parseSunoScript(prompt);
  // Suno-API polls lyrics until they complete, with no working time limit: a stuck job hangs the request.
  const fault: FaultRule | null = script.freeze ? { kind: 'hang' } : script.submitFault;
  return {
    fault,
    run: async () => {
      if (!(await state.faults.wait(state.knobs.lyricsDelayMs + script.submitDelayMs))) {
        return failure(500, 'internal_error', 'simulator closing');
      }
      return success(state.addLyrics(prompt, script).taskId);
    },
  };
}

function planSubmit(state: SunoState, request: FastifyRequest<{ Params: { action: string } }>): Plan {
  const { secretToken, strictBearer } = state.knobs;
  if (!authorized(request, secretToken, strictBearer)) return { answer: UNAUTHORIZED };
  const action = request.params.action.toUpperCase();
  if (action === 'MUSIC') return planMusic(state, request.body);
  if (action === 'LYRICS') return planLyrics(state, request.body);
  return { answer: badRequest('invalid action') };
}

export function submitRoutes(app: FastifyInstance, state: SunoState): void {
  app.post<{ Params: { action: string } }>('/suno/submit/:action', async (request, reply) =>
    answerPlan(state.faults, request, reply, state.drawFault(state.knobs.faults.submit), () =>
      planSubmit(state, request),
    ),
  );
}
