// deploy/nginx.conf for real: nginx (a child process, ports and paths substituted) in front of two `taskgate
// serve` processes on PostgreSQL. A login through nginx works on whichever instance serves the next request; the
// client address comes from X-Forwarded-For only when nginx (a trusted proxy) sends it; with one instance killed,
// requests through nginx keep succeeding.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.js';
import {
  freePort,
  type Instance,
  ROOT,
  ROOT_ACCESS,
  sleep,
  startInstance,
  stopInstance,
  waitForHttp,
} from './procs.js';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path));
const postgres = backends().find((b) => b.dialect === 'postgres')!;
// CI installs nginx: there a missing one is a failure, not a skip.
const skip = !postgres.available || (!NGINX && !process.env.CI);

/** deploy/nginx.conf with this test's upstream ports, listen port and file paths; every substitution must hit. */
function nginxConfig(dir: string, listen: number, upstreams: number[]): string {
  let conf = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8');
  const replace = (pattern: RegExp, by: string) => {
    expect(conf, `deploy/nginx.conf no longer matches ${pattern}`).toMatch(pattern);
    conf = conf.replace(pattern, by);
  };
  replace(/^worker_processes .*;$/m, 'worker_processes 1;');
  replace(/^pid .*;$/m, `pid ${dir}/nginx.pid;`);
  replace(/^error_log .*;$/m, `error_log ${dir}/error.log warn;`);
  replace(/^(\s*)access_log .*;$/m, `$1access_log ${dir}/access.log;`);
  replace(
    /^http \{$/m,
    `http {\n${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${dir}/${t};`).join('\n')}`,
  );
  replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${listen};`);
  const server = /^(\s*)server 127\.0\.0\.1:\d+ (.*);\n/m;
  const [, indent, rest] = server.exec(conf) ?? [];
  replace(
    /(^\s*server 127\.0\.0\.1:\d+ .*;\n)+/m,
    upstreams.map((p) => `${indent}server 127.0.0.1:${p} ${rest};\n`).join(''),
  );
  return conf;
}

/** A GET from a chosen loopback source address (the client nginx sees); resolves to the status code. */
function getFrom(address: string, url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { localAddress: address, headers, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
  });
}

