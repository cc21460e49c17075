// POST /mj/notify/:channelId/:secret — where midjourney-proxy pushes task updates for channels with push on.
// The secret in the path is the channel's own; a wrong one reads like an unknown route.
import { timingSafeEqual } from 'node:crypto';
import { Type } from 'typebox';
import { applyPush } from '../../../engine/push.js';
import { mjTaskId, readMjTask } from '../../../platforms/midjourney/task-json.js';
import { IdString } from '../../api/id-schemas.js';
import { sendError } from '../../plugins/errors.js';
import type { App } from '../../types.js';
import { MjError } from './schemas.js';

const sameSecret = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export async function mjNotifyRoute(app: App): Promise<void> {
  const { engine, store, clock } = app.ctx;
  app.post(
    '/mj/notify/:channelId/:secret',
    {
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        tags: ['midjourney'],
        summary: 'Upstream push callback (the URL Taskgate sends upstream as notifyHook)',
        params: Type.Object({
          channelId: IdString,
          secret: Type.String({ maxLength: 64 }),
        }),
        body: Type.Object({}, { additionalProperties: true }),
        // A wrong channel or secret is a 404 in midjourney-proxy's error body, like an unknown route.
        response: {
          200: Type.Object({ code: Type.Integer(), description: Type.String() }),
          '4xx': MjError,
          '5xx': MjError,
        },
      },
    },
    async (request, reply) => {
      const channel = await engine.channels.get(Number(request.params.channelId));
      if (!channel?.push || !sameSecret(channel.push_secret, request.params.secret)) {
        return sendError(request, reply, 404, 'route_not_found', { route: 'POST /mj/notify' });
      }
      const id = mjTaskId(request.body);
      const observation = readMjTask(request.body);
      if (!id || !observation) return { code: 4, description: 'not a task with a known status' };
      const outcome = await applyPush({ store, clock, writer: engine.writer }, channel.id, id, observation);
      return { code: 1, description: outcome };
    },
  );
}
