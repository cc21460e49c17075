// All three upstream simulators on one port: midjourney-proxy under /mj, Suno-API under /suno, OpenAI video under
// /v1/videos, each with its control API under /__sim/<mj|suno|video>. `taskgate sim` and the demo run this.
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { MidjourneySimState, midjourneySimPlugin } from './midjourney/index.js';
import { VideoState, videoSimPlugin } from './openai-video/index.js';
import { SunoState, sunoSimPlugin } from './suno/index.js';

export interface SimulatorsOptions {
  /** The key every simulator requires (mj-api-secret, Suno's secret token, the video API key); none = open. */
  secret?: string;
  /** Simulated time per real time: 10 makes a minute of generation take six seconds. */
  timeScale?: number;
}

export interface Simulators {
  app: FastifyInstance;
  mj: MidjourneySimState;
  suno: SunoState;
  video: VideoState;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export function createSimulators(options: SimulatorsOptions = {}): Simulators {
  const { secret, timeScale } = options;
  const mj = new MidjourneySimState({ apiSecret: secret, timeScale });
  const suno = new SunoState({ secretToken: secret, timeScale });
  const video = new VideoState({ apiKey: secret, timeScale });
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.register(midjourneySimPlugin, { state: mj });
  app.register(sunoSimPlugin, { state: suno });
  app.register(videoSimPlugin, { state: video });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not found', path: request.url.split('?')[0] }),
  );
  return {
    app,
    mj,
    suno,
    video,
    async listen(port = 0, host = '127.0.0.1') {
      await app.listen({ port, host });
      const { port: bound } = app.server.address() as AddressInfo;
      mj.baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}`;
      return mj.baseUrl;
    },
    close: () => app.close(),
  };
}
