// What the web UI tests share: Debian's Chromium driven by playwright-core, the UI built once, screenshots in
// test/ui/screenshots/, the console errors a page logs, and logging in through the form.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SHOTS = join(ROOT, 'test/ui/screenshots');
const CHROMIUM = '/usr/bin/chromium';

// Without Chromium the UI suites are skipped on a laptop, but under CI=true they run and fail loudly.
export const runUi = existsSync(CHROMIUM) || Boolean(process.env.CI);

/** The UI is served from web/dist: build it once when a clean checkout has not. */
export function ensureUiBuilt(): void {
  if (existsSync(join(ROOT, 'web/dist/index.html'))) return;
  execFileSync(join(ROOT, 'node_modules/.bin/vite'), ['build', '--config', 'web/vite.config.ts'], {
    cwd: ROOT,
    // vitest sets NODE_ENV=test, which would bundle React's development build.
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'ignore',
  });
}

/**
 * Headless Chromium with a fresh, temporary user-data directory (launch() gives every run its own). Without the
 * background-networking flags it keeps trying hosts this machine's closed network refuses.
 */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/** Console errors of the watched pages, but for those the current step expects (`expected`). */
export class ConsoleErrors {
  readonly errors: string[] = [];
  /** Set by a step that provokes an error the browser logs itself (a 401 from a wrong password, say). */
  expected: RegExp[] = [];

  watch(page: Page): void {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      if (!this.expected.some((re) => re.test(text)))
        this.errors.push(`${expect.getState().currentTestName}: ${text}`);
    });
    page.on('pageerror', (error) => this.errors.push(`pageerror: ${error.message}`));
  }
}

/** Logs in through the form and waits for the first page after it. */
export async function login(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Midjourney tasks', exact: true }).waitFor();
}
