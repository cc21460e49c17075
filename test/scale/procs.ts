// Real `taskgate serve` processes on loopback for the scale tests: spawn, wait until they answer, signal them,
// and seed users, keys and a channel straight into the shared database.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { hashSecret, newApiKey } from '../../src/core/ids.js';
import type { DbContext } from '../../src/store/db.js';
import { changeBalance } from '../../src/store/ledger.js';
import { createToken, unlimitedKey } from '../../src/store/tokens.js';
import { createUser } from '../../src/store/users.js';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const ROOT_ACCESS = 'scale-root-access-token-0123456789';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Instance {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `taskgate serve` (or `args`) on a free port with `env` added to this process's environment. */
export async function startInstance(
  name: string,
  env: Record<string, string>,
  port?: number,
  args: string[] = ['serve'],
): Promise<Instance> {
  const bound = port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(bound),
      HOST: '127.0.0.1',
      INSTANCE_ID: name,
      INITIAL_ROOT_ACCESS_TOKEN: ROOT_ACCESS,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { name, port: bound, url: `http://127.0.0.1:${bound}`, child, output: () => out, exited };
}

export async function waitForHttp(instance: Instance, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (instance.child.exitCode !== null) throw new Error(`${instance.name} exited:\n${instance.output()}`);
    try {
      if ((await fetch(`${instance.url}/healthz`)).ok) return;
    } catch {}
    await sleep(50);
  }
  throw new Error(`${instance.name} did not answer:\n${instance.output()}`);
}

export async function stopInstance(
  instance: Instance,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill(signal);
  return instance.exited;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A user with `quota` and an API key limited to it. */
export async function seedUser(
  store: DbContext,
  name: string,
  quota: number,
): Promise<{ id: number; key: string }> {
  const now = Date.now();
  const id = await createUser(store, { username: name, passwordHash: 'not-a-hash', role: 1 }, now);
  await changeBalance(store, id, quota, 'scale test top-up', now);
  const key = newApiKey();
  await createToken(store, id, hashSecret(key), key, unlimitedKey('scale key'), now);
  return { id, key };
}

/** A midjourney-plus channel created through the admin API of `instance` (as root). */
export async function addMjChannel(instance: Instance, baseUrl: string, key: string): Promise<number> {
  const response = await fetch(`${instance.url}/api/channel/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${ROOT_ACCESS}`,
      'new-api-user': '1',
    },
    body: JSON.stringify({ type: 'midjourney-plus', name: 'sim', base_url: baseUrl, key }),
  });
  const body = (await response.json()) as { data?: { id: number } };
  if (response.status !== 200 || !body.data) throw new Error(`channel not created: ${JSON.stringify(body)}`);
  return body.data.id;
}
