import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createMinigameSandbox, type MinigameSandbox } from '@minigate/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntaxBeyondEs2017 } from './support/es2017-syntax.js';
import { startTestStack, TEST_APPID, type TestStack } from './support/stack.js';

// The sample game (apps/minigame) in the mini-game sandbox against the real
// server and simulator, with the canvas stubbed: its logic module (what
// `pnpm build` writes to apps/minigame/dev/dist/game-logic.js) and its
// game.js, built for this server as `pnpm dev` builds it for its own.
const ROOT = resolve(import.meta.dirname, '..');
const GAME_LOGIC = join(ROOT, 'apps/minigame/dev/dist/game-logic.js');
const SCREEN = { windowWidth: 375, windowHeight: 667, pixelRatio: 2 };
/** Where the game draws its buttons on a 375 × 667 screen (apps/minigame/src/game.ts). */
const AT = { circle: [187, 300], heartbeat: [187, 447], submitScore: [187, 504] } as const;

let stack: TestStack;
const work = mkdtempSync(join(tmpdir(), 'minigame-game-'));
beforeAll(async () => {
  stack = await startTestStack();
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'minigame', '--server-url', stack.trpcUrl, '--out', work], { cwd: ROOT });
}, 120_000);
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await stack.close();
});

interface Screen {
  sandbox: MinigameSandbox;
  /** Every text the game drew, in order. */
  texts: string[];
  /** A finger on the screen at (x, y), through the game's wx.onTouchStart listener. */
  touch(x: number, y: number): void;
}

/** A sandbox whose wx also has a canvas (a stub that records fillText), the screen's size and touches. */
function screenFor(player: string, files: Record<string, string>): Screen {
  const sandbox = createMinigameSandbox({ simulatorUrl: stack.simulator.url, appid: TEST_APPID, player, files });
  const texts: string[] = [];
  const touchListeners: Array<(event: unknown) => void> = [];
  const context = new Proxy({} as Record<string, unknown>, {
    get: (target, name) => (name === 'fillText' ? (text: string) => texts.push(text) : name in target ? target[name as string] : () => undefined),
    set: (target, name, value) => ((target[name as string] = value), true),
  });
  const wx = sandbox.global.wx as Record<string, unknown>;
  Object.assign(wx, {
    createCanvas: () => ({ width: 375, height: 667, getContext: () => context }),
    getWindowInfo: () => ({ ...SCREEN }),
    getSystemInfoSync: () => ({ ...SCREEN, platform: 'devtools' }),
    onTouchStart: (listener: (event: unknown) => void) => void touchListeners.push(listener),
  });
  return {
    sandbox,
    texts,
    touch(x, y) {
      const touch = { identifier: 0, clientX: x, clientY: y, pageX: x, pageY: y, force: 1 };
      for (const listener of touchListeners) listener({ touches: [touch], changedTouches: [touch], timeStamp: Date.now() });
    },
  };
}

interface GameHandle {
  state: {
    phase: string;
    status: string;
    accountId: number | null;
    nickName: string;
    level: number | null;
    onlineSeconds: number | null;
    score: number;
    submittedScore: number | null;
  };
  idle(): Promise<void>;
}

/** The game's state, crossed out of the sandbox's realm through JSON. */
const stateOf = (game: GameHandle) => JSON.parse(JSON.stringify(game.state)) as GameHandle['state'];

