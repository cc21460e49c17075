// The web UI's rough edges, end to end in Debian's Chromium against a real Taskgate and the Midjourney simulator:
// a demoted admin, expired media links, a phone's width, empty lists, and an admin's top-up racing a charge.
// Screenshots go to test/ui/screenshots/ux-*.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerBalance, reserveQuota } from '../../src/store/ledger.js';
import { findUserById } from '../../src/store/users.js';
import {
  ConsoleErrors,
  ensureUiBuilt,
  launchChromium,
  login as loginAt,
  runUi,
  SHOTS,
} from '../support/browser.js';
import { type MjWorld, pollUntil, startMjWorld } from '../support/mj-world.js';

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const PASSWORD = 'ux-password-1';

describe.skipIf(!runUi)('web UI rough edges', () => {
  let w: MjWorld;
  let browser: Browser;
  const consoleErrors = new ConsoleErrors();

  const newPage = async (viewport = DESKTOP) => {
    const context = await browser.newContext({ viewport, locale: 'en-US' });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    consoleErrors.watch(page);
    return page;
  };

  const login = (p: Page, username: string, password: string) => loginAt(p, w.t.url, username, password);

  const scrollWidth = (p: Page) =>
    p.evaluate(
      () =>
        (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
          .documentElement.scrollWidth,
    );

  const createUser = async (username: string, role = 1) => {
    const res = await w.t.request('POST', '/api/user/', {
      as: w.t.root,
      body: { username, password: PASSWORD, role },
    });
    expect(res.status, res.text).toBe(200);
    return res.body.data.id as number;
  };

  beforeAll(async () => {
    ensureUiBuilt();
    mkdirSync(SHOTS, { recursive: true });
    w = await startMjWorld('sqlite');
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  it('a demoted admin loses the admin pages on the next page load, not at the next login', async () => {
    await createUser('ux_admin', 10);
    const page = await newPage();
    await login(page, 'ux_admin', PASSWORD);
    const nav = page.getByRole('navigation');
    await nav.getByRole('link', { name: 'Users' }).waitFor();
    const id = (await w.t.request('GET', '/api/user/?keyword=ux_admin', { as: w.t.root })).body.data.items[0]
      .id;
    const demoted = await w.t.request('PUT', '/api/user/', { as: w.t.root, body: { id, role: 1 } });
    expect(demoted.status, demoted.text).toBe(200);
    await page.goto(`${w.t.url}/admin/users`);
    await page.getByRole('heading', { name: 'Midjourney tasks', exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/midjourney');
    expect(await nav.getByRole('link', { name: 'Users' }).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'ux-demoted-1280.png'), fullPage: true });
    await page.context().close();
  });

  it('a top-up through the Users dialog keeps a charge made while the dialog was open', async () => {
    const id = await createUser('ux_payer');
    const store = w.t.ctx.store;
    const now = w.t.clock.now();
    await w.t.request('PUT', '/api/user/', { as: w.t.root, body: { id, quota_delta: 1_000_000 } });
    const page = await newPage();
    await login(page, 'root', 'root-password-1');
    await page.goto(`${w.t.url}/admin/users?keyword=ux_payer`);
    const row = page.getByRole('row', { name: /ux_payer/ });
    await row.getByRole('button', { name: 'Top up' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Amount (USD, negative to deduct)').fill('1');
    // The dialog shows (and the page read) a balance of 1,000,000; a task is charged before the admin presses OK.
    const charge = {
      userId: id,
      tokenId: 0,
      taskId: `ux-charge-${Math.random()}`,
      platform: 'midjourney',
      model: 'mj_imagine',
      quota: 300_000,
      content: 'charge',
    };
    await reserveQuota(store, charge, now);
    await dialog.getByRole('button', { name: 'Top up' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(async () => (await findUserById(store, id))?.quota).toBe(1_000_000 - 300_000 + 500_000);
    expect(await ledgerBalance(store, id)).toBe(1_200_000);
    await page.context().close();
  });

  it('an image whose signed link expired says so, with a reload that brings it back', async () => {
    const submit = await w.submit('/mj/submit/imagine', { prompt: 'a lighthouse at dusk' });
    const id = submit.body.result as string;
    await pollUntil(w, async () => (await w.task(id))?.status === 'SUCCESS');
    const page = await newPage();
    await login(page, 'root', 'root-password-1');
    // The image requests wait (they still reach the real server) until its clock is past the links' expiry: a
    // page left open for a day.
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route(/[?&]sig=/, async (route) => {
      await gate;
      await route.continue();
    });
    await page.goto(`${w.t.url}/midjourney?view=gallery`);
    const card = page.locator(`li[data-task="${id}"]`);
    await card.waitFor();
    w.t.clock.advance(25 * 3_600_000);
    consoleErrors.expected = [/status of 403/];
    release();
    const notice = card.getByRole('alert');
    await expect.poll(() => notice.textContent()).toContain('Link expired — reload');
    await page.screenshot({ path: join(SHOTS, 'ux-media-expired-1280.png'), fullPage: true });
    // The notice takes the image's place inside the card, not past its border.
    const [inner, outer] = await Promise.all([notice.boundingBox(), card.boundingBox()]);
    expect(inner!.x + inner!.width).toBeLessThanOrEqual(outer!.x + outer!.width);
    consoleErrors.expected = [];
    await notice.getByRole('button', { name: 'Reload' }).click();
    const img = card.locator('img');
    await expect
      .poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
    expect(await notice.count()).toBe(0);
    await page.context().close();
  });

  it('at 390 px the task lists reach their rows within the first screen and nothing widens the page', async () => {
    for (let i = 0; i < 3; i++) {
      await w.submit('/mj/submit/imagine', {
        prompt: `a quiet harbour with boats, gulls and fog, take ${i}`,
      });
    }
    const page = await newPage(PHONE);
    await login(page, 'root', 'root-password-1');
    for (const path of ['/midjourney', '/tasks', '/usage', '/admin/ledger']) {
      await page.goto(`${w.t.url}${path}`);
      const table = page.locator('.semi-table-thead').first();
      await table.waitFor();
      const name = path.replaceAll('/', '-').slice(1);
      await page.screenshot({ path: join(SHOTS, `ux-list-${name}-390.png`), fullPage: true });
      // The filters fold into two columns: the table starts in the upper half of the first screen, not below it.
      expect((await table.boundingBox())!.y, path).toBeLessThan(PHONE.height / 2);
      expect(await scrollWidth(page), path).toBeLessThanOrEqual(PHONE.width);
    }
    const firstRow = page.locator('tbody tr[data-kbd-row]').first();
    await page.goto(`${w.t.url}/midjourney`);
    await firstRow.waitFor();
    const row = (await firstRow.boundingBox())!;
    expect(row.y + row.height).toBeLessThan(PHONE.height);
    await page.context().close();
  });

  it('at 390 px the error banner is readable (title above the message) and can be dismissed', async () => {
    const page = await newPage(PHONE);
    await login(page, 'root', 'root-password-1');
    consoleErrors.expected = [/status of 400/];
    await page.goto(`${w.t.url}/midjourney?start_timestamp=soon`);
    const banner = page.locator('.semi-banner');
    await banner.waitFor();
    consoleErrors.expected = [];
    await page.screenshot({ path: join(SHOTS, 'ux-error-banner-390.png'), fullPage: true });
    const title = (await banner.locator('.semi-banner-title').boundingBox())!;
    const message = (await banner.locator('.semi-banner-description').boundingBox())!;
    // One line of title across the banner, then the message under it at the banner's width.
    expect(title.height).toBeLessThan(30);
    expect(message.y).toBeGreaterThanOrEqual(title.y + title.height);
    expect(message.width).toBeGreaterThan(PHONE.width * 0.6);
    const box = (await banner.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    // A close button big enough for a finger, named for screen readers, which dismisses the banner.
    const close = banner.getByRole('button', { name: 'Close' });
    const target = (await close.boundingBox())!;
    expect(Math.min(target.width, target.height)).toBeGreaterThanOrEqual(32);
    await close.click();
    await expect.poll(() => banner.count()).toBe(0);
    await page.context().close();
  });

  it('empty lists say what is empty and what to do, and when filters emptied them, that', async () => {
    await createUser('ux_newcomer');
    const page = await newPage();
    await login(page, 'ux_newcomer', PASSWORD);
    const cases: Array<[string, string, string]> = [
      ['/midjourney', 'No Midjourney tasks yet', 'POST /mj/submit/imagine'],
      ['/midjourney?view=gallery', 'No Midjourney tasks yet', 'POST /mj/submit/imagine'],
      ['/tasks', 'No Suno or video tasks yet', 'POST /suno/submit/music'],
      ['/tokens', 'No API keys yet', 'Create key'],
      ['/usage', 'No balance changes yet', 'charges and refunds'],
      ['/midjourney?status=FAILURE', 'No Midjourney tasks match these filters', 'Reset'],
    ];
    for (const [path, title, hint] of cases) {
      await page.goto(`${w.t.url}${path}`);
      const empty = page.locator('.semi-empty');
      await empty.waitFor();
      await expect.poll(() => empty.textContent(), { message: path }).toContain(title);
      expect(await empty.textContent(), path).toContain(hint);
    }
    await page.screenshot({ path: join(SHOTS, 'ux-empty-filtered-1280.png'), fullPage: true });
    await page.goto(`${w.t.url}/midjourney`);
    await page.locator('.semi-empty').waitFor();
    await page.screenshot({ path: join(SHOTS, 'ux-empty-1280.png'), fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(SHOTS, 'ux-empty-390.png'), fullPage: true });
    await page.context().close();
    // The admin's lists too.
    const admin = await newPage();
    await login(admin, 'root', 'root-password-1');
    for (const [path, title] of [
      ['/admin/channels?status=2', 'No channels match these filters'],
      ['/admin/ledger?kind=adjust&user_id=999999', 'No ledger rows match these filters'],
    ]) {
      await admin.goto(`${w.t.url}${path}`);
      await expect.poll(() => admin.locator('.semi-empty').textContent(), { message: path }).toContain(title);
    }
    await admin.context().close();
  });

  it('logged no console errors', () => {
    expect(consoleErrors.errors).toEqual([]);
  });
});
