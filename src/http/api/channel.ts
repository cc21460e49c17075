// /api/channel/*: admins manage upstream channels. The key is write-only: no response carries it.
import { Type } from 'typebox';
import { parseChannelType } from '../../core/channel-types.js';
import { badRequest, notFound } from '../../core/errors.js';
import { parsePage } from '../../core/paging.js';
import { ChannelStatus, Role } from '../../core/roles.js';
import { testChannel } from '../../engine/channel-health.js';
import { PROXY_URL_PATTERN } from '../../engine/proxy-dispatcher.js';
import {
  type ChannelValues,
  createChannel,
  deleteChannel,
  findChannel,
  listChannels,
  newChannelValues,
  updateChannel,
} from '../../store/channels.js';
import { requireUser } from '../plugins/auth.js';
import type { App } from '../types.js';
import { ChannelView, channelView, maskProxy } from '../views/account.js';
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

const Url = Type.String({ maxLength: 512, pattern: '^https?://[^\\s]+$' });

const Fields = {
  type: Type.Union([Type.String({ maxLength: 32 }), Type.Integer()], {
    description: 'midjourney, midjourney-plus, suno, openai-video (or new-api numbers 2, 5, 36, 55)',
  }),
  name: Type.String({ minLength: 1, maxLength: 128 }),
  base_url: Url,
  key: Type.String({ maxLength: 4096, description: 'Write-only' }),
  models: Type.String({ maxLength: 4000, description: 'Comma-separated; empty means the type’s defaults' }),
  group: Type.String({ maxLength: 255, description: 'Comma-separated groups (default: default)' }),
  priority: Type.Integer({ minimum: -1e9, maximum: 1e9 }),
  weight: Type.Integer({ minimum: 0, maximum: 1e6 }),
  status: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)]),
  auto_ban: Type.Boolean(),
  proxy: Type.Union([Type.String({ maxLength: 512, pattern: PROXY_URL_PATTERN }), Type.Literal('')], {
    description:
      'outbound proxy for this channel: http://, https:// or socks5:// (user:password@ when needed)',
  }),
  push: Type.Boolean(),
  timeout_minutes: Type.Integer({ minimum: 0, maximum: 525_600, description: '0 uses TaskTimeoutMinutes' }),
};

type FieldsBody = Partial<{
  type: string | number;
  name: string;
  base_url: string;
  key: string;
  models: string;
  group: string;
  priority: number;
  weight: number;
  status: number;
  auto_ban: boolean;
  proxy: string;
  push: boolean;
  timeout_minutes: number;
}>;

const normaliseList = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .join(',');

/** The schema's pattern lets through what no URL parser reads (`http://[::1`, port 99999): refused now, not at submit. */
function checkedUrl(field: string, value: string | undefined): string | undefined {
  if (value && !URL.canParse(value)) throw badRequest(`${field} is not a valid URL`);
  return value;
}

function toValues(body: FieldsBody): Partial<ChannelValues> {
  let type: string | undefined;
  if (body.type !== undefined) {
    type = parseChannelType(body.type) ?? undefined;
    if (!type) throw badRequest(`unknown channel type '${body.type}'`);
  }
  return {
    type,
    name: body.name,
    base_url: checkedUrl('base_url', body.base_url)?.replace(/\/+$/, ''),
    // An empty key on update means "keep the current one": the admin never sees it to send it back.
    key: body.key === '' ? undefined : body.key,
    models: body.models === undefined ? undefined : normaliseList(body.models),
    group: body.group === undefined ? undefined : normaliseList(body.group) || 'default',
    priority: body.priority,
    weight: body.weight,
    status: body.status,
    status_reason:
      body.status === undefined
        ? undefined
        : body.status === ChannelStatus.enabled
          ? ''
          : 'disabled by an admin',
    auto_ban: body.auto_ban === undefined ? undefined : body.auto_ban ? 1 : 0,
    proxy: checkedUrl('proxy', body.proxy),
    push: body.push === undefined ? undefined : body.push ? 1 : 0,
    timeout_minutes: body.timeout_minutes,
  };
}

// The list's status filter as new-api reads it (`disabled` covers both kinds), plus Taskgate's exact 2 and 3.
const STATUS_FILTERS: Record<string, readonly number[] | undefined> = {
  all: undefined,
  enabled: [ChannelStatus.enabled],
  '1': [ChannelStatus.enabled],
  disabled: [ChannelStatus.manuallyDisabled, ChannelStatus.autoDisabled],
  '0': [ChannelStatus.manuallyDisabled, ChannelStatus.autoDisabled],
  '2': [ChannelStatus.manuallyDisabled],
  '3': [ChannelStatus.autoDisabled],
};

function parseStatusFilter(raw: string | undefined): readonly number[] | undefined {
  if (!raw) return undefined;
  const key = raw.toLowerCase();
  // Own keys only: `status=constructor` must not pick up Object.prototype's members.
  if (!Object.hasOwn(STATUS_FILTERS, key)) {
    throw badRequest(
      `status must be one of ${Object.keys(STATUS_FILTERS).join(', ')}, got '${raw.slice(0, 16)}'`,
    );
  }
  return STATUS_FILTERS[key];
}

