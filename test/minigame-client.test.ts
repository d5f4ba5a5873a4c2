import { createServer } from 'node:http';
import { resolve } from 'node:path';
import jwt from 'jsonwebtoken';
import { createMinigameSandbox, type MinigameSandbox } from '@minigate/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, TEST_APPID, TEST_JWT_SECRET, type TestStack } from './support/stack.js';

const GAME_FILE = resolve(import.meta.dirname, '../packages/client/dist/minigate.js');

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

function sandboxFor(player: string, storage?: Map<string, unknown>): MinigameSandbox {
  return createMinigameSandbox({
    simulatorUrl: stack.simulator.url,
    appid: TEST_APPID,
    player,
    files: { 'minigate.js': GAME_FILE },
    ...(storage ? { storage } : {}),
  });
}

/** Runs game code (an async function body) in the sandbox and waits for what it returns. */
async function playGame(sandbox: MinigameSandbox, body: string): Promise<any> {
  const outcome = sandbox.run(`(async () => { ${body} })()`) as Promise<unknown>;
  // Values cross the realm boundary through JSON, as a game would send them.
  const value = await outcome;
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

describe('the built minigate.js in the mini-game sandbox', () => {
  it('runs where there is no fetch, AbortController, URL, TextEncoder, FormData or Blob', async () => {
    const sandbox = sandboxFor('ivy');
    const missing = await playGame(
      sandbox,
      `return ['fetch', 'AbortController', 'URL', 'TextEncoder', 'TextDecoder', 'FormData', 'Blob', 'XMLHttpRequest', 'window', 'document', 'process', 'Buffer']
         .filter((name) => typeof GameGlobal[name] !== 'undefined');`,
    );
    expect(missing).toEqual([]);
    expect(typeof sandbox.require('minigate.js')).toBe('object');
    expect(await playGame(sandbox, `return typeof require('./minigate.js').createClient;`)).toBe('function');
    // Loading the game file added no globals of its own.
    const fresh = sandboxFor('ivy');
    const globalsBefore = await playGame(fresh, `return Object.getOwnPropertyNames(GameGlobal).sort();`);
    const globalsAfter = await playGame(fresh, `require('./minigate.js'); return Object.getOwnPropertyNames(GameGlobal).sort();`);
    expect(globalsAfter).toEqual(globalsBefore);
  });

  it('logs in with wx.login, keeps the token in wx storage, and gets its account from account.me', async () => {
    const sandbox = sandboxFor('jack');
    const result = await playGame(
      sandbox,
      `const { createClient } = require('./minigate.js');
       const { api, login, isLoggedIn } = createClient({ url: '${stack.trpcUrl}', wx });
       const before = isLoggedIn();
       const answer = await login();
       const me = await api.account.me.query();
       return { before, after: isLoggedIn(), answer, me };`,
    );
    expect(result.before).toBe(false);
    expect(result.after).toBe(true);
    expect(result.answer.account).toMatchObject({ isNew: true, nickName: '' });
    expect(result.me).toMatchObject({ id: result.answer.account.id, profile: { level: 1 } });
    const stored = JSON.parse(sandbox.storage.get('minigate.session') as string);
    expect(stored).toEqual({
      accessToken: result.answer.accessToken,
      expiresAtOnDevice: expect.any(Number),
      refreshToken: result.answer.refreshToken,
    });
    expect(Math.abs(stored.expiresAtOnDevice - (Date.now() + result.answer.expiresIn * 1000))).toBeLessThan(60_000);
    expect(stored.accessToken.split('.')).toHaveLength(3);
    expect(sandbox.requests.map((request) => `${request.method} ${request.url.split('?')[0]}`)).toEqual([
      `POST ${stack.trpcUrl}/auth.login`,
      `GET ${stack.trpcUrl}/account.me`,
    ]);
    expect(sandbox.requests[1]!.header.authorization).toBe(`Bearer ${result.answer.accessToken}`);
  });

  it('keeps the session across a relaunch, and forgets it on logout', async () => {
    const firstLaunch = sandboxFor('kate');
    const { id } = await playGame(
      firstLaunch,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx }); return (await c.login()).account;`,
    );
    const relaunch = sandboxFor('kate', firstLaunch.storage);
    const result = await playGame(
      relaunch,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       const me = await c.api.account.me.query();
       await c.logout();
       let afterLogout;
       try { await c.api.account.me.query(); } catch (error) { afterLogout = { name: error.name, reason: error.data.reason, status: error.data.httpStatus }; }
       return { me, afterLogout, loggedIn: c.isLoggedIn() };`,
    );
    expect(result.me.id).toBe(id);
    expect(result.afterLogout).toEqual({ name: 'TRPCClientError', reason: 'TOKEN_MISSING', status: 401 });
    expect(result.loggedIn).toBe(false);
    expect(relaunch.storage.has('minigate.session')).toBe(false);
  });

  it('shares one login among concurrent login() calls and batches concurrent queries into one request', async () => {
    const sandbox = sandboxFor('liam');
    const result = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       const [a, b] = await Promise.all([c.login(), c.login()]);
       const mes = await Promise.all([c.api.account.me.query(), c.api.account.me.query(), c.api.account.me.query()]);
       return { same: a.accessToken === b.accessToken, ids: mes.map((me) => me.id) };`,
    );
    expect(result.same).toBe(true);
    expect(new Set(result.ids).size).toBe(1);
    expect(sandbox.requests.filter((request) => request.url.includes('auth.login'))).toHaveLength(1);
    expect(sandbox.requests.filter((request) => request.url.includes('account.me'))).toHaveLength(1);
  });

  it.each([
    [
      'an expired token',
      () => jwt.sign({ sub: '1', iss: 'minigate', aud: stack.config.jwt.audience, exp: Math.floor(Date.now() / 1000) - 5 }, TEST_JWT_SECRET),
    ],
    ['an invalid token', () => 'garbage.token.here'],
  ])('logs in again by itself, once, when a call meets %s, and retries the call', async (_, token) => {
    const sandbox = sandboxFor('pia');
    const { id } = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx }); return (await c.login()).account;`,
    );
    sandbox.storage.set('minigate.session', JSON.stringify({ accessToken: token(), expiresAtOnDevice: Date.now() + 60_000 }));
    const result = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       const mes = await Promise.all([c.api.account.me.query(), c.api.account.me.query()]);
       return mes.map((me) => me.id);`,
    );
    expect(result).toEqual([id, id]);
    expect(sandbox.requests.filter((request) => request.url.includes('auth.login'))).toHaveLength(2);
    expect(JSON.parse(sandbox.storage.get('minigate.session') as string).accessToken).not.toBe(token());
  });

  it('renews once for calls in separate batches that met the same stale token, even when one is answered after the renewal', async () => {
    // A proxy that holds back the answer to the second account.me request,
    // so that its UNAUTHORIZED arrives after the first call's renewal is done.
    let meRequests = 0;
    const proxy = createServer(async (req, res) => {
      const body = await new Promise<string>((done) => {
        let text = '';
        req.on('data', (chunk) => (text += chunk)).on('end', () => done(text));
      });
      const isMe = (req.url ?? '').includes('account.me');
      const order = isMe ? ++meRequests : 0;
      const answer = await fetch(`${stack.baseUrl}${req.url}`, {
        method: req.method,
        headers: Object.fromEntries(Object.entries(req.headers).filter(([name]) => ['authorization', 'content-type'].includes(name))) as Record<
          string,
          string
        >,
        ...(req.method === 'POST' ? { body } : {}),
      });
      const text = await answer.text();
      setTimeout(() => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(text), order === 2 ? 400 : 0);
    });
    await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(proxy.address() as { port: number }).port}/trpc`;
    try {
      const sandbox = sandboxFor('rex');
      const { id } = await playGame(
        sandbox,
        `const c = require('./minigate.js').createClient({ url: '${url}', wx }); return (await c.login()).account;`,
      );
      sandbox.storage.set('minigate.session', JSON.stringify({ accessToken: 'stale.token.value', expiresAtOnDevice: Date.now() + 60_000 }));
      const ids = await playGame(
        sandbox,
        `const c = require('./minigate.js').createClient({ url: '${url}', wx });
         const first = c.api.account.me.query();
         await new Promise((next) => setTimeout(next, 5));
         const second = c.api.account.me.query();
         return (await Promise.all([first, second])).map((me) => me.id);`,
      );
      expect(ids).toEqual([id, id]);
      expect(sandbox.requests.filter((request) => request.url.includes('auth.login'))).toHaveLength(2);
    } finally {
      proxy.close();
    }
  });

  it('when wx.login fails during a renewal, fails the call with its own reason and forgets the session', async () => {
    const sandbox = sandboxFor('sue');
    await playGame(sandbox, `await require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx }).login();`);
    sandbox.storage.set('minigate.session', JSON.stringify({ accessToken: 'stale.token.value', expiresAtOnDevice: Date.now() + 60_000 }));
    sandbox.setLoginBehaviour({ kind: 'fail', errMsg: 'network down' });
    const result = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       try { await c.api.account.me.query(); return 'answered'; }
       catch (error) { return { reason: error.data.reason, loggedIn: c.isLoggedIn() }; }`,
    );
    expect(result).toEqual({ reason: 'TOKEN_INVALID', loggedIn: false });
    expect(sandbox.storage.has('minigate.session')).toBe(false);
  });

  it('gives up on a wx.login that never answers, without blocking the next login', async () => {
    const sandbox = sandboxFor('ted');
    sandbox.setLoginBehaviour({ kind: 'hang' });
    const result = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx, timeoutMs: 300 });
       let first;
       try { await c.login(); } catch (error) { first = error.message; }
       GameGlobal.client = c;
       return first;`,
    );
    expect(result).toBe('wx.login failed: no answer within 300 ms');
    sandbox.setLoginBehaviour({ kind: 'answer' });
    expect(await playGame(sandbox, `return (await GameGlobal.client.login()).account.isNew;`)).toBe(true);
  });

  it('does not save the session of a login that finishes after logout()', async () => {
    const sandbox = sandboxFor('uli');
    await playGame(sandbox, `await require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx }).login();`);
    sandbox.storage.set('minigate.session', JSON.stringify({ accessToken: 'stale.token.value', expiresAtOnDevice: Date.now() + 60_000 }));
    sandbox.setLoginBehaviour({ kind: 'delay', ms: 200 });
    const result = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       const call = c.api.account.me.query().then(() => 'answered', (error) => error.data.reason);
       await new Promise((next) => setTimeout(next, 50));
       await c.logout();
       return { call: await call, loggedIn: c.isLoggedIn() };`,
    );
    expect(result).toEqual({ call: 'TOKEN_MISSING', loggedIn: false });
    expect(sandbox.storage.has('minigate.session')).toBe(false);
  });

  it.each([
    ['by default, 8', 20, '', 8],
    ['with maxRequestsInFlight 10, 10', 30, ', maxRequestsInFlight: 10', 10],
    ['with maxRequestsInFlight 50 (clamped), 10', 30, ', maxRequestsInFlight: 50', 10],
  ])('keeps at most %s wx.requests in flight, however fast the game calls', async (_, count, option, expected) => {
    let inFlight = 0;
    let most = 0;
    const slowServer = createServer((req, res) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      const calls = (req.url ?? '').split('?')[0]!.split('/').pop()!.split(',').length;
      setTimeout(() => {
        inFlight -= 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(Array(calls).fill({ result: { data: 'ok' } })));
      }, 300);
    });
    await new Promise<void>((done) => slowServer.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(slowServer.address() as { port: number }).port}/trpc`;
    try {
      const answers = await playGame(
        sandboxFor('quin'),
        // autoLogin off: this server answers 'ok' to everything, a login included.
        `const c = require('./minigate.js').createClient({ url: '${url}', wx, autoLogin: false${option} });
         const calls = [];
         for (let i = 0; i < ${count}; i++) {
           calls.push(c.api.account.me.query());
           await new Promise((next) => setTimeout(next, 3));
         }
         return Promise.all(calls);`,
      );
      expect(answers).toEqual(Array(count).fill('ok'));
      expect(most).toBe(expected);
    } finally {
      slowServer.close();
    }
  });

  it('turns a typed server error into a TRPCClientError with the reason', async () => {
    stack.simulator.injectFault({ kind: 'errcode', errcode: 40226 });
    const result = await playGame(
      sandboxFor('mia'),
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       try { await c.login(); return 'logged in'; } catch (error) { return { name: error.name, code: error.data.code, reason: error.data.reason }; }`,
    );
    expect(result).toEqual({ name: 'TRPCClientError', code: 'FORBIDDEN', reason: 'WECHAT_USER_BLOCKED' });
  });

  it('turns an HTML error page and an unreachable server into clear errors', async () => {
    const htmlPage = createServer((_, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>502 Bad Gateway</html>'));
    await new Promise<void>((done) => htmlPage.listen(0, '127.0.0.1', done));
    const port = (htmlPage.address() as { port: number }).port;
    try {
      const result = await playGame(
        sandboxFor('noah'),
        `const errorOf = async (url) => { try { await require('./minigate.js').createClient({ url, wx }).api.account.me.query(); } catch (error) { return error.name + ': ' + error.message; } };
         return [await errorOf('http://127.0.0.1:${port}/trpc'), await errorOf('http://127.0.0.1:1/trpc')];`,
      );
      expect(result[0]).toMatch(/^TRPCClientError: The server answered HTTP 502 with a body that is not minigate's/);
      expect(result[1]).toMatch(/^TRPCClientError: request:fail/);
    } finally {
      htmlPage.close();
    }
  });

  it('gets the same answers as a game speaking plain HTTP (JSON over fetch, as Unity would)', async () => {
    const sandboxed = await playGame(
      sandboxFor('olga'),
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       const answer = await c.login();
       return { account: answer.account, me: await c.api.account.me.query() };`,
    );
    const login = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor('olga') });
    expect(login.status).toBe(200);
    const plain = login.body.result.data;
    expect(plain.account).toEqual({ ...sandboxed.account, isNew: false });
    const me = await callProcedure(stack, 'query', 'account.me', undefined, { authorization: `Bearer ${plain.accessToken}` });
    expect({ ...me.body.result.data, profile: { ...me.body.result.data.profile, lastLoginAt: 0 } }).toEqual({
      ...sandboxed.me,
      profile: { ...sandboxed.me.profile, lastLoginAt: 0 },
    });
  });
});
