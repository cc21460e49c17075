// GET /v1/videos/{id}/content?variant=video|thumbnail|spritesheet — bytes with Content-Length, Accept-Ranges
// and 206 for a Range; an error before completion (knob contentNotReadyStatus) and after expires_at.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendBytes } from '../common/byte-range.js';
import { type Answer, type FaultRule, sendAnswer } from '../common/faults.js';
import { authError, invalidRequest, openAiError, videoNotFound } from './errors.js';
import { CONTENT_TYPES, contentBytes, VARIANTS, type Variant } from './media.js';
import type { VideoState } from './state.js';

type ContentRequest = FastifyRequest<{ Params: { id: string }; Querystring: { variant?: string } }>;

type Content = { ok: true; bytes: Buffer; type: string } | { ok: false; answer: Answer };

function content(state: VideoState, request: ContentRequest): Content {
  const refuse = (answer: Answer): Content => ({ ok: false, answer });
  const denied = authError(request, state.knobs.apiKey);
  if (denied) return refuse(denied);
  const video = state.visible(request.params.id);
  if (!video) return refuse(videoNotFound(request.params.id));
  const variant = request.query.variant ?? 'video';
  if (!(VARIANTS as readonly string[]).includes(variant)) {
    return refuse(
      invalidRequest(
        `Invalid value: '${variant}'. Supported values are: 'video', 'thumbnail', 'spritesheet'.`,
        'variant',
        'invalid_value',
      ),
    );
  }
  const snapshot = state.snapshot(video);
  if (snapshot.status !== 'completed') {
    const status = state.knobs.contentNotReadyStatus;
    const message = `Video '${video.id}' is not ready: its status is '${snapshot.status}'.`;
    return refuse(openAiError(status, message, 'invalid_request_error', null, 'video_not_ready'));
  }
  if (snapshot.expiresAt !== null && state.clock.now() >= snapshot.expiresAt) {
    return refuse(
      openAiError(
        404,
        `The content of video '${video.id}' has expired.`,
        'invalid_request_error',
        null,
        'video_expired',
      ),
    );
  }
  return {
    ok: true,
    bytes: contentBytes(video, variant as Variant),
    type: CONTENT_TYPES[variant as Variant],
  };
}

/** Half the bytes under a full Content-Length, then the connection drops: a download cut short. */
function cutShort(request: FastifyRequest, reply: FastifyReply, bytes: Buffer, type: string): FastifyReply {
  reply.hijack();
  reply.raw.writeHead(200, {
    'content-type': type,
    'content-length': bytes.length,
    'accept-ranges': 'bytes',
  });
  reply.raw.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => request.raw.socket.destroy());
  return reply;
}

async function deliver(
  state: VideoState,
  request: ContentRequest,
  reply: FastifyReply,
  fault: FaultRule | null,
) {
  const found = content(state, request);
  if (!found.ok) return state.faults.answer(request, reply, fault, () => found.answer);
  switch (fault?.kind) {
    case undefined:
      return sendBytes(request, reply, found.bytes, found.type);
    case 'truncated':
      return cutShort(request, reply, found.bytes, found.type);
    case 'slow':
      if (!(await state.faults.wait(fault.delayMs ?? 0))) return reply.code(503).send();
      return sendBytes(request, reply, found.bytes, found.type);
    case 'empty':
      return sendAnswer(reply, { status: 200 });
    default:
      return state.faults.answer(request, reply, fault, () => ({ status: 200 }));
  }
}

export function contentRoute(app: FastifyInstance, state: VideoState): void {
  app.get('/v1/videos/:id/content', async (request: ContentRequest, reply) => {
    const knobFault = state.drawFault(state.knobs.faults.content);
    const video = state.visible(request.params.id);
    return deliver(state, request, reply, knobFault ?? (video ? state.drawFault(video.contentFault) : null));
  });
}
