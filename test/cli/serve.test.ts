// The command a new user runs: start on SQLite, answer, log in as root, refuse a bad setting, stop on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function runCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function waitForHttp(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

describe('taskgate serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taskgate-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts on SQLite, lets root log in, logs JSON without secrets, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = runCli(['serve'], {
      PORT: String(port),
      SQLITE_PATH: join(dir, 'taskgate.db'),
      INITIAL_ROOT_PASSWORD: 'cli-root-password',
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await waitForHttp(`http://127.0.0.1:${port}/healthz`);
    const login = await fetch(`http://127.0.0.1:${port}/api/user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'root', password: 'cli-root-password' }),
    });
    expect(login.status).toBe(200);
    await fetch(`http://127.0.0.1:${port}/api/user/self`, {
      headers: { authorization: 'Bearer not-a-token', 'new-api-user': '1' },
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = output
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) JSON.parse(line);
    expect(output).not.toContain('cli-root-password');
    expect(output).not.toContain('not-a-token');
    expect(output).toContain('shutting down');
    // One access line per request, once it is answered (plugins/access-log.ts), not Fastify's two.
    const access = lines.map((l) => JSON.parse(l)).filter((l) => l.url === '/api/user/login');
    expect(access).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        method: 'POST',
        statusCode: 200,
        remoteAddress: '127.0.0.1',
        responseTime: expect.any(Number),
        reqId: expect.any(String),
      }),
    ]);
    expect(output).not.toContain('incoming request');
  });

  it('refuses a bad setting with one line naming the variable', async () => {
    const child = runCli(['serve'], { PORT: 'eighty' });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe("taskgate: invalid PORT: expected an integer from 0 to 65535, got 'eighty'");
  });

  // Each malformed SQL_DSN stops `serve` and `migrate` before any connection, with one line that names the
  // problem and never repeats the password.
  const badDsns: Array<[string, RegExp]> = [
    [
      'localhost:5432/taskgate',
      /expected postgres:\/\/…, mysql:\/\/…, sqlite:<file> or user:pass@tcp\(host:port\)\/db/,
    ],
    [
      'postgres://taskgate:s3cret%ZZ@127.0.0.1:5432/taskgate',
      /user name or password is not valid percent-encoding/,
    ],
    ['postgres://taskgate:s3cret@127.0.0.1:port/taskgate', /not a URL/],
    ['postgres:///taskgate', /no host/],
    ['mysql://taskgate:s3cret@127.0.0.1:3306', /no database name/],
    ['taskgate:s3cret@tcp(127.0.0.1:3306)', /expected postgres:\/\/…/],
    ['sqlite:', /no file/],
  ];
  for (const command of ['serve', 'migrate']) {
    it(`${command} refuses a malformed SQL_DSN with one line naming the problem`, async () => {
      for (const [dsn, problem] of badDsns) {
        const child = runCli([command], { SQL_DSN: dsn, PORT: '0', SQLITE_PATH: join(dir, 'dsn.db') });
        let stderr = '';
        let stdout = '';
        child.stderr!.on('data', (chunk) => (stderr += chunk));
        child.stdout!.on('data', (chunk) => (stdout += chunk));
        const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
        expect(code, dsn).toBe(1);
        const lines = stderr.trim().split('\n');
        expect(lines, `${dsn}\n${stderr}${stdout}`).toHaveLength(1);
        expect(lines[0], dsn).toMatch(/^taskgate: invalid SQL_DSN: /);
        expect(lines[0], dsn).toMatch(problem);
        expect(lines[0], dsn).not.toContain('s3cret');
      }
    }, 60_000);
  }
});
