// The least a gateway can do: a bare Fastify route that forwards the submit to the simulator with undici and
// hands its answer back. No key, no charge, no task row. The submit benchmark runs it beside Taskgate, so the
// report shows how much of Taskgate's distance from the direct call is the extra HTTP hop itself.
import Fastify from 'fastify';
import { Agent, request } from 'undici';

export interface Forwarder {
  url: string;
  close(): Promise<void>;
}

export async function startForwarder(upstream: string, secret: string): Promise<Forwarder> {
  // Pooled like Taskgate's upstream client (engine/upstream-client.ts).
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  const app = Fastify({ logger: false });
  app.post('/mj/submit/imagine', async (req, reply) => {
    const answer = await request(`${upstream}/mj/submit/imagine`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mj-api-secret': secret },
      body: JSON.stringify(req.body),
      dispatcher: agent,
    });
    reply.code(answer.statusCode);
    return answer.body.json();
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    async close() {
      await app.close();
      await agent.close();
    },
  };
}
