// A faithful midjourney-proxy upstream over real HTTP (see docs/simulators.md): for the gateway's tests
// and for `taskgate sim`.
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { midjourneySimPlugin } from './plugin.js';
import { springError } from './results.js';
import { type MidjourneySimOptions, MidjourneySimState } from './state.js';

export type { FaultKind, FaultRule } from '../common/faults.js';
export type { AccountOption } from './accounts.js';
export type { MjCounters, NotifyRecord, PollCount, RecordedRequest } from './counters.js';
export type { Directives, Outcome } from './directives.js';
export { FAULT_TARGETS, type FaultTarget, type MidjourneyKnobs } from './knobs.js';
export { type MidjourneySimPluginOptions, midjourneySimPlugin } from './plugin.js';
export { type MidjourneySimOptions, MidjourneySimState } from './state.js';
export { DEFAULT_PROGRESS_STEPS, DEFAULT_TIMINGS, type Timings } from './timeline.js';
export type { MjButton, MjTaskJson, SubmitResult, TaskAction, TaskStatus } from './types.js';

export interface MidjourneySimulator {
  /** Routes under /mj/..., the media under /attachments/..., and the control API under /__sim/mj/... */
  app: FastifyInstance;
  /** Direct access for tests: tasks, counters, knobs, clock. */
  state: MidjourneySimState;
  /** Listens on 127.0.0.1 (port 0: any free one) and returns the base URL, which image URLs are built on. */
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
}

export function createMidjourneySimulator(options: MidjourneySimOptions = {}): MidjourneySimulator {
  const state = new MidjourneySimState(options);
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.register(midjourneySimPlugin, { state });
  // Spring's answer to an unmapped path (J issue #34: /task/list without /mj).
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(springError(404, request.url.split('?')[0], state.now()));
  });
  return {
    app,
    state,
    async listen(port = 0) {
      await app.listen({ host: '127.0.0.1', port });
      const { port: bound } = app.server.address() as AddressInfo;
      state.baseUrl = `http://127.0.0.1:${bound}`;
      return state.baseUrl;
    },
    close: () => app.close(),
  };
}
