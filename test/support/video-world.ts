// Taskgate in front of the OpenAI video simulator, both real HTTP servers on loopback, with a user, an API key and
// an openai-video channel. Both clocks are moved by hand: the simulator's drives rendering, Taskgate's drives polls.
import {
  createVideoSimulator,
  type VideoSimOptions,
  type VideoSimulator,
} from '../../src/sim/openai-video/index.js';
import type { Dialect } from '../../src/store/db.js';
import type { Response } from './app.js';
import { type BaseWorld, type BaseWorldOptions, pollRoundsUntil, startBaseWorld } from './world.js';

export { ROUND_MS } from './world.js';

export const SIM_KEY = 'sk-sim-video-channel-key';
export const USER_QUOTA = 50_000_000;

export interface VideoWorld extends BaseWorld {
  sim: VideoSimulator;
  simUrl: string;
  /** A JSON request with the world's API key (or `key`). */
  call(method: string, path: string, body?: unknown, key?: string): Promise<Response>;
  create(body: Record<string, unknown>, key?: string): Promise<Response>;
  /** A multipart/form-data create (OpenAI's SDK form when a file is attached). */
  createMultipart(
    fields: Record<string, string>,
    file?: FilePart | FilePart[],
    path?: string,
  ): Promise<Response>;
  /** Moves the simulator's time (rendering) forward. */
  render(ms: number): void;
  /** The simulator's create requests, newest last. */
  createsSeen(): Array<{ headers: Record<string, unknown>; body: unknown; url: string }>;
  close(): Promise<void>;
}

export interface VideoWorldOptions extends BaseWorldOptions {
  sim?: VideoSimOptions;
}

export async function startVideoWorld(
  dialect: Dialect,
  options: VideoWorldOptions = {},
): Promise<VideoWorld> {
  const sim = createVideoSimulator({ apiKey: SIM_KEY, ...options.sim });
  const simUrl = await sim.listen();
  const base = await startBaseWorld(
    dialect,
    { type: 'openai-video', name: 'video sim', url: simUrl, key: SIM_KEY },
    USER_QUOTA,
    options,
  );
  const { t, key } = base;

  const call = (method: string, path: string, body?: unknown, k = key) =>
    t.request(method, path, { body, headers: { authorization: `Bearer ${k}` } });

  return {
    ...base,
    sim,
    simUrl,
    call,
    create: (body, k = key) => call('POST', '/v1/videos', body, k),
    async createMultipart(fields, file, path = '/v1/videos') {
      const form = multipartBody(fields, file);
      const response = await fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': form.contentType },
        body: form.body,
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      return { status: response.status, body, headers: response.headers, text };
    },
    render: (ms) => sim.state.clock.advance(ms),
    createsSeen: () =>
      sim.state.calls.requests.filter((r) => r.method === 'POST' && r.url.startsWith('/v1/videos')),
    async close() {
      await t.close();
      await sim.close();
    },
  };
}

/** Runs poll rounds, letting `simMs` of rendering pass before each, until `done` or `rounds` run out. */
export const pollUntil = (
  world: VideoWorld,
  done: () => Promise<boolean>,
  { rounds = 30, simMs = 5_000 } = {},
) => pollRoundsUntil(world, world.render, done, { rounds, simMs });

/** A file part of a multipart form; `name` defaults to `input_reference`. */
export interface FilePart {
  name?: string;
  filename: string;
  type?: string;
  data: Buffer;
}

/** A multipart create body (what OpenAI's SDK sends when a file is attached). */
export function multipartBody(
  fields: Record<string, string>,
  files?: FilePart | FilePart[],
): { body: Buffer; contentType: string } {
  const boundary = `----test${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  for (const file of [files ?? []].flat()) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.name ?? 'input_reference'}"; filename="${file.filename}"\r\n` +
          // No type at all is what Python's requests sends for a file.
          `${file.type === undefined ? '' : `Content-Type: ${file.type}\r\n`}\r\n`,
      ),
      file.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