export async function channelRoutes(app: App): Promise<void> {
  const { store, clock, engine } = app.ctx;
  const tags = ['channel'];
  const onRequest = requireUser(Role.admin);

  app.get(
    '/api/channel/',
    {
      onRequest,
      schema: {
        tags,
        summary: 'List channels (admin)',
        querystring: Type.Object({
          ...PageQuery,
          type: Type.Optional(Type.String({ maxLength: 32 })),
          status: Type.Optional(
            Type.String({
              maxLength: 16,
              description:
                'enabled or 1; disabled or 0 (by an admin or automatically); 2 disabled by an admin; 3 disabled ' +
                'automatically; all or empty for every channel',
            }),
          ),
        }),
        response: dashboardResponses(Paged(ChannelView)),
      },
    },
    async (request) => {
      const page = parsePage(request.query);
      let type: string | undefined;
      if (request.query.type) {
        type = parseChannelType(request.query.type) ?? undefined;
        if (!type) throw badRequest(`unknown channel type '${request.query.type}'`);
      }
      const statuses = parseStatusFilter(request.query.status);
      const { rows, total } = await listChannels(store, { type, statuses }, page.offset, page.pageSize);
      return ok({ items: rows.map(channelView), total, page: page.page, page_size: page.pageSize });
    },
  );

  app.get(
    '/api/channel/:id',
    {
      onRequest,
      schema: {
        tags,
        summary: 'One channel (admin)',
        params: IdParams,
        response: dashboardResponses(Envelope(ChannelView)),
      },
    },
    async (request) => {
      const channel = await findChannel(store, Number(request.params.id));
      if (!channel) throw notFound('channel_not_found');
      return ok(channelView(channel));
    },
  );

  app.post(
    '/api/channel/',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Create a channel (admin)',
        body: Type.Object({
          type: Fields.type,
          name: Fields.name,
          base_url: Fields.base_url,
          key: Fields.key,
          ...Object.fromEntries(
            (
              [
                'models',
                'group',
                'priority',
                'weight',
                'status',
                'auto_ban',
                'proxy',
                'push',
                'timeout_minutes',
              ] as const
            ).map((k) => [k, Type.Optional(Fields[k])]),
          ),
        }),
        response: dashboardResponses(Envelope(ChannelView)),
      },
    },
    async (request) => {
      const values = toValues(request.body as FieldsBody);
      const id = await createChannel(
        store,
        newChannelValues({ ...values, type: values.type!, name: values.name!, base_url: values.base_url! }),
        clock.now(),
      );
      engine.channels.invalidate();
      return ok(channelView((await findChannel(store, id))!));
    },
  );

  app.put(
    '/api/channel/',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Update a channel (admin); an empty key keeps the current one',
        body: Type.Object({
          id: IdBody,
          ...Object.fromEntries(Object.entries(Fields).map(([k, v]) => [k, Type.Optional(v)])),
        }),
        response: dashboardResponses(Envelope(ChannelView)),
      },
    },
    async (request) => {
      const body = request.body as FieldsBody & { id: number };
      const values = toValues(body);
      if (values.status === ChannelStatus.enabled) values.failure_count = 0;
      if (values.proxy) {
        // A client that read the channel (the UI's edit form) sends back the proxy as shown, its password
        // masked: that keeps the stored proxy, as an empty key keeps the key.
        const current = await findChannel(store, body.id);
        if (current && values.proxy === maskProxy(current.proxy)) values.proxy = undefined;
      }
      if (!(await updateChannel(store, body.id, values, clock.now()))) throw notFound('channel_not_found');
      engine.channels.invalidate();
      return ok(channelView((await findChannel(store, body.id))!));
    },
  );

  app.delete(
    '/api/channel/:id',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Delete a channel (admin); its unfinished tasks fail and are refunded',
        params: IdParams,
        response: dashboardResponses(EmptyEnvelope),
      },
    },
    async (request) => {
      const id = Number(request.params.id);
      if (!(await deleteChannel(store, id))) throw notFound('channel_not_found');
      engine.channels.invalidate();
      const failed = await engine.failChannelTasks(id);
      request.log.info({ channel: id, failed }, 'channel deleted');
      return done();
    },
  );

  app.get(
    '/api/channel/test/:id',
    {
      onRequest,
      schema: {
        tags,
        summary:
          'Check a channel with one cheap upstream call using its key, and record the response time (admin)',
        params: IdParams,
        response: dashboardResponses(
          Envelope(
            Type.Object({
              reachable: Type.Boolean({ description: 'The upstream answered at all' }),
              status: Type.Integer({ description: 'Its HTTP status; 0 when unreachable' }),
              time: Type.Number({ description: 'Seconds' }),
              ok: Type.Boolean({ description: 'The upstream accepted the key (a 2xx answer)' }),
              message: Type.String(),
            }),
          ),
        ),
      },
    },
    async (request) => {
      const channel = await findChannel(store, Number(request.params.id));
      if (!channel) throw notFound('channel_not_found');
      const result = await testChannel({ store, clock, upstream: engine.upstream }, channel);
      request.log.info({ channel: channel.id, ...result }, 'channel tested');
      return ok(result);
    },
  );
}
