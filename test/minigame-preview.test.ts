import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserPreview, type BrowserPreview } from '../apps/minigame/dev/preview-server.js';
import { startTestStack, TEST_APPID, type TestStack } from './support/stack.js';

// The browser preview `pnpm dev` serves (apps/minigame/dev), in headless
// Chromium: Debian's chromium package, driven by playwright-core. The page
// runs the sample game's game.js over our small wx, logs in through the
// simulator, shows the player's nickname, and leaves a screenshot of the
// start screen in test/artifacts/minigame-start.png.
const ROOT = resolve(import.meta.dirname, '..');
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test/artifacts');
// Without Chromium this file fails (it never skips): CI must show the browser preview running.
const CHROMIUM_MISSING = `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`;

it("has Debian's chromium at /usr/bin/chromium", () => {
  expect(existsSync(CHROMIUM), CHROMIUM_MISSING).toBe(true);
});

describe('the browser preview of the sample game, in headless Chromium', { timeout: 120_000 }, () => {
  let stack: TestStack;
  let preview: BrowserPreview;
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'minigame-preview-'));

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), CHROMIUM_MISSING).toBe(true);
    stack = await startTestStack();
    // As `pnpm dev` starts it: game.js and the preview's wx built from the sources for the server beside it.
    preview = await startBrowserPreview({
      host: '127.0.0.1',
      port: 0,
      serverUrl: stack.trpcUrl,
      simulatorUrl: stack.simulator.url,
      appid: TEST_APPID,
      dir,
    });
    // playwright's launch() starts Chromium on a fresh temporary profile (it refuses --user-data-dir in args).
    browser = await chromium.launch({
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
      ],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await preview?.close();
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs in, shows the nickname on the canvas and in the page, sends a heartbeat, and keeps a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 480, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${preview.url}?player=preview-ann`);
    await expect.poll(() => page.textContent('#banner')).toMatch(/Development preview — not WeChat/);

    // The silent login at the start: wx.login (the simulator) → auth.wechatLogin.
    // (Page code as strings: this project's lib has no DOM.)
    await page.waitForFunction(`document.body.dataset.phase === 'ready'`, null, { timeout: 30_000 });
    const accountId = await page.evaluate<number>('window.minigame.state.accountId');
    expect(accountId).toEqual(expect.any(Number));
    expect(await page.textContent('#player')).toBe(`Player #${accountId} · Lv. 1 · online 0 s · score 0`);
    expect(await page.textContent('#status')).toBe(`Welcome! New account #${accountId}`);

    // WeChat's user info button (a DOM button here): the profile syncs, the nickname shows.
    await page.click('.wx-user-info-button');
    await page.waitForFunction(`document.getElementById('status').textContent === 'Profile synced: preview-ann'`, null, { timeout: 30_000 });
    expect(await page.textContent('#player')).toMatch(/^preview-ann · Lv\. 1 · /);
    expect(await page.evaluate<string>('window.minigame.state.nickName')).toBe('preview-ann');

    // The canvas is the game's: the nickname is drawn on it (its card is no longer one flat color).
    const colorsOnTheNameLine = await page.evaluate<number>(`(() => {
      const canvas = document.getElementById('screen');
      const ratio = canvas.width / canvas.getBoundingClientRect().width;
      const row = canvas.getContext('2d').getImageData(Math.round(60 * ratio), Math.round((667 * 0.17 + 26) * ratio), Math.round(255 * ratio), 1).data;
      const colors = new Set();
      for (let i = 0; i < row.length; i += 4) colors.add(row[i] + ',' + row[i + 1] + ',' + row[i + 2]);
      return colors.size;
    })()`);
    expect(colorsOnTheNameLine).toBeGreaterThan(2);

    // The heartbeat button, hit-tested through wx.onTouchStart (pointer events here).
    const screen = (await page.locator('#screen').boundingBox())!;
    await page.mouse.click(screen.x + 187, screen.y + 447);
    await page.waitForFunction(`/^Heartbeat: \\d+ s online$/.test(document.getElementById('status').textContent)`, null, { timeout: 30_000 });

    const session = await page.evaluate<string>(`localStorage.getItem('minigate-preview:preview-ann:minigate.session')`);
    expect(JSON.parse(JSON.parse(session) as string)).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String) });
    expect(stack.simulator.code2sessionCalls).toBeGreaterThanOrEqual(1);

    mkdirSync(ARTIFACTS, { recursive: true });
    // Screenshots are test artefacts, never committed: the folder ignores itself.
    writeFileSync(join(ARTIFACTS, '.gitignore'), '*\n');
    await page.screenshot({ path: join(ARTIFACTS, 'minigame-start.png') });
    expect(existsSync(join(ARTIFACTS, 'minigame-start.png'))).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("the page's wx.request reaches the minigate server only", async () => {
    const answer = await fetch(`${preview.url}__wx/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://169.254.169.254/latest/meta-data', method: 'GET', header: {} }),
    });
    expect(answer.status).toBe(403);
  });
});
