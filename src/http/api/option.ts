// /api/option/: run-time settings (prices, group ratios, switches), admins only.
import { Type } from 'typebox';
import { Role } from '../../core/roles.js';
import { requireUser } from '../plugins/auth.js';
import type { App } from '../types.js';
import { dashboardResponses, done, EmptyEnvelope, Envelope, ok } from '../views/envelope.js';

const OptionItem = Type.Object({ key: Type.String(), value: Type.String() });

export async function optionRoutes(app: App): Promise<void> {
  const { options } = app.ctx;
  const tags = ['option'];
  const onRequest = requireUser(Role.admin);

  app.get(
    '/api/option/',
    {
      onRequest,
      schema: {
        tags,
        summary: 'All settings (admin)',
        response: dashboardResponses(Envelope(Type.Array(OptionItem))),
      },
    },
    async () => ok(options.list()),
  );

  app.put(
    '/api/option/',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Change one setting (admin); JSON settings are given as JSON text or as JSON',
        body: Type.Object({
          key: Type.String({ maxLength: 64 }),
          value: Type.Union([
            Type.String({ maxLength: 200_000 }),
            Type.Number(),
            Type.Boolean(),
            Type.Object({}),
          ]),
        }),
        response: dashboardResponses(EmptyEnvelope),
      },
    },
    async (request) => {
      const { key, value } = request.body;
      await options.set(key, typeof value === 'string' ? value : JSON.stringify(value));
      request.log.info({ key, by: request.user.id }, 'option changed');
      return done();
    },
  );
}
