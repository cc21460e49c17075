// `taskgate demo` as a newcomer runs it: the printed key and curl line work, the imagine finishes, and the
// dashboard lines (its address, the API docs, both logins, the dashboard curl line) work as printed.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('taskgate demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taskgate-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a working key and curl line, and dashboard lines that work when followed', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), SQLITE_PATH: join(dir, 'demo.db'), SIM_TIME_SCALE: '30' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    try {
      const deadline = Date.now() + 20_000;
      while (!output.includes('Stop with Ctrl+C') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      const key = /API key:\s+(sk-\w+)/.exec(output)?.[1];
      expect(key, output).toMatch(/^sk-\w{48}$/);
      const curl = /curl -s (.*) -d '(.*)' (http\S+\/mj\/submit\/imagine)/.exec(output);
      expect(curl, output).not.toBeNull();
      const submit = await fetch(curl![3], {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: curl![2],
      }).then((r) => r.json() as Promise<{ code: number; result: string }>);
      expect(submit.code).toBe(1);
      let status = '';
      for (let i = 0; i < 100 && status !== 'SUCCESS'; i++) {
        await new Promise((r) => setTimeout(r, 200));
        const task = await fetch(`http://localhost:${port}/mj/task/${submit.result}/fetch`, {
          headers: { authorization: `Bearer ${key}` },
        });
        status = ((await task.json()) as { status: string }).status;
      }
      expect(status).toBe('SUCCESS');

      // The dashboard lines, followed as printed.
      const dashboard = /Dashboard:\s+(http\S+)/.exec(output)?.[1];
      expect(dashboard, output).toBeDefined();
      const page = await fetch(dashboard!, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      const docs = /API docs:\s+(http\S+)/.exec(output)?.[1];
      expect(docs, output).toBeDefined();
      expect((await fetch(docs!)).status).toBe(200);
      const logins = [...output.matchAll(/as (?:admin )?(\w+) \/ (\S+?)[,)\s]/g)].map((m) => [m[1], m[2]]);
      expect(logins.map(([user]) => user).sort(), output).toEqual(['demo', 'root']);
      for (const [username, password] of logins) {
        const login = await fetch(new URL('/api/user/login', dashboard), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password }),
        });
        expect(login.status, `${username} / ${password}`).toBe(200);
      }
      const line =
        /curl -s -H 'Authorization: Bearer (\S+)' -H 'New-Api-User: (\d+)' "(\S+\/api\/mj\/self)"/.exec(
          output,
        );
      expect(line, output).not.toBeNull();
      const own = await fetch(line![3], {
        headers: { authorization: `Bearer ${line![1]}`, 'new-api-user': line![2] },
      });
      expect(own.status).toBe(200);
      const listing = (await own.json()) as { success: boolean; data: { items: Array<{ mj_id: string }> } };
      expect(listing.data.items.map((task) => task.mj_id)).toContain(submit.result);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    }
  });
});
