// Who is calling. Dashboard routes: a session cookie or the user's access token, and always a matching
// New-Api-User header. Relay routes: an API key as `Authorization: Bearer sk-…` or `mj-api-secret`.
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { AppError, forbidden, unauthorized } from '../../core/errors.js';
import { hashSecret } from '../../core/ids.js';
import { TokenStatus, UserStatus } from '../../core/roles.js';
import type { DbContext } from '../../store/db.js';
import { findSessionUserId } from '../../store/sessions.js';
import { findTokenByKeyHash } from '../../store/tokens.js';
import { findUserByAccessTokenHash, findUserById } from '../../store/users.js';
import { apiKeyCache, type KeyRows } from './api-key-cache.js';

export const SESSION_COOKIE = 'taskgate_session';

const stripBearer = (value: string | undefined): string => (value ?? '').replace(/^Bearer\s+/i, '').trim();

async function sessionUserId(request: FastifyRequest): Promise<number | null> {
  const raw = request.cookies[SESSION_COOKIE];
  if (!raw) return null;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return null;
  const { store, clock } = request.server.ctx;
  return findSessionUserId(store, hashSecret(unsigned.value), clock.now());
}

/** The credential a route asks for through its hooks: a dashboard user or a relay API key. */
export type Credential = 'dashboard' | 'apiKey';

// Which credential each authentication hook demands, so the OpenAPI document (plugins/docs.ts) states every
// operation's security from the hooks that actually guard it rather than from a list kept apart.
const HOOK_CREDENTIALS = new WeakMap<object, Credential>();

/** The credential the given route hooks (a hook, a list of them, or none) demand; null for a public route. */
export function credentialOf(...hooks: unknown[]): Credential | null {
  for (const hook of hooks.flat()) {
    const credential = hook && typeof hook === 'function' ? HOOK_CREDENTIALS.get(hook) : undefined;
    if (credential) return credential;
  }
  return null;
}

/**
 * An `onRequest` hook admitting enabled users of at least `minRole`. It runs before the body is read and the
 * input validated, so an anonymous or under-privileged caller gets 401/403, never a 400 about a body it may not send.
 */
export function requireUser(minRole: number): onRequestAsyncHookHandler {
  const hook = async function authenticate(request: FastifyRequest, _reply: FastifyReply) {
    const { store } = request.server.ctx;
    const sessionUser = await sessionUserId(request);
    let user = sessionUser === null ? undefined : await findUserById(store, sessionUser);
    if (!user) {
      const accessToken = stripBearer(request.headers.authorization);
      if (!accessToken) throw unauthorized('not_logged_in');
      user = await findUserByAccessTokenHash(store, hashSecret(accessToken));
      if (!user) {
        request.log.info({ reason: 'invalid_access_token' }, 'dashboard authentication failed');
        throw unauthorized('invalid_access_token');
      }
    }
    // Required even with a cookie: a cross-site form cannot set it, so it doubles as a CSRF guard.
    const header = request.headers['new-api-user'];
    if (header === undefined || header === '') throw unauthorized('missing_new_api_user');
    if (typeof header !== 'string' || !/^\d+$/.test(header)) throw unauthorized('invalid_new_api_user');
    if (Number(header) !== user.id) throw unauthorized('mismatched_new_api_user');
    if (user.status !== UserStatus.enabled) throw forbidden('user_disabled');
    if (user.role < minRole) throw forbidden('insufficient_role');
    request.user = user;
  };
  HOOK_CREDENTIALS.set(hook, 'dashboard');
  return hook;
}

/** The API key of a relay request. midjourney-proxy clients send it as `mj-api-secret`. */
export function apiKeyOf(request: FastifyRequest): string {
  const authorization = stripBearer(request.headers.authorization);
  if (authorization && authorization !== 'midjourney-proxy') return authorization;
  const secret = request.headers['mj-api-secret'];
  return stripBearer(typeof secret === 'string' ? secret : undefined);
}

function ipAllowed(allowList: string, ip: string): boolean {
  // Most keys have no list: answered without splitting anything on every request.
  if (allowList.trim() === '') return true;
  const allowed = allowList
    .split(/[\s,]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);
  return allowed.length === 0 || allowed.includes(ip) || allowed.includes(ip.replace(/^::ffff:/, ''));
}

/** The key's token and user from the store (null: no such key, or its owner is gone). */
async function readKey(store: DbContext, keyHash: string): Promise<KeyRows | null> {
  const token = await findTokenByKeyHash(store, keyHash);
  if (!token) return null;
  const user = await findUserById(store, token.user_id);
  return user ? { token, user } : null;
}

/** Whether the key and its owner may call now: the refusal, or undefined once `request.apiKey` is set. */
function admitKey(request: FastifyRequest, found: KeyRows | null): AppError | undefined {
  if (!found) {
    request.log.info({ reason: 'invalid_api_key' }, 'relay authentication failed');
    return unauthorized('invalid_api_key');
  }
  const { token, user } = found;
  if (token.status !== TokenStatus.enabled) return unauthorized('api_key_disabled');
  if (token.expired_time !== -1 && token.expired_time * 1000 < request.server.ctx.clock.now())
    return unauthorized('api_key_expired');
  if (!token.unlimited_quota && token.remain_quota <= 0) return unauthorized('token_quota_exhausted');
  if (!ipAllowed(token.allow_ips, request.ip)) return forbidden('ip_not_allowed');
  if (user.status !== UserStatus.enabled) return forbidden('user_disabled');
  request.apiKey = found;
  return undefined;
}

/** The last API key each keep-alive connection presented, with its hash: a client polls with one key. */
const lastKeyOfConnection = new WeakMap<object, { key: string; hash: string }>();

/**
 * The hash of `key`, computed once per connection while it keeps presenting the same key. Scoped to the socket,
 * the key is held no longer than the connection that carries it, and never in a process-wide table.
 */
export function keyHashOf(request: FastifyRequest, key: string): string {
  const socket = request.raw.socket;
  if (!socket) return hashSecret(key);
  const last = lastKeyOfConnection.get(socket);
  if (last?.key === key) return last.hash;
  const hash = hashSecret(key);
  lastKeyOfConnection.set(socket, { key, hash });
  return hash;
}

/**
 * The relay routes' hook (onRequest or preHandler). A callback hook, not an async one: a cached key, the common
 * case on every poll of fetch, is admitted without a promise; only a lookup in the store waits.
 */
export function requireApiKey(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) {
  const key = apiKeyOf(request);
  if (!key) return done(unauthorized('missing_api_key'));
  const keyHash = keyHashOf(request, key);
  const cache = apiKeyCache(request.server.ctx.store);
  const cached = cache.get(keyHash);
  if (cached) return done(admitKey(request, cached));
  const { store } = request.server.ctx;
  cache
    .read(keyHash, () => readKey(store, keyHash))
    .then((found) => admitKey(request, found))
    .then(done, done);
}

HOOK_CREDENTIALS.set(requireApiKey, 'apiKey');

/** Whether a key may use `model` (its optional allow-list). */
export function assertModelAllowed(
  token: { model_limits_enabled: number; model_limits: string },
  model: string,
) {
  if (!token.model_limits_enabled) return;
  const allowed = token.model_limits.split(',').map((m) => m.trim());
  if (!allowed.includes(model)) throw new AppError('model_not_allowed', 403, { model });
}
