import { resolve } from 'node:path';
import { createMinigameSandbox, type MinigameSandbox } from '@minigate/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_APPID, type TestStack } from './support/stack.js';

// The built game file in the sandbox, against the real server: a profile
// sync through the user info button, with a session key that went stale
// on the way (the game called wx.login itself, and the server never saw
// that code): the client logs in again by itself and retries once.
const GAME_FILE = resolve(import.meta.dirname, '../packages/client/dist/minigate.js');

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  // As WeChat within its minimum refresh period: a new login hands back the player's current key.
  stack.simulator.setSessionKeyRotation('on-demand');
});
afterAll(() => stack.close());

function sandboxFor(player: string): MinigameSandbox {
  return createMinigameSandbox({ simulatorUrl: stack.simulator.url, appid: TEST_APPID, player, files: { 'minigate.js': GAME_FILE } });
}

const callsTo = (sandbox: MinigameSandbox, path: string) =>
  sandbox.requests.filter((request) => request.url.split('?')[0]!.split('/').pop()!.split(',').includes(path)).length;

/** The game: log in, show a user info button, and sync whatever a tap hands it. */
const GAME = (url: string) => `
  const { createClient } = require('./minigate.js');
  const client = createClient({ url: '${url}', wx });
  GameGlobal.synced = new Promise((resolve) => {
    client.login().then(() => {
      GameGlobal.loggedIn = true;
      const button = wx.createUserInfoButton({ type: 'text', text: 'Use my WeChat profile', withCredentials: true });
      button.onTap((res) => {
        client.api.account.syncWeChatUserInfo
          .mutate({ encryptedData: res.encryptedData, iv: res.iv, rawData: res.rawData, signature: res.signature })
          .then((me) => resolve({ ok: true, me }), (error) => resolve({ ok: false, reason: error.data && error.data.reason }));
      });
    }, (error) => resolve({ ok: false, reason: 'login failed: ' + error.message }));
  });
`;

async function waitFor(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a profile sync from the game', () => {
  it('stores the WeChat profile the user info button gave', async () => {
    const sandbox = sandboxFor('button-amy');
    stack.simulator.setUserProfile(TEST_APPID, 'button-amy', { nickName: 'Amy', city: 'Hangzhou', gender: 2 });
    sandbox.run(GAME(stack.trpcUrl));
    await waitFor(() => sandbox.global.loggedIn === true);
    await sandbox.tapUserInfoButton();
    const result = (await sandbox.global.synced) as any;
    expect(result).toMatchObject({ ok: true, me: { nickName: 'Amy', profile: { city: 'Hangzhou', gender: 2 } } });
    expect(callsTo(sandbox, 'auth.login')).toBe(1);
  });

  it('recovers from a stale session key by itself: SESSION_KEY_STALE, a new wx.login, the same call retried once, the profile stored', async () => {
    const sandbox = sandboxFor('button-ben');
    stack.simulator.setUserProfile(TEST_APPID, 'button-ben', { nickName: 'Ben 🎮', province: 'Sichuan' });
    sandbox.run(GAME(stack.trpcUrl));
    await waitFor(() => sandbox.global.loggedIn === true);
    // The game called wx.login on its own and WeChat refreshed the key: the server still holds the old one.
    stack.simulator.rotateSessionKey(TEST_APPID, 'button-ben');
    await sandbox.tapUserInfoButton();
    const result = (await sandbox.global.synced) as any;
    expect(result).toMatchObject({ ok: true, me: { nickName: 'Ben 🎮', profile: { province: 'Sichuan' } } });
    expect(callsTo(sandbox, 'account.syncWeChatUserInfo')).toBe(2);
    expect(callsTo(sandbox, 'auth.login')).toBe(2);
  });
});
