// /api/user/*: login and logout, the caller's own account and access token, and admin management of users.
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError, badRequest, forbidden, notFound } from '../../core/errors.js';
import { hashSecret, newAccessToken, newSessionId } from '../../core/ids.js';
import { parsePage } from '../../core/paging.js';
import { Role, UserStatus } from '../../core/roles.js';
import { hashPassword, verifyPassword } from '../../services/passwords.js';
import { inTransaction } from '../../store/db.js';
import { isUniqueViolation } from '../../store/insert.js';
import { changeBalance, setBalance } from '../../store/ledger.js';
import type { UserRow } from '../../store/schema.js';
import { createSession, deleteSession, deleteUserSessions } from '../../store/sessions.js';
import {
  createUser,
  findUserById,
  findUserByUsername,
  listUsers,
  setAccessTokenHash,
  updateUser,
} from '../../store/users.js';
import { apiKeyCache } from '../plugins/api-key-cache.js';
import { requireUser, SESSION_COOKIE } from '../plugins/auth.js';
import type { App } from '../types.js';
import { UserView, userView } from '../views/account.js';
import {
  dashboardResponses,
  done,
  EmptyEnvelope,
  Envelope,
  ok,
  Paged,
  PageQuery,
} from '../views/envelope.js';
import { IdBody, IdParams } from './id-schemas.js';

const SESSION_TTL_MS = 30 * 24 * 3_600_000;
const Username = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.@-]+$' });
const Password = Type.String({ minLength: 8, maxLength: 128 });

/** An admin manages only users below their own role; root manages everyone but cannot demote itself. */
function assertCanManage(actor: UserRow, target: UserRow): void {
  if (actor.role !== Role.root && target.role >= actor.role) throw new AppError('cannot_manage_user', 403);
}

/** The hash of the session id the request's valid cookie carries, or null. */
function sessionHashOf(request: FastifyRequest): string | null {
  const raw = request.cookies[SESSION_COOKIE];
  const unsigned = raw ? request.unsignCookie(raw) : null;
  return unsigned?.valid && unsigned.value ? hashSecret(unsigned.value) : null;
}

