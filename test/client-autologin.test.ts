import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { createMinigameSandbox, type MinigameSandbox } from '@minigate/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_APPID, type TestStack } from './support/stack.js';

// The built game file in the sandbox against the real server: the login it
// makes by itself before the first protected call (autoLogin), and the new
// wx.login it makes when a WeChat procedure answers SESSION_KEY_STALE.
const GAME_FILE = resolve(import.meta.dirname, '../packages/client/dist/minigate.js');

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

function sandboxFor(player: string): MinigameSandbox {
  return createMinigameSandbox({ simulatorUrl: stack.simulator.url, appid: TEST_APPID, player, files: { 'minigate.js': GAME_FILE } });
}

async function playGame(sandbox: MinigameSandbox, body: string): Promise<any> {
  const value = await (sandbox.run(`(async () => { ${body} })()`) as Promise<unknown>);
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

const requestsOf = (sandbox: MinigameSandbox) =>
  sandbox.requests.map((request) => `${request.method} ${request.url.split('?')[0]!.split('/trpc/')[1]}`);
const callsTo = (sandbox: MinigameSandbox, path: string) =>
  sandbox.requests.filter((request) => request.url.split('?')[0]!.split('/').pop()!.split(',').includes(path)).length;

describe('autoLogin', () => {
  it('logs in with wx.login before the first protected call when there is no session', async () => {
    const sandbox = sandboxFor('auto-ada');
    const result = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       const before = c.isLoggedIn();
       const me = await c.api.account.me.query();
       return { before, after: c.isLoggedIn(), me };`,
    );
    expect(result).toMatchObject({ before: false, after: true, me: { id: expect.any(Number), profile: { level: 1 } } });
    expect(requestsOf(sandbox)).toEqual(['POST auth.login', 'GET account.me']);
    expect(JSON.parse(sandbox.storage.get('minigate.session') as string).refreshToken).toEqual(expect.any(String));
  });

  it('makes one login for parallel calls, then sends them batched', async () => {
    const sandbox = sandboxFor('auto-bo');
    const answers = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       const answers = await Promise.all([c.api.account.me.query(), c.api.account.heartbeat.mutate(), c.api.account.me.query(), c.api.account.heartbeat.mutate()]);
       return answers.map((answer) => typeof answer);`,
    );
    expect(answers).toEqual(Array(4).fill('object'));
    expect(requestsOf(sandbox).sort()).toEqual(['GET account.me,account.me', 'POST account.heartbeat,account.heartbeat', 'POST auth.login']);
  });

  it('with autoLogin: false, leaves TOKEN_MISSING to the game, which logs in itself', async () => {
    const sandbox = sandboxFor('auto-cal');
    const result = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx, autoLogin: false });
       let first;
       try { await c.api.account.me.query(); } catch (error) { first = error.data.reason; }
       await c.login();
       return { first, me: typeof (await c.api.account.me.query()).id };`,
    );
    expect(result).toEqual({ first: 'TOKEN_MISSING', me: 'number' });
    expect(callsTo(sandbox, 'auth.login')).toBe(1);
  });

  it('does not log in by itself after logout(), until the game calls login()', async () => {
    const sandbox = sandboxFor('auto-dee');
    const result = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       await c.api.account.me.query();
       await c.logout();
       let afterLogout;
       try { await c.api.account.me.query(); } catch (error) { afterLogout = error.data.reason; }
       await c.login();
       await c.logout();
       await c.login();
       return { afterLogout, again: typeof (await c.api.account.heartbeat.mutate()).onlineSeconds };`,
    );
    expect(result).toEqual({ afterLogout: 'TOKEN_MISSING', again: 'number' });
    expect(callsTo(sandbox, 'auth.login')).toBe(3);
  });

  it('when wx.login fails, fails the call with its message, and tries again on the next call', async () => {
    const sandbox = sandboxFor('auto-eli');
    sandbox.setLoginBehaviour({ kind: 'fail', errMsg: 'network down' });
    const first = await playGame(
      sandbox,
      `GameGlobal.c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       try { await GameGlobal.c.api.account.me.query(); return 'answered'; } catch (error) { return { name: error.name, message: error.message }; }`,
    );
    expect(first).toEqual({ name: 'TRPCClientError', message: 'wx.login failed: login:fail network down' });
    sandbox.setLoginBehaviour({ kind: 'answer' });
    expect(await playGame(sandbox, `return typeof (await GameGlobal.c.api.account.me.query()).id;`)).toBe('number');
  });

  it('stops logging in by itself once WeChat blocks the player (no login per call)', async () => {
    const sandbox = sandboxFor('auto-fin');
    stack.simulator.injectFault({ kind: 'errcode', errcode: 40226 });
    const reasons = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       const reasons = [];
       for (let i = 0; i < 3; i++) {
         try { await c.api.account.me.query(); reasons.push('answered'); } catch (error) { reasons.push(error.data.reason); }
       }
       return reasons;`,
    );
    expect(reasons).toEqual(['WECHAT_USER_BLOCKED', 'TOKEN_MISSING', 'TOKEN_MISSING']);
    expect(callsTo(sandbox, 'auth.login')).toBe(1);
  });
});

describe('SESSION_KEY_STALE', () => {
  /**
   * The real server behind a proxy that answers the next `stale` calls of
   * account.heartbeat with SESSION_KEY_STALE (409 CONFLICT), as a WeChat
   * procedure does when the session_key it holds no longer matches the
   * player's: the client's handling, on a call of our choosing.
   */
  async function staleKeyProxy(stale: number) {
    const state = { stale, answeredStale: 0 };
    const proxy = createServer(async (req, res) => {
      const body = await new Promise<string>((done) => {
        let text = '';
        req.on('data', (chunk) => (text += chunk)).on('end', () => done(text));
      });
      const paths = (req.url ?? '').split('?')[0]!.split('/').pop()!.split(',');
      if (paths.length === 1 && paths[0] === 'account.heartbeat' && state.stale > 0) {
        state.stale -= 1;
        state.answeredStale += 1;
        const error = {
          error: {
            message: 'The session key is stale: log in again',
            code: -32009,
            data: { code: 'CONFLICT', httpStatus: 409, path: 'account.heartbeat', reason: 'SESSION_KEY_STALE' },
          },
        };
        res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify((req.url ?? '').includes('batch=1') ? [error] : error));
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([name]) => ['authorization', 'content-type', 'x-minigate-client'].includes(name)),
      ) as Record<string, string>;
      const answer = await fetch(`${stack.baseUrl}${req.url}`, { method: req.method, headers, ...(req.method === 'POST' ? { body } : {}) });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
    });
    await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
    return { state, url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}/trpc`, close: () => proxy.close() };
  }

  it('from a real WeChat procedure: ranking.submitScore after WeChat rotated the session_key, a new login, then success', async () => {
    const player = 'stale-fay';
    const sandbox = sandboxFor(player);
    await playGame(sandbox, `await require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx }).login();`);
    // WeChat gave the player a new session_key the server has not seen: set_user_storage's signature fails (87009).
    stack.simulator.rotateSessionKey(TEST_APPID, player);
    const answer = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       try { return await c.api.ranking.submitScore.mutate({ key: 'score', score: 42 }); } catch (error) { return { failed: error.data && error.data.reason }; }`,
    );
    expect(answer).not.toHaveProperty('failed');
    expect(callsTo(sandbox, 'ranking.submitScore')).toBe(2);
    expect(callsTo(sandbox, 'auth.login')).toBe(2);
    expect(callsTo(sandbox, 'auth.refresh')).toBe(0);
  });

  it('logs in again with wx.login (not auth.refresh) and retries the call once', async () => {
    const proxy = await staleKeyProxy(1);
    try {
      const sandbox = sandboxFor('stale-gil');
      const result = await playGame(
        sandbox,
        `const c = require('./minigate.js').createClient({ url: '${proxy.url}', wx });
         const first = (await c.login()).accessToken;
         const beat = await c.api.account.heartbeat.mutate();
         return { beat: typeof beat.onlineSeconds, tokenChanged: JSON.parse(wx.getStorageSync('minigate.session')).accessToken !== first };`,
      );
      expect(result).toEqual({ beat: 'number', tokenChanged: true });
      expect(proxy.state.answeredStale).toBe(1);
      expect(callsTo(sandbox, 'auth.login')).toBe(2);
      expect(callsTo(sandbox, 'auth.refresh')).toBe(0);
      expect(callsTo(sandbox, 'account.heartbeat')).toBe(2);
    } finally {
      proxy.close();
    }
  });

  it('retries once only: a second SESSION_KEY_STALE reaches the game', async () => {
    const proxy = await staleKeyProxy(5);
    try {
      const sandbox = sandboxFor('stale-hu');
      const reason = await playGame(
        sandbox,
        `const c = require('./minigate.js').createClient({ url: '${proxy.url}', wx });
         try { await c.api.account.heartbeat.mutate(); return 'answered'; } catch (error) { return error.data.reason; }`,
      );
      expect(reason).toBe('SESSION_KEY_STALE');
      expect(proxy.state.answeredStale).toBe(2);
      // The automatic login, then one more for the stale key.
      expect(callsTo(sandbox, 'auth.login')).toBe(2);
    } finally {
      proxy.close();
    }
  });

  it('shares one new login among parallel calls that met the stale key', async () => {
    const proxy = await staleKeyProxy(3);
    try {
      const sandbox = sandboxFor('stale-ivo');
      const beats = await playGame(
        sandbox,
        `const c = require('./minigate.js').createClient({ url: '${proxy.url}', wx, maxBatchSize: 1 });
         await c.login();
         return (await Promise.all([c.api.account.heartbeat.mutate(), c.api.account.heartbeat.mutate(), c.api.account.heartbeat.mutate()]))
           .map((beat) => typeof beat.onlineSeconds);`,
      );
      expect(beats).toEqual(['number', 'number', 'number']);
      expect(proxy.state.answeredStale).toBe(3);
      expect(callsTo(sandbox, 'auth.login')).toBe(2);
      expect(callsTo(sandbox, 'account.heartbeat')).toBe(6);
    } finally {
      proxy.close();
    }
  });
});