describe("the sample game's logic in the sandbox", () => {
  it('logs in silently, shows the player and level, sends a heartbeat, syncs the profile and submits a score', async () => {
    const screen = screenFor('game-ada', { 'game-logic.js': GAME_LOGIC });
    const { startGame } = screen.sandbox.require('game-logic.js') as {
      startGame(options: { wx: unknown; canvas: unknown; serverUrl: string }): GameHandle;
    };
    const wx = screen.sandbox.global.wx as { createCanvas(): unknown };
    const game = startGame({ wx, canvas: wx.createCanvas(), serverUrl: stack.trpcUrl });
    expect(screen.texts).toContain('minigate');
    await game.idle();

    let state = stateOf(game);
    expect(state).toMatchObject({ phase: 'ready', level: 1, nickName: '', score: 0 });
    expect(state.status).toBe(`Welcome! New account #${state.accountId}`);
    expect(screen.texts).toContain(`Player #${state.accountId}`);
    expect(screen.texts).toContain('Lv. 1   online 0 s');
    const requests = () => screen.sandbox.requests.map((request) => request.url.split('?')[0]!.split('/trpc/')[1]);
    expect(requests()).toEqual(['auth.login', 'account.me']);

    // The heartbeat button: a protected mutation.
    screen.touch(...AT.heartbeat);
    await game.idle();
    state = stateOf(game);
    expect(state.onlineSeconds).toEqual(expect.any(Number));
    expect(state.status).toBe(`Heartbeat: ${state.onlineSeconds} s online`);
    expect(requests()).toContain('account.heartbeat');

    // The player taps WeChat's user info button.
    await screen.sandbox.tapUserInfoButton();
    await game.idle();
    state = stateOf(game);
    expect(state).toMatchObject({ nickName: 'game-ada', status: 'Profile synced: game-ada' });
    expect(screen.texts).toContain('game-ada');
    expect(requests()).toContain('account.syncWeChatUserInfo');
    expect(requests()).not.toContain('account.updateProfile');

    // Three taps on the circle, then the friend ranking.
    for (let i = 0; i < 3; i++) screen.touch(...AT.circle);
    expect(stateOf(game).score).toBe(3);
    screen.touch(...AT.submitScore);
    await game.idle();
    state = stateOf(game);
    expect(state).toMatchObject({ submittedScore: 3, status: "Score 3 is on your friends' ranking" });
    expect(requests()).toContain('ranking.submitScore');
    // Every call went out with a token (the client logged in once, at the start).
    expect(requests().filter((path) => path === 'auth.login')).toHaveLength(1);
  });

  it('shows a player who refuses to share the profile what happened', async () => {
    const screen = screenFor('game-bo', { 'game-logic.js': GAME_LOGIC });
    const { startGame } = screen.sandbox.require('game-logic.js') as { startGame(options: unknown): GameHandle };
    const wx = screen.sandbox.global.wx as { createCanvas(): unknown };
    const game = startGame({ wx, canvas: wx.createCanvas(), serverUrl: stack.trpcUrl });
    await game.idle();
    screen.sandbox.setUserInfoBehaviour({ kind: 'deny', errMsg: 'auth deny' });
    await screen.sandbox.tapUserInfoButton();
    await game.idle();
    expect(stateOf(game)).toMatchObject({ phase: 'ready', nickName: '', status: 'The WeChat profile was not shared' });
  });

  it('when WeChat rotated the session_key behind the server, asks for one more tap, which syncs', async () => {
    const screen = screenFor('game-eve', { 'game-logic.js': GAME_LOGIC });
    const { startGame } = screen.sandbox.require('game-logic.js') as { startGame(options: unknown): GameHandle };
    const wx = screen.sandbox.global.wx as { createCanvas(): unknown };
    const game = startGame({ wx, canvas: wx.createCanvas(), serverUrl: stack.trpcUrl });
    await game.idle();
    stack.simulator.rotateSessionKey(TEST_APPID, 'game-eve');
    // The user info is encrypted with a key the server has not seen: SESSION_KEY_STALE. The client
    // logs in again and retries, but that login rotated the key once more (WeChat may, the
    // simulator does): the game asks for another tap, whose data the server can read.
    await screen.sandbox.tapUserInfoButton();
    await game.idle();
    expect(stateOf(game)).toMatchObject({ nickName: '', status: 'WeChat renewed the session: tap "Sync WeChat profile" again' });
    await screen.sandbox.tapUserInfoButton();
    await game.idle();
    expect(stateOf(game)).toMatchObject({ nickName: 'game-eve', status: 'Profile synced: game-eve' });
  });

  it('says the server cannot be reached (UNREACHABLE) and goes offline; a tap tries again', async () => {
    const screen = screenFor('game-cy', { 'game-logic.js': GAME_LOGIC });
    const { startGame } = screen.sandbox.require('game-logic.js') as { startGame(options: unknown): GameHandle };
    const wx = screen.sandbox.global.wx as { createCanvas(): unknown };
    const game = startGame({ wx, canvas: wx.createCanvas(), serverUrl: 'http://127.0.0.1:1/trpc' });
    await game.idle();
    expect(stateOf(game)).toMatchObject({ phase: 'offline', status: 'Cannot reach the server (UNREACHABLE): tap to retry' });
    const before = screen.sandbox.requests.length;
    screen.touch(10, 10);
    await game.idle();
    expect(screen.sandbox.requests.length).toBeGreaterThan(before);
    expect(stateOf(game).phase).toBe('offline');
  });
});

describe("the sample game's game.js in the sandbox", () => {
  it('is ES2017 and bundles the client', () => {
    const source = readFileSync(join(work, 'game.js'), 'utf8');
    expect(syntaxBeyondEs2017(source, 'game.js')).toEqual([]);
    expect(source).toContain(JSON.stringify(stack.trpcUrl));
    expect(source).not.toMatch(/\brequire\s*\(/);
    expect(JSON.parse(readFileSync(join(work, 'game.json'), 'utf8'))).toMatchObject({ deviceOrientation: 'portrait' });
  });

  it('runs as WeChat runs it: draws the start screen and logs in, leaving one global (minigame)', async () => {
    const screen = screenFor('game-dee', {});
    const globalsBefore = Object.getOwnPropertyNames(screen.sandbox.global);
    screen.sandbox.run(readFileSync(join(work, 'game.js'), 'utf8'), 'game.js');
    const game = screen.sandbox.global.minigame as GameHandle;
    await game.idle();
    expect(stateOf(game)).toMatchObject({ phase: 'ready', level: 1 });
    expect(Object.getOwnPropertyNames(screen.sandbox.global).filter((name) => !globalsBefore.includes(name))).toEqual(['minigame']);
    screen.touch(...AT.heartbeat);
    await game.idle();
    expect(stateOf(game).status).toMatch(/^Heartbeat: \d+ s online$/);
    expect(screen.sandbox.requests.every((request) => request.header['x-minigate-client'])).toBe(true);
  });
});
