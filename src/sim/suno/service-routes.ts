// GET /ping and GET /suno/account (which, like the real one, hands out the account's session secrets).
import type { FastifyInstance } from 'fastify';
import { sendAnswer } from '../common/faults.js';
import { authorized, success, UNAUTHORIZED } from './envelope.js';
import type { SunoState } from './state.js';

const MONTHLY_LIMIT = 500;
const CREDITS_PER_SONG = 10;

export function serviceRoutes(app: FastifyInstance, state: SunoState): void {
  app.get('/ping', async () => ({ message: 'pong' }));

  app.get('/suno/account', async (request, reply) => {
    if (!authorized(request, state.knobs.secretToken, state.knobs.strictBearer))
      return sendAnswer(reply, UNAUTHORIZED);
    const songs = [...state.tasks.values()].filter((task) => task.action === 'MUSIC').length;
    const usage = Math.min(MONTHLY_LIMIT, songs * CREDITS_PER_SONG);
    return sendAnswer(
      reply,
      success({
        certificate: {
          session_id: 'sess_simulated',
          cookie: '__client=simulated-cookie',
          jwt: 'simulated.jwt.token',
          last_update: Math.floor(state.clock.now() / 1000),
          credits_left: MONTHLY_LIMIT - usage,
          monthly_limit: MONTHLY_LIMIT,
          monthly_usage: usage,
          period: 'month',
          is_active: true,
        },
        msg: '',
      }),
    );
  });
}
