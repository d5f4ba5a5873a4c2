import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@minigate/db/testing';
import { createHttpServer, loadConfig, wireApplication } from '@minigate/server';
import { startWeChatSimulator, type WeChatSimulator } from '@minigate/wechat-sim';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserPreview, type BrowserPreview } from '../apps/minigame/dev/preview-server.js';
import { startTestStack, TEST_APPID, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, type TestStack } from './support/stack.js';

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

// playwright's launch() starts Chromium on a fresh temporary profile (it refuses --user-data-dir in args).
const launchChromium = () =>
  chromium.launch({
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

describe('the browser preview of the sample game, in headless Chromium', { timeout: 120_000 }, () => {
  let stack: TestStack;
  let preview: BrowserPreview;
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'minigame-preview-'));

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), CHROMIUM_MISSING).toBe(true);
    stack = await startTestStack();
    browser = await launchChromium();
    // As `pnpm dev` starts it: game.js and the preview's wx built from the sources for the server beside it.
    preview = await startBrowserPreview({
      host: '127.0.0.1',
      port: 0,
      serverUrl: stack.trpcUrl,
      simulatorUrl: stack.simulator.url,
      appid: TEST_APPID,
      dir,
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

    // The silent login at the start: wx.login (the simulator) → auth.login.
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

describe(
  'the browser preview as Douyin (?runtime=tt) and QQ (?runtime=qq), against a server serving a game of each platform',
  { timeout: 120_000 },
  () => {
    const APPS = [
      { appid: 'wxpreviewgame001', platform: 'wechat', secret: 'd4e5f60718293a4b5c6d7e8f90a1b2c3' },
      { appid: 'ttpreviewgame001', platform: 'douyin', secret: 'e5f60718293a4b5c6d7e8f90a1b2c3d4' },
      { appid: '1113334445', platform: 'qq', secret: 'f60718293a4b5c6d7e8f90a1b2c3d4e5' },
    ] as const;
    let simulator: WeChatSimulator;
    let database: TestDatabase;
    let server: FastifyInstance;
    let preview: BrowserPreview;
    let browser: Browser;
    const dir = mkdtempSync(join(tmpdir(), 'minigame-preview-platforms-'));

    beforeAll(async () => {
      expect(existsSync(CHROMIUM), CHROMIUM_MISSING).toBe(true);
      database = await createTestDatabase();
      simulator = await startWeChatSimulator({ apps: APPS.map((app) => ({ ...app })) });
      writeFileSync(join(dir, 'apps.json'), JSON.stringify(APPS.map((app) => ({ ...app, apiBase: simulator.url }))));
      const config = loadConfig({
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        DATABASE_URL: database.url,
        JWT_SECRET: TEST_JWT_SECRET,
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        APPS_FILE: join(dir, 'apps.json'),
      });
      const http = createHttpServer(config, (log) => wireApplication(config, log), { logStream: { write: () => undefined } });
      server = http.server;
      await http.application.start();
      await server.listen({ host: '127.0.0.1', port: 0 });
      preview = await startBrowserPreview({
        host: '127.0.0.1',
        port: 0,
        serverUrl: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/trpc`,
        simulatorUrl: simulator.url,
        appid: APPS[0].appid,
        apps: { tt: APPS[1].appid, qq: APPS[2].appid },
        dir,
      });
      browser = await launchChromium();
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await preview?.close();
      await server?.close();
      await simulator?.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it.each([
      ['tt', APPS[1]],
      ['qq', APPS[2]],
    ] as const)('?runtime=%s logs in to that game, with no wx in the page', async (runtime, app) => {
      const page = await browser.newPage({ viewport: { width: 480, height: 900 } });
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(`${preview.url}?player=preview-${runtime}&runtime=${runtime}`);
      await page.waitForFunction(`document.body.dataset.phase === 'ready'`, null, { timeout: 30_000 });
      const result = await page.evaluate<{ runtime: string; appid: string; wx: string; me: { app: { appid: string; platform: string } } }>(
        `(async () => ({ runtime: minigame.client.runtime, appid: minigame.client.appid, wx: typeof wx, me: await minigame.client.api.account.me.query() }))()`,
      );
      expect(result).toMatchObject({ runtime, appid: app.appid, wx: 'undefined', me: { app: { appid: app.appid, platform: app.platform } } });
      expect(await page.textContent('#status')).toMatch(/^Welcome! New account #\d+$/);
      expect(problems).toEqual([]);
      await page.close();
    });
  },
);
