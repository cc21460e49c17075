// J's account routes (reference 2.5); the account object really does include the user token.
import type { FastifyInstance } from 'fastify';
import type { AccountQueue } from './accounts.js';
import { snowflake } from './ids.js';
import type { MidjourneySimState } from './state.js';

const USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

function accountJson(account: AccountQueue) {
  const { id, coreSize, queueSize, timeoutMinutes, enabled } = account.config;
  return {
    id,
    properties: {},
    guildId: snowflake(1_672_531_200_000, `guild:${id}`),
    channelId: id,
    userToken: `sim-user-token-${id}`,
    userAgent: USER_AGENT,
    enable: enabled,
    coreSize,
    queueSize,
    timeoutMinutes,
  };
}

export function registerAccountRoutes(app: FastifyInstance, state: MidjourneySimState): void {
  app.get('/mj/account/list', async () => [...state.accounts.values()].map(accountJson));

  app.get<{ Params: { id: string } }>('/mj/account/:id/fetch', async (request, reply) => {
    const account = state.accounts.get(request.params.id);
    // J answers an unknown account like an unknown task: 200 with an empty body.
    return account ? accountJson(account) : reply.code(200).send();
  });
}
