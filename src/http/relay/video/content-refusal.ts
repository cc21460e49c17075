// What a client of GET /v1/videos/{id}/content hears when the upstream refuses the file with a 4xx: that status
// and an OpenAI error (the upstream's own message and code when it sent one), with Taskgate's id in place of the
// upstream's. Refusals that blame the channel's credentials stay the media forwarder's 502.
import { type Language, renderMessage } from '../../../core/messages.js';
import { clip, isObject, parseJsonText } from '../../../platforms/json.js';
import type { MediaRefusal } from '../../media/stream.js';

/** The channel's key refused (401/403) or its proxy's login (407): the client's request is not at fault. */
const CHANNEL_FAULTS = new Set([401, 403, 407]);
/** An OpenAI error code worth passing on (video_expired, video_not_found, rate_limit_exceeded…). */
const CODE = /^[\w.-]{1,64}$/;

export function contentRefusal(
  language: Language,
  ids: { publicId: string; upstreamId: string },
  status: number,
  text: string,
): MediaRefusal | null {
  if (CHANNEL_FAULTS.has(status)) return null;
  const parsed = parseJsonText(text);
  const error = parsed.ok && isObject(parsed.value) && isObject(parsed.value.error) ? parsed.value.error : {};
  const said = typeof error.message === 'string' ? error.message.trim() : '';
  const detail = said
    ? clip(ids.upstreamId ? said.replaceAll(ids.upstreamId, ids.publicId) : said, 500)
    : 'no reason given';
  const code = typeof error.code === 'string' && CODE.test(error.code) ? error.code : 'content_refused';
  const message = renderMessage('content_refused', language, { status, detail });
  return { status, body: { error: { message, type: 'invalid_request_error', param: null, code } } };
}
