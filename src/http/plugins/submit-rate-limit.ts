// The one rate limit of every relay submit route (Midjourney, Suno, video): 600 a minute per API key.
import type { FastifyRequest } from 'fastify';
import { apiKeyOf, keyHashOf } from './auth.js';

/**
 * The bucket: the API key as authentication reads it, so one key is one bucket however its header is spelt, and
 * midjourney-proxy clients (all sending `Authorization: midjourney-proxy`) each count apart. Its hash, so no
 * plaintext key sits in the limiter's memory or in Redis; the client's address when no key is given.
 */
export function submitRateLimitKey(request: FastifyRequest): string {
  const key = apiKeyOf(request);
  return key ? `key:${keyHashOf(request, key)}` : `ip:${request.ip}`;
}

/** A submit route's `config.rateLimit`. */
export const SUBMIT_RATE_LIMIT = { max: 600, timeWindow: '1 minute', keyGenerator: submitRateLimitKey };
