// Finds which real database services answer, so every suite runs on each of them.
// CI (or TEST_REQUIRE_SERVICES=1) turns a missing service into a failure instead of a skip.
import net from 'node:net';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';

export interface TestServices {
  postgres: string | null;
  mysql: string | null;
  redis: string | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: TestServices;
  }
}

const DEFAULTS = {
  postgres: process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  mysql: process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
  redis: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port), timeout: 1500 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export default async function setup(project: TestProject): Promise<void> {
  const required = process.env.CI === 'true' || process.env.TEST_REQUIRE_SERVICES === '1';
  const services: TestServices = { postgres: null, mysql: null, redis: null };
  for (const name of ['postgres', 'mysql', 'redis'] as const) {
    if (await answers(DEFAULTS[name])) services[name] = DEFAULTS[name];
    else if (required) throw new Error(`test service ${name} does not answer at ${DEFAULTS[name]}`);
    else console.warn(`[tests] ${name} does not answer at ${DEFAULTS[name]}: its variants are skipped`);
  }
  project.provide('services', services);
}
