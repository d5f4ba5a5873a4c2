import { join, resolve } from 'node:path';
import { createMinigameSandbox, type MinigameSandbox } from '@minigate/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaymentsStack, type PaymentsStack } from './support/payments-stack.js';
import { TEST_APPID } from './support/stack.js';

// The sample game's buy button (apps/minigame: 60 gems, the product gem60)
// in the mini-game sandbox against a server whose game sells it: its logic
// module (apps/minigame/dev/dist/game-logic.js, written by `pnpm build`),
// the canvas stubbed, taps through wx.onTouchStart.
const GAME_LOGIC = join(resolve(import.meta.dirname, '..'), 'apps/minigame/dev/dist/game-logic.js');
const SCREEN = { windowWidth: 375, windowHeight: 667, pixelRatio: 2 };
/** The buy button on a 375 × 667 screen: between the circle and the heartbeat button (apps/minigame/src/screen.ts). */
const BUY: [number, number] = [187, 392];

let stack: PaymentsStack;
beforeAll(async () => {
  stack = await startPaymentsStack();
});
afterAll(() => stack.close());

interface GameHandle {
  state: { phase: string; status: string; gems: number | null; buying: boolean };
  idle(): Promise<void>;
}

/** The game started in a sandbox whose wx has a canvas (recording fillText) and touches. */
async function startGame(player: string, runtime: 'wx' | 'tt' = 'wx') {
  const sandbox: MinigameSandbox = createMinigameSandbox({
    simulatorUrl: stack.simulator.url,
    appid: TEST_APPID,
    player,
    runtime,
    files: { 'game-logic.js': GAME_LOGIC },
  });
  const texts: string[] = [];
  const touchListeners: Array<(event: unknown) => void> = [];
  const context = new Proxy({} as Record<string, unknown>, {
    get: (target, name) => (name === 'fillText' ? (text: string) => texts.push(text) : name in target ? target[name as string] : () => undefined),
    set: (target, name, value) => ((target[name as string] = value), true),
  });
  const runtimeGlobal = sandbox.runtime;
  Object.assign(runtimeGlobal, {
    createCanvas: () => ({ width: 375, height: 667, getContext: () => context }),
    getWindowInfo: () => ({ ...SCREEN }),
    getSystemInfoSync: () => ({ ...SCREEN, platform: 'devtools' }),
    onTouchStart: (listener: (event: unknown) => void) => void touchListeners.push(listener),
  });
  const { startGame: start } = sandbox.require('game-logic.js') as { startGame(options: unknown): GameHandle };
  const game = start({ wx: runtimeGlobal, canvas: (runtimeGlobal.createCanvas as () => unknown)(), serverUrl: stack.trpcUrl });
  await game.idle();
  const touch = async ([x, y]: [number, number]) => {
    const point = { identifier: 0, clientX: x, clientY: y, pageX: x, pageY: y, force: 1 };
    for (const listener of touchListeners) listener({ touches: [point], changedTouches: [point], timeStamp: Date.now() });
    await game.idle();
  };
  const state = () => JSON.parse(JSON.stringify(game.state)) as GameHandle['state'];
  return { sandbox, texts, touch, state };
}

describe("the sample game's buy button", () => {
  it('buys 60 gems: WeChat’s payment, the delivery the server confirms, then the wallet’s gems on the button', async () => {
    const game = await startGame('shop-ada');
    expect(game.texts).toContain('Buy 60 gems');
    await game.touch(BUY);
    const state = game.state();
    expect(state).toMatchObject({ phase: 'ready', gems: 60, buying: false });
    expect(state.status).toMatch(/^Order [0-9A-Za-z_-]+ delivered: \+60 gems$/);
    expect(game.texts).toContain('Buy 60 gems (you have 60)');
    expect(game.sandbox.payments.map((payment) => payment.errCode)).toEqual([0]);
    const paths = game.sandbox.requests.map((request) => request.url.split('?')[0]!.split('/trpc/')[1]);
    expect(paths).toContain('payments.createItemOrder');
    expect(paths).toContain('wallet.get');
  });

  it('says so when the player cancels, and nothing was charged', async () => {
    const game = await startGame('shop-bo');
    game.sandbox.setPaymentBehaviour({ kind: 'cancel' });
    await game.touch(BUY);
    expect(game.state()).toMatchObject({ phase: 'ready', gems: null, buying: false, status: 'Purchase cancelled: nothing was charged' });
  });

  it('says why WeChat failed the payment', async () => {
    const game = await startGame('shop-cy');
    game.sandbox.setPaymentBehaviour({ kind: 'fail', errCode: -15009, errMsg: 'limit' });
    await game.touch(BUY);
    expect(game.state().status).toBe('The payment failed: requestMidasPaymentGameItem:fail limit (errCode -15009)');
  });

  it('on Douyin, shows the button off (WeChat only) and a tap on it does nothing', async () => {
    const game = await startGame('shop-dee', 'tt');
    expect(game.texts).toContain('Buying: WeChat only');
    const before = game.sandbox.requests.length;
    await game.touch(BUY);
    expect(game.sandbox.requests.length).toBe(before);
    expect(game.state().gems).toBeNull();
  });
});