export async function userRoutes(app: App): Promise<void> {
  const { store, clock } = app.ctx;
  const tags = ['user'];

  app.post(
    '/api/user/login',
    {
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: 'Log in; sets the session cookie',
        body: Type.Object({
          username: Type.String({ maxLength: 64 }),
          password: Type.String({ maxLength: 128 }),
        }),
        response: dashboardResponses(Envelope(UserView)),
      },
    },
    async (request, reply) => {
      const user = await findUserByUsername(store, request.body.username);
      if (!(await verifyPassword(request.body.password, user?.password_hash)) || !user) {
        request.log.info({ username: request.body.username }, 'login failed');
        throw new AppError('login_failed', 401);
      }
      if (user.status !== UserStatus.enabled) throw forbidden('user_disabled');
      const sessionId = newSessionId();
      await createSession(store, hashSecret(sessionId), user.id, clock.now(), SESSION_TTL_MS);
      reply.setCookie(SESSION_COOKIE, sessionId, {
        signed: true,
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        maxAge: SESSION_TTL_MS / 1000,
        secure: app.ctx.config.serverAddress.startsWith('https://'),
      });
      return ok(userView(user));
    },
  );

  app.get(
    '/api/user/logout',
    { schema: { tags, summary: 'End the session', response: dashboardResponses(EmptyEnvelope) } },
    async (request, reply) => {
      const session = sessionHashOf(request);
      if (session) await deleteSession(store, session);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return done();
    },
  );

  app.get(
    '/api/user/self',
    {
      onRequest: requireUser(Role.user),
      schema: { tags, summary: 'The calling user', response: dashboardResponses(Envelope(UserView)) },
    },
    async (request) => ok(userView(request.user)),
  );

  app.get(
    '/api/user/token',
    {
      onRequest: requireUser(Role.user),
      schema: {
        tags,
        summary: 'Issue a new dashboard access token (replaces the old one; shown once)',
        response: dashboardResponses(Envelope(Type.String())),
      },
    },
    async (request) => {
      const token = newAccessToken();
      await setAccessTokenHash(store, request.user.id, hashSecret(token), clock.now());
      return ok(token);
    },
  );

  const listRoute = (url: string, summary: string) =>
    app.get(
      url,
      {
        onRequest: requireUser(Role.admin),
        schema: {
          tags,
          summary,
          querystring: Type.Object({
            ...PageQuery,
            keyword: Type.Optional(
              Type.String({
                maxLength: 64,
                description: 'Part of the username or display name (any case), or the id',
              }),
            ),
          }),
          response: dashboardResponses(Paged(UserView)),
        },
      },
      async (request) => {
        const page = parsePage(request.query);
        const { rows, total } = await listUsers(
          store,
          { keyword: request.query.keyword },
          page.offset,
          page.pageSize,
        );
        return ok({ items: rows.map(userView), total, page: page.page, page_size: page.pageSize });
      },
    );
  listRoute('/api/user/', 'List users (admin)');
  // new-api's path for the same search.
  listRoute('/api/user/search', 'Search users (admin); the same as GET /api/user/ with a keyword');

  app.get(
    '/api/user/:id',
    {
      onRequest: requireUser(Role.admin),
      schema: {
        tags,
        summary: 'One user (admin)',
        params: IdParams,
        response: dashboardResponses(Envelope(UserView)),
      },
    },
    async (request) => {
      const user = await findUserById(store, Number(request.params.id));
      if (!user) throw notFound('user_not_found');
      return ok(userView(user));
    },
  );

  app.post(
    '/api/user/',
    {
      onRequest: requireUser(Role.admin),
      schema: {
        tags,
        summary: 'Create a user (admin)',
        body: Type.Object({
          username: Username,
          password: Password,
          display_name: Type.Optional(Type.String({ maxLength: 64 })),
          role: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(10)])),
          group: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        }),
        response: dashboardResponses(Envelope(UserView)),
      },
    },
    async (request) => {
      const role = request.body.role ?? Role.user;
      if (role >= request.user.role) throw new AppError('cannot_manage_user', 403);
      try {
        const id = await createUser(
          store,
          {
            username: request.body.username,
            passwordHash: await hashPassword(request.body.password),
            displayName: request.body.display_name,
            role,
            group: request.body.group,
          },
          clock.now(),
        );
        return ok(userView((await findUserById(store, id))!));
      } catch (error) {
        if (isUniqueViolation(error)) throw new AppError('username_taken', 409);
        throw error;
      }
    },
  );

  app.put(
    '/api/user/',
    {
      onRequest: requireUser(Role.admin),
      schema: {
        tags,
        summary:
          'Update a user (admin); `quota_delta` (or a new `quota`) writes a top-up or adjustment to the ledger',
        body: Type.Object({
          id: IdBody,
          username: Type.Optional(Username),
          display_name: Type.Optional(Type.String({ maxLength: 64 })),
          password: Type.Optional(Type.Union([Password, Type.Literal('')])),
          role: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(10), Type.Literal(100)])),
          status: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)])),
          group: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          quota: Type.Optional(
            Type.Integer({
              minimum: 0,
              maximum: 1e15,
              description:
                'Set the balance to this; the ledger row is the difference from the balance at the time of the write',
            }),
          ),
          quota_delta: Type.Optional(
            Type.Integer({
              minimum: -1e15,
              maximum: 1e15,
              description:
                'Add this to the balance (negative deducts, never below zero); a charge made meanwhile is kept',
            }),
          ),
          remark: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: dashboardResponses(Envelope(UserView)),
      },
    },
    async (request) => {
      const body = request.body;
      if (body.quota !== undefined && body.quota_delta !== undefined) {
        throw badRequest('send quota or quota_delta, not both');
      }
      const target = await findUserById(store, body.id);
      if (!target) throw notFound('user_not_found');
      assertCanManage(request.user, target);
      if (body.role !== undefined && body.role >= request.user.role && request.user.role !== Role.root) {
        throw new AppError('cannot_manage_user', 403);
      }
      if (target.id === request.user.id && (body.role ?? target.role) < target.role) {
        throw badRequest('you cannot lower your own role');
      }
      if (target.id === request.user.id && body.status === UserStatus.disabled) {
        throw badRequest('you cannot disable yourself');
      }
      const passwordHash = body.password ? await hashPassword(body.password) : undefined;
      // The balance read above may already be stale (a charge can land any moment): neither form uses it.
      const by = `set by admin ${request.user.username}`;
      const content = body.remark ? `${body.remark} (${by})` : by;
      try {
        // All or nothing: a balance the change would take below zero leaves the other fields as they were too.
        await inTransaction(
          store,
          async (trx) => {
            const now = clock.now();
            await updateUser(
              trx,
              target.id,
              {
                username: body.username,
                displayName: body.display_name,
                passwordHash,
                role: body.role,
                status: body.status,
                group: body.group,
              },
              now,
            );
            // A new password (an admin's answer to a stolen one) or disabling ends the sessions opened before;
            // changing one's own password keeps the session that did it.
            if (body.password || body.status === UserStatus.disabled) {
              const own = target.id === request.user.id ? sessionHashOf(request) : null;
              await deleteUserSessions(trx, target.id, own ?? undefined);
            }
            if (body.quota_delta) await changeBalance(trx, target.id, body.quota_delta, content, now);
            if (body.quota !== undefined) await setBalance(trx, target.id, body.quota, content, now);
          },
          // setBalance's read after its lock must see the charge that held the lock (as in setBalance itself).
          { readCommitted: true },
        );
      } catch (error) {
        if (isUniqueViolation(error)) throw new AppError('username_taken', 409);
        throw error;
      } finally {
        // After the commit, so a key check in between cannot cache the old balance or status again.
        apiKeyCache(store).forgetUser(target.id);
      }
      return ok(userView((await findUserById(store, target.id))!));
    },
  );
}
