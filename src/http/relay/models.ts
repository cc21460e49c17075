// GET /v1/models: the models an API key can use now (enabled channels of its group, within its allow-list).
// Also the simplest way for a client to check that its key works.
import { Type } from 'typebox';
import { ChannelStatus, keyGroup } from '../../core/roles.js';
import { listAllChannels } from '../../store/channels.js';
import { requireApiKey } from '../plugins/auth.js';
import type { App } from '../types.js';
import { openAiResponses } from './video/schemas.js';

const ModelList = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(
    Type.Object({ id: Type.String(), object: Type.Literal('model'), owned_by: Type.String() }),
  ),
});

export async function modelRoutes(app: App): Promise<void> {
  const { store } = app.ctx;
  app.get(
    '/v1/models',
    {
      onRequest: requireApiKey,
      schema: {
        tags: ['relay'],
        summary: 'Models this API key may use',
        response: openAiResponses(ModelList),
      },
    },
    async (request) => {
      const { token, user } = request.apiKey;
      const group = keyGroup(user, token);
      const allowed = token.model_limits_enabled
        ? new Set(token.model_limits.split(',').map((m) => m.trim()))
        : null;
      const models = new Map<string, string>();
      for (const channel of await listAllChannels(store)) {
        if (channel.status !== ChannelStatus.enabled || !channel.group.split(',').includes(group)) continue;
        for (const model of channel.models.split(',')) {
          if (model && (!allowed || allowed.has(model))) models.set(model, channel.type);
        }
      }
      return {
        object: 'list' as const,
        data: [...models].sort().map(([id, type]) => ({ id, object: 'model' as const, owned_by: type })),
      };
    },
  );
}
