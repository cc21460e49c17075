// /api/token/*: a user's API keys. The full key is returned once, by the create call, and never again.
import { Type } from 'typebox';
import { badRequest, notFound } from '../../core/errors.js';
import { hashSecret, newApiKey } from '../../core/ids.js';
import { parsePage } from '../../core/paging.js';
import { assertMayUseGroup, Role, TokenStatus } from '../../core/roles.js';
import type { UserRow } from '../../store/schema.js';
import {
  createToken,
  deleteUserToken,
  findUserToken,
  listUserTokens,
  type TokenSettings,
  updateToken,
} from '../../store/tokens.js';
import { apiKeyCache } from '../plugins/api-key-cache.js';
import { requireUser } from '../plugins/auth.js';
import type { App } from '../types.js';
import { TokenView, tokenView } from '../views/account.js';
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

const Settings = {
  name: Type.String({ maxLength: 128 }),
  remain_quota: Type.Integer({ minimum: 0, maximum: 1e15 }),
  unlimited_quota: Type.Boolean(),
  expired_time: Type.Integer({ minimum: -1, maximum: 1e11, description: 'Unix seconds, -1 for never' }),
  model_limits_enabled: Type.Boolean(),
  model_limits: Type.String({ maxLength: 4000, description: 'Comma-separated model names' }),
  allow_ips: Type.String({ maxLength: 4000, description: 'IP addresses separated by commas or new lines' }),
  group: Type.String({ maxLength: 64 }),
};

type SettingsBody = Partial<{
  name: string;
  remain_quota: number;
  unlimited_quota: boolean;
  expired_time: number;
  model_limits_enabled: boolean;
  model_limits: string;
  allow_ips: string;
  group: string;
}>;

function toSettings(user: UserRow, body: SettingsBody): Partial<TokenSettings> {
  if (body.expired_time !== undefined && body.expired_time === 0)
    throw badRequest('expired_time must be -1 or a time');
  // Otherwise a user would reach another group's channels and prices through their own key.
  if (body.group) assertMayUseGroup(user, body.group);
  return {
    name: body.name,
    remainQuota: body.remain_quota,
    unlimitedQuota: body.unlimited_quota,
    expiredTime: body.expired_time,
    modelLimitsEnabled: body.model_limits_enabled,
    modelLimits: body.model_limits,
    allowIps: body.allow_ips,
    group: body.group,
  };
}

export async function tokenRoutes(app: App): Promise<void> {
  const { store, clock } = app.ctx;
  const tags = ['token'];
  const onRequest = requireUser(Role.user);

  app.get(
    '/api/token/',
    {
      onRequest,
      schema: {
        tags,
        summary: 'My API keys',
        querystring: Type.Object(PageQuery),
        response: dashboardResponses(Paged(TokenView)),
      },
    },
    async (request) => {
      const page = parsePage(request.query);
      const { rows, total } = await listUserTokens(store, request.user.id, page.offset, page.pageSize);
      return ok({ items: rows.map(tokenView), total, page: page.page, page_size: page.pageSize });
    },
  );

  app.get(
    '/api/token/:id',
    {
      onRequest,
      schema: {
        tags,
        summary: 'One of my API keys',
        params: IdParams,
        response: dashboardResponses(Envelope(TokenView)),
      },
    },
    async (request) => {
      const token = await findUserToken(store, request.user.id, Number(request.params.id));
      if (!token) throw notFound('token_not_found');
      return ok(tokenView(token));
    },
  );

  app.post(
    '/api/token/',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Create an API key; `data.key` holds the full key, shown only this once',
        body: Type.Object({
          ...Settings,
          name: Type.String({ minLength: 1, maxLength: 128 }),
          remain_quota: Type.Optional(Settings.remain_quota),
          unlimited_quota: Type.Optional(Settings.unlimited_quota),
          expired_time: Type.Optional(Settings.expired_time),
          model_limits_enabled: Type.Optional(Settings.model_limits_enabled),
          model_limits: Type.Optional(Settings.model_limits),
          allow_ips: Type.Optional(Settings.allow_ips),
          group: Type.Optional(Settings.group),
        }),
        response: dashboardResponses(
          Envelope(Type.Intersect([TokenView, Type.Object({ key: Type.String() })])),
        ),
      },
    },
    async (request) => {
      const settings = toSettings(request.user, request.body);
      const key = newApiKey();
      const id = await createToken(
        store,
        request.user.id,
        hashSecret(key),
        key,
        {
          name: request.body.name,
          remainQuota: settings.remainQuota ?? 0,
          unlimitedQuota: settings.unlimitedQuota ?? false,
          expiredTime: settings.expiredTime ?? -1,
          modelLimitsEnabled: settings.modelLimitsEnabled ?? false,
          modelLimits: settings.modelLimits ?? '',
          allowIps: settings.allowIps ?? '',
          group: settings.group ?? '',
        },
        clock.now(),
      );
      const token = (await findUserToken(store, request.user.id, id))!;
      return ok({ ...tokenView(token), key });
    },
  );

  app.put(
    '/api/token/',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Update one of my API keys (with `status_only`, only its status)',
        querystring: Type.Object({ status_only: Type.Optional(Type.String()) }),
        body: Type.Object({
          id: IdBody,
          status: Type.Optional(
            Type.Union([Type.Literal(TokenStatus.enabled), Type.Literal(TokenStatus.disabled)]),
          ),
          ...Object.fromEntries(Object.entries(Settings).map(([k, v]) => [k, Type.Optional(v)])),
        }),
        response: dashboardResponses(Envelope(TokenView)),
      },
    },
    async (request) => {
      const body = request.body as SettingsBody & { id: number; status?: number };
      const existing = await findUserToken(store, request.user.id, body.id);
      if (!existing) throw notFound('token_not_found');
      const statusOnly = request.query.status_only !== undefined && request.query.status_only !== 'false';
      if (statusOnly && body.status === undefined) throw badRequest('status is required with status_only');
      const changes = statusOnly
        ? { status: body.status }
        : { ...toSettings(request.user, body), status: body.status };
      // A body naming only the id changes nothing; it must not reach the database as an empty UPDATE.
      if (Object.values(changes).some((value) => value !== undefined)) {
        await updateToken(store, request.user.id, body.id, changes);
        apiKeyCache(store).forgetToken(body.id);
      }
      return ok(tokenView((await findUserToken(store, request.user.id, body.id))!));
    },
  );

  app.delete(
    '/api/token/:id',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Delete one of my API keys',
        params: IdParams,
        response: dashboardResponses(EmptyEnvelope),
      },
    },
    async (request) => {
      if (!(await deleteUserToken(store, request.user.id, Number(request.params.id))))
        throw notFound('token_not_found');
      apiKeyCache(store).forgetToken(Number(request.params.id));
      return done();
    },
  );
}
