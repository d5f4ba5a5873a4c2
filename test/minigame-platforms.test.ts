import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@minigate/db/testing';
import { createHttpServer, loadConfig, wireApplication } from '@minigate/server';
import {
  createMinigameSandbox,
  startWeChatSimulator,
  type MinigameSandbox,
  type MinigameSandboxOptions,
  type WeChatSimulator,
} from '@minigate/wechat-sim';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from './support/stack.js';

// The client's game file (minigate.js) and the sample game's game.js on each
// runtime, WeChat's wx, Douyin's tt and QQ's qq, in the mini-game sandbox,
// against a real server that serves one game of each platform (APPS_FILE)
// over the simulator: the client finds its runtime and appid by itself and
// logs in with auth.login; on Douyin a player not logged in to Douyin is a
// guest (anonymousCode), upgraded by a forced tt.login (code + anonymousCode).
const ROOT = resolve(import.meta.dirname, '..');
const GAME_FILE = join(ROOT, 'packages/client/dist/minigate.js');
const APPS = {
  wx: { appid: 'wxplatformgame01', platform: 'wechat', secret: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', name: 'Tap (WeChat)' },
  tt: { appid: 'ttplatformgame01', platform: 'douyin', secret: 'b2c3d4e5f60718293a4b5c6d7e8f90a1', name: 'Tap (Douyin)' },
  qq: { appid: '1112223334', platform: 'qq', secret: 'c3d4e5f60718293a4b5c6d7e8f90a1b2', name: 'Tap (QQ)' },
} as const;
type Runtime = keyof typeof APPS;

let simulator: WeChatSimulator;
let database: TestDatabase;
let server: FastifyInstance;
let trpcUrl: string;
const work = mkdtempSync(join(tmpdir(), 'minigame-platforms-'));

beforeAll(async () => {
  database = await createTestDatabase();
  simulator = await startWeChatSimulator({ apps: Object.values(APPS).map(({ appid, secret, platform }) => ({ appid, secret, platform })) });
  const appsFile = join(work, 'apps.json');
  writeFileSync(appsFile, JSON.stringify(Object.values(APPS).map((app) => ({ ...app, apiBase: simulator.url }))));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    JWT_SECRET: TEST_JWT_SECRET,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    APPS_FILE: appsFile,
  });
  const http = createHttpServer(config, (log) => wireApplication(config, log), { logStream: { write: () => undefined } });
  server = http.server;
  await http.application.start();
  await server.listen({ host: '127.0.0.1', port: 0 });
  trpcUrl = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/trpc`;
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'minigame', '--server-url', trpcUrl, '--out', work], { cwd: ROOT });
}, 120_000);
afterAll(async () => {
  await server?.close();
  await simulator?.close();
  await database?.drop();
  rmSync(work, { recursive: true, force: true });
});

function sandboxOn(runtime: Runtime, player: string, options: Partial<MinigameSandboxOptions> = {}): MinigameSandbox {
  return createMinigameSandbox({
    simulatorUrl: simulator.url,
    appid: APPS[runtime].appid,
    player,
    runtime,
    files: { 'minigate.js': GAME_FILE },
    ...options,
  });
}

/** Runs game code in the sandbox and returns its value, crossed out of the sandbox's realm through JSON. */
async function play(sandbox: MinigameSandbox, body: string): Promise<any> {
  const value = await (sandbox.run(`(async () => { ${body} })()`) as Promise<unknown>);
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

const pathsOf = (sandbox: MinigameSandbox) => sandbox.requests.map((request) => `${request.method} ${request.url.split('?')[0]!.split('/trpc/')[1]}`);
const PLATFORM = { wx: 'wechat', tt: 'douyin', qq: 'qq' } as const;

describe('the client on wx, tt and qq', () => {
  it.each(['wx', 'tt', 'qq'] as const)('on %s finds the runtime and the appid by itself and logs in with auth.login', async (runtime) => {
    const sandbox = sandboxOn(runtime, `first-${runtime}`);
    const result = await play(
      sandbox,
      `const client = require('./minigate.js').createClient({ url: '${trpcUrl}' });
       const me = await client.api.account.me.query();
       return { runtime: client.runtime, appid: client.appid, me };`,
    );
    expect(result).toMatchObject({ runtime, appid: APPS[runtime].appid, me: { app: { appid: APPS[runtime].appid, platform: PLATFORM[runtime] } } });
    expect(result.me.identities).toContainEqual({ platform: PLATFORM[runtime], appid: APPS[runtime].appid, kind: 'openid' });
    expect(pathsOf(sandbox)).toEqual(['POST auth.login', 'GET account.me']);
  });

  it('keeps createClient({ url, wx }) working: with the appid it uses auth.login, without one (an old base library) auth.wechatLogin', async () => {
    const withAppid = sandboxOn('wx', 'wx-old-game');
    const me = await play(withAppid, `return require('./minigate.js').createClient({ url: '${trpcUrl}', wx }).api.account.me.query();`);
    expect(pathsOf(withAppid)).toEqual(['POST auth.login', 'GET account.me']);

    const withoutAppid = sandboxOn('wx', 'wx-old-game', { accountInfo: false });
    const again = await play(
      withoutAppid,
      `const client = require('./minigate.js').createClient({ url: '${trpcUrl}', wx });
       return { appid: client.appid, me: await client.api.account.me.query() };`,
    );
    expect(pathsOf(withoutAppid)).toEqual(['POST auth.wechatLogin', 'GET account.me']);
    // The single WeChat app: the same player, the same account.
    expect(again).toMatchObject({ appid: null, me: { id: me.id, app: { appid: APPS.wx.appid, platform: 'wechat' } } });
  });

  it('on QQ, where a wx is there too, is QQ’s client', async () => {
    const sandbox = sandboxOn('qq', 'qq-with-wx');
    sandbox.global.wx = { ...sandbox.runtime, getAccountInfoSync: () => ({ miniProgram: { appId: 'wx-of-another-game' } }) };
    const result = await play(
      sandbox,
      `const client = require('./minigate.js').createClient({ url: '${trpcUrl}' }); return { runtime: client.runtime, appid: client.appid };`,
    );
    expect(result).toEqual({ runtime: 'qq', appid: APPS.qq.appid });
  });

  it('on Douyin without an appid says so, and sends nothing', async () => {
    const sandbox = sandboxOn('tt', 'tt-no-appid', { accountInfo: false });
    const message = await play(
      sandbox,
      `return require('./minigate.js').createClient({ url: '${trpcUrl}' }).login().then(() => 'logged in', (error) => error.message);`,
    );
    expect(message).toBe('tt.login: no appid found: pass createClient({ appid })');
    expect(sandbox.requests).toEqual([]);
    // The appid given by the game instead.
    const given = await play(
      sandbox,
      `const client = require('./minigate.js').createClient({ url: '${trpcUrl}', appid: '${APPS.tt.appid}' });
       return (await client.login()).account.id;`,
    );
    expect(given).toEqual(expect.any(Number));
  });
});

describe('Douyin guests', () => {
  it('a player not logged in to Douyin plays as a guest (anonymousCode alone), and a forced tt.login makes the guest that player', async () => {
    const sandbox = sandboxOn('tt', 'tt-gwen', { loggedInToHost: false, device: 'gwen-phone' });
    const guest = await play(
      sandbox,
      `GameGlobal.client = require('./minigate.js').createClient({ url: '${trpcUrl}' });
       return client.api.account.me.query();`,
    );
    expect(guest.identities).toEqual([{ platform: 'douyin', appid: APPS.tt.appid, kind: 'anonymous' }]);

    const upgrade = await play(
      sandbox,
      `const answer = await client.login({ force: true }); return { answer, me: await client.api.account.me.query() };`,
    );
    expect(upgrade.answer.account.id).toBe(guest.id);
    expect(upgrade.answer.guestAccountId).toBeUndefined();
    expect(upgrade.me.id).toBe(guest.id);
    expect(upgrade.me.identities).toEqual(
      expect.arrayContaining([
        { platform: 'douyin', appid: APPS.tt.appid, kind: 'anonymous' },
        { platform: 'douyin', appid: APPS.tt.appid, kind: 'openid' },
      ]),
    );
    expect(pathsOf(sandbox).filter((path) => path === 'POST auth.login')).toHaveLength(2);
  });

  it('when the Douyin player already has an account, the login is that account, and the guest stays apart (guestAccountId)', async () => {
    // The player's own phone, logged in to Douyin.
    const own = await play(
      sandboxOn('tt', 'tt-hal', { device: 'hal-phone' }),
      `return (await require('./minigate.js').createClient({ url: '${trpcUrl}' }).login()).account.id;`,
    );
    // A borrowed phone, not logged in: a guest, then the player logs in there.
    const borrowed = sandboxOn('tt', 'tt-hal', { loggedInToHost: false, device: 'borrowed-phone' });
    const result = await play(
      borrowed,
      `const client = require('./minigate.js').createClient({ url: '${trpcUrl}' });
       const guest = await client.login();
       const player = await client.login({ force: true });
       return { guest: guest.account.id, player: player.account.id, guestAccountId: player.guestAccountId, me: (await client.api.account.me.query()).id };`,
    );
    expect(result.guest).not.toBe(own);
    expect(result).toEqual({ guest: result.guest, player: own, guestAccountId: result.guest, me: own });
  });
});

/** A sandbox whose runtime also has a canvas stub (recording fillText), the screen's size and touches, as the sample game needs. */
function screenOn(runtime: Runtime, player: string) {
  const sandbox = createMinigameSandbox({ simulatorUrl: simulator.url, appid: APPS[runtime].appid, player, runtime });
  const texts: string[] = [];
  const touchListeners: Array<(event: unknown) => void> = [];
  const context = new Proxy({} as Record<string, unknown>, {
    get: (target, name) => (name === 'fillText' ? (text: string) => texts.push(text) : name in target ? target[name as string] : () => undefined),
    set: (target, name, value) => ((target[name as string] = value), true),
  });
  const screen = { windowWidth: 375, windowHeight: 667, pixelRatio: 2 };
  Object.assign(sandbox.runtime, {
    createCanvas: () => ({ width: 375, height: 667, getContext: () => context }),
    getSystemInfoSync: () => ({ ...screen, platform: 'devtools' }),
    onTouchStart: (listener: (event: unknown) => void) => void touchListeners.push(listener),
  });
  const touch = (x: number, y: number) => {
    const point = { identifier: 0, clientX: x, clientY: y, pageX: x, pageY: y, force: 1 };
    for (const listener of touchListeners) listener({ touches: [point], changedTouches: [point], timeStamp: Date.now() });
  };
  return { sandbox, texts, touch };
}

interface GameHandle {
  state: { phase: string; status: string; accountId: number | null; level: number | null; onlineSeconds: number | null };
  idle(): Promise<void>;
}

describe("the sample game's game.js on Douyin and QQ", () => {
  it.each(['tt', 'qq'] as const)('on %s draws the start screen, logs in with auth.login and sends a heartbeat', async (runtime) => {
    const { sandbox, texts, touch } = screenOn(runtime, `game-${runtime}`);
    sandbox.run(readFileSync(join(work, 'game.js'), 'utf8'), 'game.js');
    const game = sandbox.global.minigame as GameHandle;
    await game.idle();
    let state = JSON.parse(JSON.stringify(game.state)) as GameHandle['state'];
    expect(state).toMatchObject({ phase: 'ready', level: 1, status: `Welcome! New account #${state.accountId}` });
    expect(texts).toContain(`Player #${state.accountId}`);
    expect(pathsOf(sandbox)).toEqual(['POST auth.login', 'GET account.me']);
    // WeChat's profile button is WeChat's only: the game says so instead.
    expect(texts).toContain('Profile sync: WeChat only');

    touch(187, 447); // the heartbeat button on a 375 × 667 screen
    await game.idle();
    state = JSON.parse(JSON.stringify(game.state)) as GameHandle['state'];
    expect(state.status).toBe(`Heartbeat: ${state.onlineSeconds} s online`);
  });
});
