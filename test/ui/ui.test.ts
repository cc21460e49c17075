// The web UI end to end: Debian's Chromium driven by playwright-core against a real Taskgate in front of the
// Midjourney and Suno simulators. Every step saves a screenshot in test/ui/screenshots/, and no step may log a
// console error.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSunoSimulator, type SunoSimulator } from '../../src/sim/suno/index.js';
import { autoDisableChannel, countChannelFailure } from '../../src/store/channels.js';
import {
  ConsoleErrors,
  ensureUiBuilt,
  launchChromium,
  login as loginAt,
  runUi,
  SHOTS,
} from '../support/browser.js';
import { type MjWorld, pollUntil, startMjWorld } from '../support/mj-world.js';

const SUNO_SECRET = 'ui-suno-secret';
const PASSWORD = 'alice-password-1';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 812 };

/** The page's elements, typed without the DOM library (the tests compile for Node). */
type ImageLike = { naturalWidth: number };
type RelayAnswer = { code: unknown; result?: unknown; data?: unknown };

describe.skipIf(!runUi)('web UI', () => {
  let w: MjWorld;
  let suno: SunoSimulator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let apiKey = '';
  let aliceId = 0;
  const consoleErrors = new ConsoleErrors();

  const shot = async (p: Page, name: string, sizes = [DESKTOP]) => {
    const overflowing: string[] = [];
    for (const size of sizes) {
      await p.setViewportSize(size);
      await p.waitForTimeout(150);
      await p.screenshot({ path: join(SHOTS, `${name}-${size.width}.png`), fullPage: true });
      // Nothing may widen the page past the screen (wide tables scroll inside their own box).
      const width = await p.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
            .documentElement.scrollWidth,
      );
      if (width > size.width) overflowing.push(`${name} is ${width} px wide at ${size.width} px`);
      // On a desktop every table fits its box: no column hides past the right edge.
      if (size.width >= DESKTOP.width) {
        for (const table of await tableWidths(p)) {
          if (table.scroll > table.client) {
            overflowing.push(
              `${name}: a table scrolls sideways at ${size.width} px (${table.scroll} > ${table.client})`,
            );
          }
        }
      }
    }
    await p.setViewportSize(DESKTOP);
    expect(overflowing).toEqual([]);
  };

  /** Each table body's content width and visible width. */
  const tableWidths = (p: Page) =>
    p.locator('.semi-table-body').evaluateAll((bodies) =>
      bodies.map((el) => {
        const body = el as unknown as { scrollWidth: number; clientWidth: number };
        return { scroll: body.scrollWidth, client: body.clientWidth };
      }),
    );

  /** At 375 px the first row's task id and status are on the screen without scrolling sideways. */
  const identifiedOnPhone = async (p: Page) => {
    await p.setViewportSize(PHONE);
    const row = p.locator('tbody tr[data-kbd-row]').first();
    const cells = [row.locator('.tg-id-text'), row.locator('[data-status]')];
    const boxes = await Promise.all(cells.map(async (cell) => (await cell.boundingBox())!));
    await p.setViewportSize(DESKTOP);
    for (const box of boxes) {
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    }
  };

  /** Whether the locator's element has the keyboard focus. */
  const focused = (locator: ReturnType<Page['locator']>) =>
    locator.evaluate(
      (el) =>
        el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement,
    );

  const optionValue = async (key: string) => {
    const res = await w.t.request('GET', '/api/option/', { as: w.t.root });
    return (res.body.data as Array<{ key: string; value: string }>).find((o) => o.key === key)?.value;
  };

  const login = (p: Page, username: string, password: string) => loginAt(p, w.t.url, username, password);

  const relay = async (path: string, body: unknown) => {
    const response = await fetch(`${w.t.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as RelayAnswer };
  };

  beforeAll(async () => {
    ensureUiBuilt();
    mkdirSync(SHOTS, { recursive: true });
    w = await startMjWorld('sqlite');
    suno = createSunoSimulator({ secretToken: SUNO_SECRET, lyricsDelayMs: 10 });
    const sunoUrl = await suno.listen();
    await w.addChannel(sunoUrl, { type: 'suno', name: 'suno sim', key: SUNO_SECRET });
    const created = await w.t.request('POST', '/api/user/', {
      as: w.t.root,
      body: { username: 'alice', password: PASSWORD, display_name: 'Alice' },
    });
    expect(created.status, created.text).toBe(200);
    aliceId = created.body.data.id;
    const topUp = await w.t.request('PUT', '/api/user/', {
      as: w.t.root,
      body: { id: created.body.data.id, quota: 50_000_000 },
    });
    expect(topUp.status, topUp.text).toBe(200);

    browser = await launchChromium(['--autoplay-policy=no-user-gesture-required', '--mute-audio']);
    context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    consoleErrors.watch(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await w?.close();
    await suno?.close();
  });

  it('serves the UI for browser navigation while API paths keep their JSON 404', async () => {
    const html = await fetch(`${w.t.url}/midjourney?view=gallery`, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(await html.text()).toContain('<div id="root">');
    for (const path of ['/api/nope', '/mj/nope', '/suno/nope', '/v1/nope', '/task/nope', '/docs/nope']) {
      const res = await fetch(`${w.t.url}${path}`, { headers: { accept: 'text/html' } });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toContain('application/json');
    }
    const plain = await fetch(`${w.t.url}/nowhere`);
    expect(plain.status).toBe(404);
  });

  it('shows a clear error for a wrong password, then logs in', async () => {
    consoleErrors.expected = [/status of 401/];
    await page.goto(`${w.t.url}/`);
    await page.getByLabel('Username').fill('alice');
    await page.getByRole('textbox', { name: 'Password' }).fill('wrong-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong username or password');
    await shot(page, 'login-error', [DESKTOP, PHONE]);
    consoleErrors.expected = [];
    await login(page, 'alice', PASSWORD);
    expect(page.url()).toContain('/midjourney');
  });

  it('creates an API key, shown once with a copy button', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('relay key');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const key = page.getByTestId('new-key');
    await key.waitFor();
    apiKey = (await key.textContent())!.trim();
    expect(apiKey).toMatch(/^sk-/);
    await expect.poll(() => page.getByRole('button', { name: 'Copy' }).isVisible()).toBe(true);
    await shot(page, 'key-created');
    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row', { name: /relay key/ });
    await row.waitFor();
    // The table shows the key masked, never in full.
    expect(await row.textContent()).not.toContain(apiKey);
  });

  it('edits a key: quota, expiry and model limits, opened from the keyboard', async () => {
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('spare key');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row', { name: /spare key/ });
    await row.waitFor();
    // Enter on the focused row opens its edit dialog.
    await row.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Edit key').waitFor();
    expect(await dialog.getByLabel('Name').inputValue()).toBe('spare key');
    await dialog.getByRole('switch', { name: 'Unlimited quota' }).click();
    await dialog.getByLabel('Quota (USD)').fill('2.5');
    // Semi names the date input itself ("Select date and time"); the field's group carries our label.
    const expiry = dialog.getByRole('group', { name: 'Expires (empty: never)' }).getByRole('textbox');
    await expiry.fill('2030-01-02 03:04:05');
    await expiry.press('Enter');
    await dialog.getByLabel('Model limits (comma-separated, empty: all)').fill('mj_imagine,suno_music');
    await shot(page, 'key-edit', [DESKTOP, PHONE]);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => row.textContent()).toContain('$2.5000');
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('2030-01-02 03:04:05');
    expect(text).toContain('mj_imagine,suno_music');
    // The relay key is untouched.
    expect(await page.getByRole('row', { name: /relay key/ }).textContent()).toContain('Unlimited');
  });

  it('follows an imagine to SUCCESS in the gallery without a reload, and previews it', async () => {
    const submit = await relay('/mj/submit/imagine', { prompt: 'a red fox in snow' });
    expect(submit.body.code, JSON.stringify(submit.body)).toBe(1);
    const id = submit.body.result as string;
    await page.goto(`${w.t.url}/midjourney?view=gallery`);
    const card = page.locator(`li[data-task="${id}"]`);
    await card.waitFor();
    expect(await card.locator('[data-status]').getAttribute('data-status')).not.toBe('SUCCESS');
    await page.evaluate(() => {
      (globalThis as unknown as { marker: number }).marker = 42;
    });
    await pollUntil(w, async () => (await w.task(id))?.status === 'SUCCESS');
    await card.locator('[data-status="SUCCESS"]').waitFor({ timeout: 10_000 });
    const thumb = card.getByRole('button', { name: `Preview image of ${id}` });
    await thumb.waitFor();
    const img = thumb.locator('img');
    expect(await img.getAttribute('alt')).toBe('a red fox in snow');
    await expect
      .poll(() => img.evaluate((el) => (el as unknown as ImageLike).naturalWidth))
      .toBeGreaterThan(0);
    // Still the same document: the page updated itself.
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42);
    await shot(page, 'gallery', [DESKTOP, PHONE]);

    await thumb.click();
    const preview = page.getByRole('dialog').locator('img.tg-preview');
    await preview.waitFor();
    await expect
      .poll(() => preview.evaluate((el) => (el as unknown as ImageLike).naturalWidth))
      .toBeGreaterThan(0);
    await shot(page, 'gallery-preview');
    await page.keyboard.press('Escape');
    await preview.waitFor({ state: 'detached' });
  });

  it('marks a failed task as refunded in the table', async () => {
    const submit = await relay('/mj/submit/imagine', { prompt: 'a broken vase sim:error="banned prompt"' });
    expect(submit.body.code, JSON.stringify(submit.body)).toBe(1);
    const id = submit.body.result as string;
    await pollUntil(w, async () => (await w.task(id))?.refunded === 1);
    await page.goto(`${w.t.url}/midjourney?mj_id=${id}`);
    const row = page.getByRole('row', { name: new RegExp(id) });
    await row.locator('[data-status="FAILURE"]').waitFor();
    await row.locator('[data-refunded="true"]').waitFor();
    expect(await row.textContent()).toContain('Refunded');
    // The filter is in the URL and in the form.
    expect(await page.getByLabel('Task ID').inputValue()).toBe(id);
    await shot(page, 'mj-table', [DESKTOP, PHONE]);
    await identifiedOnPhone(page);

    await page.getByRole('navigation').getByRole('link', { name: 'Usage' }).click();
    const refund = page.getByRole('row', { name: new RegExp(`Refund.*${id}`) });
    await refund.waitFor();
    await shot(page, 'usage');
  });

  it('moves through table rows with the arrow keys and opens a row with Enter', async () => {
    await page.goto(`${w.t.url}/midjourney`);
    const rows = page.locator('tbody tr[data-kbd-row]');
    await expect.poll(() => rows.count()).toBe(2);
    const [failed, done] = [rows.nth(0), rows.nth(1)];
    await failed.locator('[data-status="FAILURE"]').waitFor();
    await failed.focus();
    await page.keyboard.press('ArrowDown');
    expect(await focused(done)).toBe(true);
    // The focus is visible: the focused row's cells are outlined.
    const shadow = await done
      .locator('td')
      .first()
      .evaluate(
        (el) =>
          (globalThis as unknown as { getComputedStyle(e: unknown): { boxShadow: string } }).getComputedStyle(
            el,
          ).boxShadow,
      );
    expect(shadow).not.toBe('none');
    await shot(page, 'mj-table-keyboard');
    await page.keyboard.press('ArrowDown');
    expect(await focused(done)).toBe(true);
    await page.keyboard.press('ArrowUp');
    expect(await focused(failed)).toBe(true);
    await page.keyboard.press('End');
    expect(await focused(done)).toBe(true);
    // Enter on the finished imagine opens its image.
    await page.keyboard.press('Enter');
    const preview = page.getByRole('dialog').locator('img.tg-preview');
    await preview.waitFor();
    await page.keyboard.press('Escape');
    await preview.waitFor({ state: 'detached' });
    // Enter on the failed one shows its prompt and fail reason.
    await failed.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('dialog').textContent()).toContain('banned prompt');
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('plays a Suno song with its cover and lyrics in the task center', async () => {
    const submit = await relay('/suno/submit/music', {
      prompt: '[Verse]\nNeon rain on the boulevard',
      tags: 'synthwave',
      title: 'Neon Nights',
      mv: 'chirp-v3-5',
    });
    expect(submit.body.code, JSON.stringify(submit.body)).toBe('success');
    const id = submit.body.data as string;
    for (let i = 0; i < 30 && (await w.task(id))?.status !== 'SUCCESS'; i++) {
      suno.state.clock.advance(20_000);
      await w.pollRound();
    }
    expect((await w.task(id))?.status).toBe('SUCCESS');
    await page.goto(`${w.t.url}/tasks?platform=suno`);
    const row = page.getByRole('row', { name: new RegExp(id) });
    await row.locator('[data-status="SUCCESS"]').waitFor();
    await shot(page, 'task-center', [DESKTOP, PHONE]);
    await identifiedOnPhone(page);
    // The id is cut short on screen, but whole in the page (and its title) for selecting and copying.
    const idText = row.locator('.tg-id-text');
    expect(await idText.textContent()).toBe(id);
    expect(await idText.getAttribute('title')).toBe(id);

    await row.getByRole('button', { name: 'Play' }).click();
    const dialog = page.getByRole('dialog');
    const audio = dialog.locator('audio').first();
    await audio.waitFor();
    expect(await dialog.locator('img').first().getAttribute('alt')).toContain('Cover art of');
    expect(await dialog.textContent()).toContain('Neon rain on the boulevard');
    const playing = await audio.evaluate(async (el) => {
      const media = el as unknown as { play(): Promise<void>; paused: boolean };
      await media.play();
      return !media.paused;
    });
    expect(playing).toBe(true);
    await shot(page, 'task-center-player', [DESKTOP, PHONE]);
    await page.keyboard.press('Escape');

    await row.getByRole('button', { name: 'JSON' }).click();
    await expect.poll(() => page.locator('pre.tg-json').textContent()).toContain(id);
    await page.keyboard.press('Escape');
  });

  it('switches language: every label follows', async () => {
    await page.goto(`${w.t.url}/tasks`);
    await page.getByLabel('Language').selectOption('zh');
    await page.getByRole('navigation').getByRole('link', { name: '任务中心' }).waitFor();
    await page.getByRole('heading', { name: '任务中心' }).waitFor();
    await shot(page, 'task-center-zh', [DESKTOP, PHONE]);
    await page.getByLabel('语言').selectOption('ja');
    await page.getByRole('navigation').getByRole('link', { name: 'タスクセンター' }).waitFor();
    await shot(page, 'task-center-ja', [DESKTOP, PHONE]);
    await page.goto(`${w.t.url}/midjourney?view=gallery`);
    await page.getByRole('heading', { name: 'Midjourney タスク' }).waitFor();
    await shot(page, 'gallery-ja', [PHONE]);
    await page.getByLabel('言語').selectOption('en');
    await page.getByRole('navigation').getByRole('link', { name: 'Task center' }).waitFor();
  });

  it('folds the header behind a menu button at 375 px', async () => {
    await page.goto(`${w.t.url}/tasks`);
    const header = page.locator('header');
    const menu = page.getByRole('button', { name: 'Menu' });
    const nav = page.getByRole('navigation');
    expect(await menu.isVisible()).toBe(false);
    await page.setViewportSize(PHONE);
    await menu.waitFor();
    // One line: the header is no taller than its menu button plus its padding.
    const height = async () => (await header.boundingBox())!.height;
    expect(await height()).toBeLessThan(60);
    expect(await nav.isVisible()).toBe(false);
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await page.screenshot({ path: join(SHOTS, 'header-closed-375.png') });
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await nav.getByRole('link', { name: 'API keys' }).waitFor();
    expect(await page.getByRole('button', { name: 'Log out' }).isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'header-open-375.png') });
    // Following a link closes the menu again.
    await nav.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await expect.poll(() => nav.isVisible()).toBe(false);
    expect(await height()).toBeLessThan(60);
    // Escape closes it too.
    await menu.click();
    await nav.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => nav.isVisible()).toBe(false);
    await page.setViewportSize(DESKTOP);
  });

  it('logs out, and an admin creates a channel', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await login(page, 'root', 'root-password-1');
    await page.getByRole('navigation').getByRole('link', { name: 'Channels' }).click();
    await page.getByRole('button', { name: 'Add channel' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('ui channel');
    await dialog.getByLabel('Base URL').fill(w.simUrl);
    await dialog.getByLabel('Key', { exact: true }).fill('a-secret-key');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const row = page.getByRole('row', { name: /ui channel/ });
    await row.waitFor();
    expect(await page.content()).not.toContain('a-secret-key');
    await shot(page, 'admin-channels', [DESKTOP, PHONE]);

    await row.getByRole('button', { name: 'Test' }).click();
    await page
      .getByText(/Test (passed|failed)/)
      .first()
      .waitFor();

    // Auto-disabled the way submits do it: the row says so, and why, so the admin knows what to fix.
    const { id: uiChannel } = await w.t.ctx.store.db
      .selectFrom('channels')
      .select('id')
      .where('name', '=', 'ui channel')
      .executeTakeFirstOrThrow();
    for (let i = 0; i < 3; i++) await countChannelFailure(w.t.ctx.store, uiChannel, w.t.clock.now());
    const why =
      "auto-disabled after 3 consecutive key or account failures; the last: the upstream refused the channel's key (HTTP 401)";
    expect(await autoDisableChannel(w.t.ctx.store, uiChannel, 3, why, w.t.clock.now())).toBe(true);
    await page.reload();
    await row.getByText('Auto-disabled', { exact: true }).waitFor();
    expect(await row.getByText(/^auto-disabled after 3 consecutive/).textContent()).toBe(why);
    expect(await row.getByRole('switch').isChecked()).toBe(false);
    await shot(page, 'admin-channels-auto-disabled');

    // A proxy set in the form comes back masked, and saving the form again keeps its password, the switches and
    // the status.
    const proxyLabel = 'Proxy (http://, https:// or socks5://; empty: direct)';
    const saveForm = async () => {
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('dialog').waitFor({ state: 'hidden' });
    };
    await row.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('dialog').getByLabel(proxyLabel).fill('socks5://ui:ui-proxy-pass@127.0.0.1:1080');
    await page.getByRole('dialog').getByLabel('Accept the upstream’s callbacks (push)').click();
    await saveForm();
    await row.getByRole('button', { name: 'Edit' }).click();
    expect(await page.getByRole('dialog').getByLabel(proxyLabel).inputValue()).toBe(
      'socks5://ui:***@127.0.0.1:1080',
    );
    await shot(page, 'admin-channel-edit');
    await saveForm();
    const stored = await w.t.ctx.store.db
      .selectFrom('channels')
      .select(['proxy', 'push', 'auto_ban', 'status', 'status_reason'])
      .where('id', '=', uiChannel)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({
      proxy: 'socks5://ui:ui-proxy-pass@127.0.0.1:1080',
      push: 1,
      auto_ban: 1,
      status: 3,
      status_reason: why,
    });
    expect(await page.content()).not.toContain('ui-proxy-pass');

    await page.getByRole('navigation').getByRole('link', { name: 'Users' }).click();
    await page.getByRole('row', { name: /alice/ }).waitFor();
    await shot(page, 'admin-users');
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    await page.getByText('MjForwardUrlEnabled').waitFor();
    await shot(page, 'admin-settings');
  });

  /** Types `text` into a settings field, saves, and waits for the server's refusal and the browser's log line for the 400. */
  const saveRefused = async (field: Locator, row: Locator, text: string, message: RegExp) => {
    consoleErrors.expected = [/status of 400/];
    const logged = page.waitForEvent('console', { predicate: (m) => /status of 400/.test(m.text()) });
    await field.fill(text);
    await row.getByRole('button', { name: 'Save' }).click();
    await page.getByText(message).first().waitFor();
    await logged;
    consoleErrors.expected = [];
  };

  it('sets the global task timeout on the settings page', async () => {
    const timeout = page.getByRole('spinbutton', { name: 'Task timeout (minutes)' });
    expect(await timeout.inputValue()).toBe('1440');
    const row = page.getByRole('row', { name: /TaskTimeoutMinutes/ });
    // Out of range: the server's message, nothing saved.
    await saveRefused(timeout, row, '20000', /integer from 1 to 10080/);
    expect(await optionValue('TaskTimeoutMinutes')).toBe('1440');
    await timeout.fill('90');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => optionValue('TaskTimeoutMinutes')).toBe('90');
    expect(w.t.ctx.options.get('TaskTimeoutMinutes')).toBe(90);
    await shot(page, 'admin-settings-timeout');
  });

  it('edits group ratios as JSON shown one entry a line, and saves them compact', async () => {
    const ratios = page.getByRole('textbox', { name: 'Group ratios' });
    expect(await ratios.inputValue()).toBe('{\n  "default": 1,\n  "vip": 1,\n  "svip": 1\n}');
    const row = page.getByRole('row', { name: /GroupRatio/ });
    // A ratio of 0 is refused by the server, in its words; nothing is saved.
    await saveRefused(ratios, row, '{\n  "default": 1,\n  "vip": 0\n}', /vip must be a positive number/);
    expect(await optionValue('GroupRatio')).toBe('{"default":1,"vip":1,"svip":1}');
    await ratios.fill('{\n  "default": 1,\n  "vip": 0.8,\n  "svip": 0.5\n}');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => optionValue('GroupRatio')).toBe('{"default":1,"vip":0.8,"svip":0.5}');
    expect(w.t.ctx.options.get('GroupRatio')).toEqual({ default: 1, vip: 0.8, svip: 0.5 });
    // Shown again from the saved value, one entry a line.
    await expect.poll(() => ratios.inputValue()).toBe('{\n  "default": 1,\n  "vip": 0.8,\n  "svip": 0.5\n}');
  });

  it('the option itself: 1440 by default, 1 to 10080 accepted, anything else a 400', async () => {
    const put = (value: string) =>
      w.t.request('PUT', '/api/option/', { as: w.t.root, body: { key: 'TaskTimeoutMinutes', value } });
    for (const bad of ['0', '10081', '1.5', 'soon', '']) expect((await put(bad)).status, bad).toBe(400);
    expect(await optionValue('TaskTimeoutMinutes')).toBe('90');
    expect((await put('10080')).status).toBe(200);
    expect((await put('1440')).status).toBe(200);
  });

  it('fits the admin’s task tables, with their channel and user columns, on a 1280 px screen', async () => {
    await page.goto(`${w.t.url}/midjourney`);
    await page.locator('tbody tr[data-kbd-row] [data-status]').first().waitFor();
    expect(await page.getByRole('columnheader', { name: 'Channel' }).count()).toBe(1);
    await shot(page, 'admin-mj-table', [DESKTOP, PHONE]);
    await identifiedOnPhone(page);
    await page.goto(`${w.t.url}/tasks`);
    await page.locator('tbody tr[data-kbd-row] [data-status]').first().waitFor();
    expect(await page.getByRole('columnheader', { name: 'User' }).count()).toBe(1);
    await shot(page, 'admin-task-center', [DESKTOP, PHONE]);
    await identifiedOnPhone(page);
  });

  it('shows every user’s ledger to the admin, filtered by user and kind in the URL', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Ledger' }).click();
    await page.getByRole('heading', { name: 'Ledger' }).waitFor();
    await page.getByLabel('User ID').fill(String(aliceId));
    const kind = page.getByRole('combobox', { name: 'Kind' });
    await kind.click();
    await page.getByRole('option', { name: 'Refund' }).click();
    await expect.poll(() => kind.textContent()).toBe('Refund');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.url()).toContain('kind=refund');
    expect(page.url()).toContain(`user_id=${aliceId}`);
    const rows = page.locator('tbody tr[data-kbd-row]');
    await expect.poll(() => rows.count()).toBe(1);
    const text = (await rows.first().textContent()) ?? '';
    expect(text).toContain('Refund');
    expect(text).toContain(String(aliceId));
    await shot(page, 'admin-ledger', [DESKTOP, PHONE]);
    // Reset shows every kind again: the top-up of alice's balance is there too.
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => page.url()).not.toContain('kind=');
    await page
      .getByRole('row', { name: /Top-up/ })
      .first()
      .waitFor();
    // Enter on a row with a task opens the task's page.
    await page.goto(`${w.t.url}/admin/ledger?kind=refund`);
    await rows.first().focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toContain('/midjourney?mj_id=');
  });

  it('respects the login rate limit: the button waits out Retry-After', async () => {
    consoleErrors.expected = [/status of 401/, /status of 429/];
    await page.getByRole('button', { name: 'Log out' }).click();
    const button = page.getByRole('button', { name: /^(Log in|Wait \d+ s)$/ });
    await page.getByLabel('Username').fill('alice');
    await page.getByRole('textbox', { name: 'Password' }).fill('wrong-password');
    for (let i = 0; i < 15 && (await button.textContent()) === 'Log in'; i++) {
      await button.click();
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Wrong username|Too many/);
    }
    expect(await page.getByRole('alert').textContent()).toMatch(
      /Too many attempts\. Try again in \d+ seconds/,
    );
    expect(await button.isDisabled()).toBe(true);
    await shot(page, 'login-rate-limited', [PHONE]);
    consoleErrors.expected = [];
  });

  it('logged no console errors', () => {
    expect(consoleErrors.errors).toEqual([]);
  });
});
