import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createMinigameSandbox, type MinigameSandbox } from '@minigate/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_APPID, type TestStack } from './support/stack.js';

// The built game file's transport on wx.request, in the sandbox that has only
// the mini-game's globals: what is batched and what travels alone, the limits
// it keeps, and the distinct errors a game can branch on when no answer comes.
const GAME_FILE = resolve(import.meta.dirname, '../packages/client/dist/minigate.js');
const VERSION = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../packages/client/package.json'), 'utf8')) as { version: string }).version;

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

/** The procedures one recorded request carried. */
const pathsOf = (url: string) => url.split('?')[0]!.split('/trpc/')[1]!.split(',');

/** An HTTP server of the test's own on a free port; `url` is its /trpc. */
async function fakeServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close(): void }> {
  const server = createServer(handler);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/trpc`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Game code that makes one call and reports how it failed: the error, its cause, and how long it took. */
const failureOf = (call: string) => `
  const { TRPCClientError, MinigateNetworkError, networkErrorOf } = require('./minigate.js');
  const started = Date.now();
  try { await ${call}; return 'answered'; }
  catch (error) {
    return {
      isTRPCClientError: error instanceof TRPCClientError,
      causeIsNetworkError: error.cause instanceof MinigateNetworkError,
      kind: error.cause && error.cause.kind,
      helperKind: networkErrorOf(error) && networkErrorOf(error).kind,
      status: error.cause && error.cause.status,
      message: error.message,
      reason: error.data && error.data.reason,
      ms: Date.now() - started,
    };
  }`;

describe('what the client batches', () => {
  it('sends a login and a refresh alone, never batched with other calls, and batches the rest', async () => {
    const sandbox = sandboxFor('batch-amy');
    const outcome = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       const { refreshToken } = await c.login();
       const code = await new Promise((ok) => wx.login({ success: (r) => ok(r.code) }));
       // All in the same tick: the two session calls must each travel alone.
       const answers = await Promise.all([
         c.api.account.heartbeat.mutate(),
         c.api.auth.refresh.mutate({ refreshToken }),
         c.api.account.updateProfile.mutate({ nickName: 'Amy' }),
         c.api.auth.wechatLogin.mutate({ code }),
         c.api.account.me.query(),
         c.api.account.me.query(),
       ]);
       return answers.map((answer) => typeof answer);`,
    );
    expect(outcome).toEqual(Array(6).fill('object'));
    const requests = sandbox.requests.map((request) => `${request.method} ${pathsOf(request.url).join(',')}`);
    expect(requests).toContain('POST auth.refresh');
    expect(requests.filter((request) => request === 'POST auth.login')).toHaveLength(1);
    expect(requests.filter((request) => request === 'POST auth.wechatLogin')).toHaveLength(1);
    expect(requests).toContain('POST account.heartbeat,account.updateProfile');
    expect(requests).toContain('GET account.me,account.me');
    for (const request of sandbox.requests) {
      const paths = pathsOf(request.url);
      if (paths.some((path) => ['auth.login', 'auth.wechatLogin', 'auth.refresh'].includes(path))) expect(paths).toHaveLength(1);
    }
  });

  it('keeps a batch at or under the server MAX_BATCH_SIZE (50) whatever maxBatchSize says', async () => {
    const sandbox = sandboxFor('batch-bea');
    const ids = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx, maxBatchSize: 500 });
       await c.login();
       return (await Promise.all(Array.from({ length: 120 }, () => c.api.account.me.query()))).map((me) => me.id);`,
    );
    expect(new Set(ids).size).toBe(1);
    const batches = sandbox.requests.filter((request) => request.url.includes('account.me')).map((request) => pathsOf(request.url).length);
    expect(batches.reduce((sum, size) => sum + size, 0)).toBe(120);
    expect(Math.max(...batches)).toBeLessThanOrEqual(50);
  });

  it('splits a batch of queries whose URL would pass 2000 characters', async () => {
    const seen: number[] = [];
    const server = await fakeServer((req, res) => {
      seen.push((req.url ?? '').length);
      const calls = pathsOf(`/trpc${(req.url ?? '').slice('/trpc'.length)}`).length;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(Array(calls).fill({ result: { data: 'ok' } })));
    });
    try {
      const answers = await playGame(
        sandboxFor('batch-cy'),
        `const c = require('./minigate.js').createClient({ url: '${server.url}', wx, autoLogin: false });
         return Promise.all(Array.from({ length: 12 }, (_, i) => c.api.account.me.query({ pad: 'x'.repeat(300) + i })));`,
      );
      expect(answers).toEqual(Array(12).fill('ok'));
      expect(seen.length).toBeGreaterThan(1);
      expect(Math.max(...seen)).toBeLessThanOrEqual(2000);
    } finally {
      server.close();
    }
  });

  it('sends x-minigate-client: <version> with every request', async () => {
    const sandbox = sandboxFor('batch-dot');
    await playGame(sandbox, `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx }); await c.api.account.me.query();`);
    expect(sandbox.requests.length).toBeGreaterThanOrEqual(2);
    for (const request of sandbox.requests) expect(request.header['x-minigate-client']).toBe(VERSION);
  });
});

describe('transport failures, each of its own kind', () => {
  it('UNREACHABLE: the server is down, and the call fails at once, well within the timeout', async () => {
    const server = await fakeServer(() => undefined);
    server.close();
    const outcome = await playGame(
      sandboxFor('down-eve'),
      failureOf(`require('./minigate.js').createClient({ url: '${server.url}', wx, timeoutMs: 5000 }).api.account.me.query()`),
    );
    expect(outcome).toMatchObject({ isTRPCClientError: true, causeIsNetworkError: true, kind: 'UNREACHABLE', helperKind: 'UNREACHABLE' });
    expect(outcome.message).toMatch(/^request:fail/);
    expect(outcome.ms).toBeLessThan(5000);
  });

  it('UNREACHABLE during the automatic login too', async () => {
    const outcome = await playGame(
      sandboxFor('down-fay'),
      failureOf(`require('./minigate.js').createClient({ url: 'http://127.0.0.1:1/trpc', wx, timeoutMs: 5000 }).api.account.heartbeat.mutate()`),
    );
    expect(outcome).toMatchObject({ isTRPCClientError: true, kind: 'UNREACHABLE' });
  });

  it('TIMEOUT: a server that never answers, within timeoutMs', async () => {
    const server = await fakeServer(() => undefined);
    try {
      const outcome = await playGame(
        sandboxFor('slow-gus'),
        failureOf(`require('./minigate.js').createClient({ url: '${server.url}', wx, timeoutMs: 400, autoLogin: false }).api.account.me.query()`),
      );
      expect(outcome).toMatchObject({ isTRPCClientError: true, causeIsNetworkError: true, kind: 'TIMEOUT' });
      expect(outcome.ms).toBeGreaterThanOrEqual(350);
      expect(outcome.ms).toBeLessThan(5000);
    } finally {
      server.close();
    }
  });

  it('TIMEOUT: a wx.request that never calls back (its own timer), and the request is aborted', async () => {
    const outcome = await playGame(
      sandboxFor('slow-hal'),
      `GameGlobal.aborted = 0;
       wx.request = () => ({ abort() { GameGlobal.aborted += 1; } });
       const result = await (async () => { ${failureOf(`require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx, timeoutMs: 300, autoLogin: false }).api.account.me.query()`)} })();
       return { ...result, aborted: GameGlobal.aborted };`,
    );
    expect(outcome).toMatchObject({ kind: 'TIMEOUT', aborted: 1 });
    expect(outcome.ms).toBeLessThan(5000);
  });

  it.each([
    ['INTERRUPTED', 'request:fail interrupted'],
    ['ABORTED', 'request:fail abort'],
    ['TIMEOUT', 'request:fail timeout'],
    ['UNREACHABLE', 'request:fail errcode:-102 cronet_error_code:-102 error_msg:net::ERR_CONNECTION_REFUSED'],
  ])('%s: wx.request fails with "%s"', async (kind, errMsg) => {
    const outcome = await playGame(
      sandboxFor('fail-ida'),
      `wx.request = (options) => { setTimeout(() => options.fail({ errMsg: ${JSON.stringify(errMsg)} }), 5); return { abort() {} }; };
       ${failureOf(`require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx, autoLogin: false }).api.account.me.query()`)}`,
    );
    expect(outcome).toMatchObject({ isTRPCClientError: true, causeIsNetworkError: true, kind, message: errMsg });
  });

  it('ABORTED: the game aborts a call through its signal, even while it waits for a free slot', async () => {
    const server = await fakeServer((_, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('[{"result":{"data":"late"}}]'), 1000);
    });
    try {
      const outcome = await playGame(
        sandboxFor('abort-jo'),
        `const { createClient, networkErrorOf } = require('./minigate.js');
         const c = createClient({ url: '${server.url}', wx, autoLogin: false, maxRequestsInFlight: 1, maxBatchSize: 1 });
         const signal = () => {
           const listeners = [];
           return { aborted: false, reason: undefined, addEventListener: (type, listener) => listeners.push(listener), removeEventListener() {},
                    abort() { this.aborted = true; listeners.splice(0).forEach((listener) => listener()); } };
         };
         const first = signal();
         const second = signal();
         const calls = [c.api.account.me.query(undefined, { signal: first }), c.api.account.me.query(undefined, { signal: second })]
           .map((call) => call.then(() => 'answered', (error) => networkErrorOf(error) && networkErrorOf(error).kind));
         await new Promise((next) => setTimeout(next, 100));
         first.abort();  // in flight
         second.abort(); // waiting for the one slot
         const started = Date.now();
         return { kinds: await Promise.all(calls), ms: Date.now() - started };`,
      );
      expect(outcome.kinds).toEqual(['ABORTED', 'ABORTED']);
      expect(outcome.ms).toBeLessThan(900);
    } finally {
      server.close();
    }
  });

  it.each([
    ['an HTML page', 'text/html', '<html><body>502 Bad Gateway</body></html>'],
    ['JSON that is not minigate’s', 'application/json', '{"message":"upstream unavailable"}'],
    ['an empty body', 'text/plain', ''],
  ])('BAD_RESPONSE: a proxy answers 502 with %s', async (_, contentType, body) => {
    const server = await fakeServer((__, res) => res.writeHead(502, { 'content-type': contentType }).end(body));
    try {
      const outcome = await playGame(
        sandboxFor('proxy-kim'),
        failureOf(`require('./minigate.js').createClient({ url: '${server.url}', wx, autoLogin: false }).api.account.me.query()`),
      );
      expect(outcome).toMatchObject({ isTRPCClientError: true, causeIsNetworkError: true, kind: 'BAD_RESPONSE', status: 502 });
      expect(outcome.message).toMatch(/^The server answered HTTP 502 with a body that is not minigate's/);
      expect(outcome.reason).toBeUndefined();
    } finally {
      server.close();
    }
  });

  it('a server error is not a network error: it has data.reason and no kind', async () => {
    const outcome = await playGame(
      sandboxFor('reason-lou'),
      failureOf(`require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx, autoLogin: false }).api.account.me.query()`),
    );
    expect(outcome).toMatchObject({ isTRPCClientError: true, causeIsNetworkError: false, helperKind: null, reason: 'TOKEN_MISSING' });
  });
});
