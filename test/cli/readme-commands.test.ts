// The README's commands as a newcomer types them in the checkout: `npx taskgate …` runs the package's own bin
// (after `npm run build`, which `npm start` does). Every command the table lists that way is one taskgate has,
// and the short ones and the demo run as written.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const run = promisify(execFile);
// `--no`: never fetch a package from the registry; the checkout's own bin is the one meant.
const npx = (args: string[], env: Record<string, string> = {}) =>
  run('npx', ['--no', 'taskgate', ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 });

describe('README commands', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'taskgate-readme-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(() => {
    // The CLI tests run on a built checkout (`npm run build`, as the README asks first); not built here, where a
    // vite build would empty web/dist under the UI tests running alongside.
    if (!existsSync(join(ROOT, 'dist/cli/main.js')))
      throw new Error('run `npm run build` before the CLI tests');
  });

  it('lists every command as `npx taskgate <command>`, each one the CLI has', async () => {
    const listed = new Set([...readme.matchAll(/`npx taskgate ([a-z-]+)/g)].map((m) => m[1]));
    expect([...listed].sort()).toEqual([
      'demo',
      'help',
      'migrate',
      'migrate-data',
      'serve',
      'sim',
      'version',
    ]);
    const { stdout } = await npx(['help']);
    listed.delete('help');
    for (const command of listed) expect(stdout, command).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('runs `npx taskgate version` and `npx taskgate migrate` as written', async () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
    expect((await npx(['version'])).stdout.trim()).toBe(version);
    const migrate = await npx(['migrate'], { SQLITE_PATH: join(dir, 'm.db'), LOG_LEVEL: 'warn' });
    expect(migrate.stderr).not.toMatch(/error/i);
  });

  it('starts the demo with `npx taskgate demo`', async () => {
    const child = spawn('npx', ['--no', 'taskgate', 'demo'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', SQLITE_PATH: join(dir, 'demo.db') },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    try {
      const deadline = Date.now() + 30_000;
      while (!output.includes('Stop with Ctrl+C') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(output).toContain('Taskgate demo is running.');
    } finally {
      // npx runs the bin in a child of its own: stop the whole group this test started.
      process.kill(-child.pid!, 'SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    }
  }, 60_000);
});