describe.skipIf(skip)('nginx in front of two instances [postgres]', () => {
  let database: TestDatabase;
  let dir: string;
  let nginx: ChildProcess;
  let nginxOut = '';
  let front: string;
  const instances: Instance[] = [];
  const admin = {
    authorization: `Bearer ${ROOT_ACCESS}`,
    'new-api-user': '1',
    'content-type': 'application/json',
  };

  beforeAll(async () => {
    if (!NGINX) throw new Error('nginx is not installed (CI requires it: apt-get install nginx)');
    database = await createTestDatabase('postgres');
    const env = {
      SQL_DSN: database.dsn,
      TRUSTED_PROXIES: '127.0.0.1',
      SESSION_SECRET: 'one-secret-shared-by-every-instance',
      INITIAL_ROOT_PASSWORD: 'root-password-1',
      SQL_MAX_OPEN_CONNS: '4',
      SHUTDOWN_WAIT_MS: '500',
    };
    for (const name of ['edge-a', 'edge-b']) instances.push(await startInstance(name, env));
    await Promise.all(instances.map((i) => waitForHttp(i)));
    dir = mkdtempSync(join(tmpdir(), 'taskgate-nginx-'));
    // nginx's workers run as an unprivileged user when started as root: they must reach the temp paths.
    chmodSync(dir, 0o755);
    const port = await freePort();
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      nginxConfig(
        dir,
        port,
        instances.map((i) => i.port),
      ),
    );
    nginx = spawn(NGINX, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    nginx.stdout!.on('data', (c) => (nginxOut += c));
    nginx.stderr!.on('data', (c) => (nginxOut += c));
    front = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200; i++) {
      if (nginx.exitCode !== null) throw new Error(`nginx exited: ${nginxOut}`);
      if (
        await fetch(`${front}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await sleep(50);
    }
    throw new Error(`nginx did not answer: ${nginxOut}`);
  }, 90_000);

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      nginx.kill('SIGQUIT');
      await new Promise((resolve) => nginx.once('exit', resolve));
    }
    await Promise.all(instances.map((i) => stopInstance(i)));
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const served = (instance: Instance, path: string) =>
    instance
      .output()
      .split('\n')
      .filter((line) => line.includes(`"url":"${path}"`) && line.includes('request completed')).length;

  it('a login through nginx holds whichever instance serves the next requests', async () => {
    const login = await fetch(`${front}/api/user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'root', password: 'root-password-1' }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie()[0].split(';')[0];
    expect(cookie).toMatch(/^taskgate_session=/);
    for (let i = 0; i < 8; i++) {
      const self = await fetch(`${front}/api/user/self`, { headers: { cookie, 'new-api-user': '1' } });
      expect(self.status).toBe(200);
      expect(((await self.json()) as { data: { username: string } }).data.username).toBe('root');
    }
    // Both instances answered some of them (least_conn alternates between idle instances).
    // An access line is written once its answer has gone out, and asynchronously: give the last ones a moment.
    for (let i = 0; i < 100 && instances.some((instance) => served(instance, '/api/user/self') === 0); i++)
      await sleep(20);
    for (const instance of instances) expect(served(instance, '/api/user/self')).toBeGreaterThan(0);
  });

  it('the client address comes from X-Forwarded-For only when the trusted nginx sends it', async () => {
    const user = await fetch(`${front}/api/user/`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ username: 'edgeuser', password: 'edge-password-1' }),
    });
    expect(user.status, await user.clone().text()).toBe(200);
    const created = await fetch(`${front}/api/token/`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'only from .5', unlimited_quota: true, allow_ips: '127.0.0.5' }),
    });
    const key = ((await created.json()) as { data: { key: string } }).data.key;
    const models = (from: string, base: string, forwarded?: string) =>
      getFrom(from, `${base}/v1/models`, {
        authorization: `Bearer ${key}`,
        ...(forwarded ? { 'x-forwarded-for': forwarded } : {}),
      });
    // Through nginx, whose own connection comes from 127.0.0.1: the address nginx saw is believed.
    for (let i = 0; i < 2; i++) expect(await models('127.0.0.5', front)).toBe(200);
    // A forged header is appended to, and Taskgate stops at the first untrusted address: still 127.0.0.6.
    for (let i = 0; i < 2; i++) expect(await models('127.0.0.6', front, '127.0.0.5')).toBe(403);
    // Straight to an instance from an address not in TRUSTED_PROXIES, the header is ignored.
    expect(await models('127.0.0.6', instances[0].url, '127.0.0.5')).toBe(403);
    expect(await models('127.0.0.5', instances[0].url)).toBe(200);
    // The request log records the address from nginx's header, not nginx's own.
    expect(instances.some((i) => i.output().includes('"remoteAddress":"127.0.0.5"'))).toBe(true);
  });

  it('with one instance killed, requests through nginx keep succeeding', async () => {
    await stopInstance(instances[0], 'SIGKILL');
    for (let i = 0; i < 10; i++) {
      const status = await fetch(`${front}/api/status`).then((r) => r.status);
      expect(status).toBe(200);
    }
    // A POST whose connection was refused was never sent, so nginx may and does pass it on.
    const login = await fetch(`${front}/api/user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'root', password: 'root-password-1' }),
    });
    expect(login.status).toBe(200);
    const self = await fetch(`${front}/api/user/self`, {
      headers: { cookie: login.headers.getSetCookie()[0].split(';')[0], 'new-api-user': '1' },
    });
    expect(self.status).toBe(200);
  }, 30_000);
});
