import { resolve } from 'node:path';
import jwt from 'jsonwebtoken';
import { keyIdOf } from '@minigate/api/testing';
import { createMinigameSandbox, type MinigameSandbox } from '@minigate/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, TEST_APPID, TEST_JWT_SECRET, type TestStack } from './support/stack.js';

// The built game file, in the sandbox that has only the mini-game's globals,
// against the real server: how it keeps, renews and ends sessions.
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

interface StoredSession {
  accessToken: string;
  refreshToken: string;
  expiresAtOnDevice: number;
}

const stored = (sandbox: MinigameSandbox): StoredSession => JSON.parse(sandbox.storage.get('minigate.session') as string);
const callsTo = (sandbox: MinigameSandbox, path: string) =>
  sandbox.requests.filter((request) => request.url.split('?')[0]!.split('/').pop()!.split(',').includes(path)).length;

/** Logs the sandbox's player in and returns what the game keeps. */
async function loggedIn(sandbox: MinigameSandbox): Promise<{ id: number; session: StoredSession }> {
  const { id } = await playGame(sandbox, `return (await require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx }).login()).account;`);
  return { id, session: stored(sandbox) };
}

/** The kept access token replaced by an expired one of the same session, as after two hours in the background. */
function expireAccessToken(sandbox: MinigameSandbox): void {
  const session = stored(sandbox);
  const claims = jwt.decode(session.accessToken) as { sub: string; sid: string };
  const expired = jwt.sign({ sub: claims.sub, sid: claims.sid, exp: Math.floor(Date.now() / 1000) - 5 }, TEST_JWT_SECRET, {
    keyid: keyIdOf(TEST_JWT_SECRET),
    issuer: 'minigate',
    audience: stack.config.jwt.audience,
  });
  sandbox.storage.set('minigate.session', JSON.stringify({ ...session, accessToken: expired }));
}

describe('the client renews sessions', () => {
  it('10 parallel calls in 10 requests with an expired token make exactly one auth.refresh, then all succeed', async () => {
    const sandbox = sandboxFor('renew-ann');
    const { id, session } = await loggedIn(sandbox);
    expireAccessToken(sandbox);
    const ids = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx, maxBatchSize: 1 });
       return (await Promise.all(Array.from({ length: 10 }, () => c.api.account.me.query()))).map((me) => me.id);`,
    );
    expect(ids).toEqual(Array(10).fill(id));
    expect(callsTo(sandbox, 'auth.refresh')).toBe(1);
    expect(callsTo(sandbox, 'auth.login')).toBe(1);
    // 10 refused with the expired token, 10 retried with the new one.
    expect(callsTo(sandbox, 'account.me')).toBe(20);
    expect(stored(sandbox).refreshToken).not.toBe(session.refreshToken);
  });

  it('a revoked session falls back to a silent wx.login, and the call is retried', async () => {
    const sandbox = sandboxFor('renew-ben');
    const { id, session } = await loggedIn(sandbox);
    // Another device logged this one out (or an operator revoked it).
    await callProcedure(stack, 'mutation', 'auth.logout', { refreshToken: session.refreshToken });
    const me = await playGame(sandbox, `return await require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx }).api.account.me.query();`);
    expect(me.id).toBe(id);
    expect(callsTo(sandbox, 'auth.refresh')).toBe(1);
    expect(callsTo(sandbox, 'auth.login')).toBe(2);
    expect(stored(sandbox).refreshToken.split('.')[0]).not.toBe(session.refreshToken.split('.')[0]);
  });

  it('a banned player is told ACCOUNT_DISABLED, with no refresh and no wx.login (no loop)', async () => {
    const sandbox = sandboxFor('renew-cid');
    const { id } = await loggedIn(sandbox);
    await stack.database.db.updateTable('account').set({ dataFlag: 0 }).where('accountId', '=', id).execute();
    await stack.application.changeFeed.poll();
    const outcome = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       try { await c.api.account.heartbeat.mutate(); return 'served'; } catch (error) { return error.data.reason; }`,
    );
    expect(outcome).toBe('ACCOUNT_DISABLED');
    // Also when the ban is found while refreshing an expired token.
    expireAccessToken(sandbox);
    const whileRenewing = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       try { await c.api.account.heartbeat.mutate(); return 'served'; } catch (error) { return error.data.reason; }`,
    );
    expect(whileRenewing).toBe('ACCOUNT_DISABLED');
    expect(callsTo(sandbox, 'auth.refresh')).toBe(1);
    expect(callsTo(sandbox, 'auth.login')).toBe(1);
  });
});

describe('the client ends sessions', () => {
  it('logout() ends the session on the server and forgets it', async () => {
    const sandbox = sandboxFor('end-dee');
    const { session } = await loggedIn(sandbox);
    await playGame(sandbox, `await require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx }).logout();`);
    expect(sandbox.storage.has('minigate.session')).toBe(false);
    const refreshed = await callProcedure(stack, 'mutation', 'auth.refresh', { refreshToken: session.refreshToken });
    expect(refreshed.body.error.data.reason).toBe('SESSION_REVOKED');
  });

  it('logout() forgets the session even when the server is unreachable, and resolves', async () => {
    const sandbox = sandboxFor('end-eli');
    await loggedIn(sandbox);
    const outcome = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: 'http://127.0.0.1:1/trpc', wx, timeoutMs: 2000 });
       await c.logout();
       return c.isLoggedIn();`,
    );
    expect(outcome).toBe(false);
    expect(sandbox.storage.has('minigate.session')).toBe(false);
  });

  it('after account.delete the session is forgotten: the next call is TOKEN_MISSING, not a new account', async () => {
    const sandbox = sandboxFor('end-fox');
    await loggedIn(sandbox);
    const outcome = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       const deleted = await c.api.account.delete.mutate();
       let next;
       try { await c.api.account.me.query(); } catch (error) { next = error.data.reason; }
       return { deleted, next, loggedIn: c.isLoggedIn() };`,
    );
    expect(outcome).toEqual({ deleted: { deleted: true }, next: 'TOKEN_MISSING', loggedIn: false });
    expect(callsTo(sandbox, 'auth.login')).toBe(1);
  });
});
