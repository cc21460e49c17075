// One access line per request, written once it is answered: method, URL, client address, status and time.
// Fastify's default writes two lines (one on arrival, one when answered) with nested req and res objects; at
// thousands of fetch polls a second they cost about 25 µs of CPU per fetch, this line about 12 µs
// (docs/benchmarks.md, fetch). The routes clients poll in a loop (`config.polled`) log their successful answers
// at debug: a poll is not an event, and at info they would be most of the log. Errors are still logged where
// they happen (plugins/errors.ts).
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

const PUSH_SECRET = /(\/mj\/notify\/[^/?#]*\/)[^/?#]+/;
const SIGNATURE = /([?&]sig=)[^&#]*/g;

/**
 * The URL as the access line writes it: the push secret in `/mj/notify/{channel}/{secret}` (it rewrites that
 * channel's tasks) and media URLs' `sig` values (they open the media) are masked; the rest is kept.
 */
export function loggableUrl(url: string): string {
  // Most URLs hold neither: answered without running a pattern.
  let out = url.includes('/notify/') ? url.replace(PUSH_SECRET, '$1***') : url;
  if (out.includes('sig=')) out = out.replace(SIGNATURE, '$1***');
  return out;
}

export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    // Flat fields, not Fastify's nested req and res: the logger's redaction looks inside every nested object
    // of a line for secrets, and these fields hold none (no headers, no body).
    const line = {
      method: request.method,
      url: loggableUrl(request.url),
      remoteAddress: request.ip,
      statusCode: reply.statusCode,
      responseTime: reply.elapsedTime,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else if (reply.statusCode < 400 && request.routeOptions.config.polled)
      reply.log.debug(line, 'request completed');
    else reply.log.info(line, 'request completed');
  }
}
