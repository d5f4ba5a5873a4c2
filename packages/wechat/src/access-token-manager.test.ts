import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// The simulator is a test double of WeChat; packages/wechat does not depend on it at runtime.
import { startWeChatSimulator, type WeChatSimulator } from '../../wechat-sim/src/index.js';
import { AccessTokenManager, MemoryAccessTokenStore, type AccessTokenManagerOptions } from './access-token-manager.js';
import { createCheckSessionKey } from './check-session.js';
import { createCode2Session } from './code2session.js';
import { AccessTokenInvalidError, WeChatBusyError } from './errors.js';
import { createGetStableToken } from './stable-token.js';
import { createHttpTransport } from './transport.js';

const APP = { appid: 'wxtokenmanager01', secret: 'token-manager-secret-0123456789' };
let clock = Date.parse('2026-12-01T08:00:00Z');
let simulator: WeChatSimulator;
const transport = createHttpTransport({ timeoutMs: 1_000 });

beforeAll(async () => {
  simulator = await startWeChatSimulator({ apps: [APP], now: () => clock });
});
afterAll(async () => {
  transport.close();
  await simulator.close();
});
beforeEach(() => {
  simulator.clearFaults();
  // A fresh start for every test: whatever token earlier tests left is gone at WeChat too.
  simulator.revokeAccessTokens(APP.appid);
  clock += 86_400_000;
});

const stableTokenCalls = () => simulator.callCount('stable_token');
const manager = (store = new MemoryAccessTokenStore(), options: Partial<AccessTokenManagerOptions> = {}) =>
  new AccessTokenManager({
    appid: APP.appid,
    getStableToken: createGetStableToken({ apiBase: simulator.url, ...APP }, transport.send),
    store,
    now: () => clock,
    ...options,
  });

/** A logged-in player, and a call that needs the access token: checksession. */
async function player(name: string) {
  const code = simulator.issueCode(APP.appid, name);
  const session = await createCode2Session({ apiBase: simulator.url, ...APP }, transport.send)(code);
  const check = createCheckSessionKey({ apiBase: simulator.url }, transport.send);
  return (accessToken: string) => check({ accessToken, openid: session.openid, sessionKey: session.sessionKey });
}

describe('AccessTokenManager', () => {
  it('caches the token: many calls, one stable_token call', async () => {
    const tokens = manager();
    const before = stableTokenCalls();
    const first = await tokens.getAccessToken();
    for (let i = 0; i < 20; i++) expect(await tokens.getAccessToken()).toBe(first);
    expect(first).toBe(simulator.currentAccessToken(APP.appid));
    expect(stableTokenCalls() - before).toBe(1);
  });

  it('refreshes single-flight in one process: ten callers at once, one stable_token call', async () => {
    const tokens = manager();
    simulator.injectFault({ endpoint: 'stable_token', kind: 'delay', ms: 100 });
    const before = stableTokenCalls();
    const all = await Promise.all(Array.from({ length: 10 }, () => tokens.getAccessToken()));
    expect(new Set(all).size).toBe(1);
    expect(stableTokenCalls() - before).toBe(1);
  });

  it('two managers sharing one store refreshing at once: exactly one stable_token call', async () => {
    const store = new MemoryAccessTokenStore();
    const [a, b] = [manager(store), manager(store)];
    // A slow WeChat, so that the second instance really waits on the first one's lock.
    simulator.injectFault({ endpoint: 'stable_token', kind: 'delay', ms: 150 }, 2);
    const before = stableTokenCalls();
    const [fromA, fromB] = await Promise.all([a.getAccessToken(), b.getAccessToken()]);
    expect(fromB).toBe(fromA);
    expect(stableTokenCalls() - before).toBe(1);
    expect((await store.read(APP.appid))?.token).toBe(fromA);
  });

  it('keeps tokens per appid in the store', async () => {
    const store = new MemoryAccessTokenStore();
    const token = await manager(store).getAccessToken();
    expect(await store.read(APP.appid)).toMatchObject({ token, forceRefreshedAt: null });
    expect(await store.read('wxanotherapp0001')).toBeNull();
  });

  it('refreshes ahead of expiry, within the margin, to the next token while the previous still works', async () => {
    const tokens = manager(new MemoryAccessTokenStore(), { refreshMarginSeconds: 240 });
    const call = await player('ada');
    const first = await tokens.getAccessToken();
    const before = stableTokenCalls();
    clock += (7200 - 250) * 1000;
    expect(await tokens.getAccessToken()).toBe(first);
    expect(stableTokenCalls()).toBe(before);
    clock += 20_000;
    const second = await tokens.getAccessToken();
    expect(second).not.toBe(first);
    expect(stableTokenCalls() - before).toBe(1);
    // Calls still in flight with the previous token are fine: WeChat keeps it until it expires.
    await expect(call(first)).resolves.toBe(true);
    await expect(call(second)).resolves.toBe(true);
  });

  it('does not ask again and again when a margin wider than WeChat’s 300 s window gets the same token back', async () => {
    const tokens = manager(new MemoryAccessTokenStore(), { refreshMarginSeconds: 600 });
    const first = await tokens.getAccessToken();
    const before = stableTokenCalls();
    clock += (7200 - 500) * 1000;
    for (let i = 0; i < 5; i++) expect(await tokens.getAccessToken()).toBe(first);
    expect(stableTokenCalls() - before).toBe(1);
    clock += 31_000;
    expect(await tokens.getAccessToken()).toBe(first);
    expect(stableTokenCalls() - before).toBe(2);
    clock += 200_000;
    expect(await tokens.getAccessToken()).not.toBe(first);
  });

  it('keeps serving the still-valid token when a refresh ahead of expiry fails, and fails once it has expired', async () => {
    const tokens = manager();
    const first = await tokens.getAccessToken();
    clock += (7200 - 100) * 1000;
    simulator.setFault('stable_token', { kind: 'errcode', errcode: -1 });
    expect(await tokens.getAccessToken()).toBe(first);
    clock += 100_000;
    await expect(tokens.getAccessToken()).rejects.toBeInstanceOf(WeChatBusyError);
    simulator.setFault('stable_token', null);
    expect(await tokens.getAccessToken()).not.toBe(first);
  });

  it('withAccessToken: a token WeChat no longer accepts is replaced and the call retried once', async () => {
    const tokens = manager();
    const call = await player('bo');
    const first = await tokens.getAccessToken();
    simulator.revokeAccessTokens(APP.appid);
    const before = { stable: stableTokenCalls(), check: simulator.callCount('checksession') };
    expect(await tokens.withAccessToken(call)).toBe(true);
    expect(stableTokenCalls() - before.stable).toBe(1);
    expect(simulator.callCount('checksession') - before.check).toBe(2);
    expect(await tokens.getAccessToken()).not.toBe(first);
    expect(simulator.forceRefreshCount(APP.appid)).toBe(0);
  });

  it('invalidates only the token that failed: another instance’s newer token survives', async () => {
    const store = new MemoryAccessTokenStore();
    const [a, b] = [manager(store), manager(store)];
    const call = await player('cy');
    const old = await a.getAccessToken();
    expect(await b.getAccessToken()).toBe(old);
    simulator.revokeAccessTokens(APP.appid);
    await b.withAccessToken(call);
    const newer = (await store.read(APP.appid))!.token;
    expect(newer).not.toBe(old);
    const before = stableTokenCalls();
    // a still holds the old token in memory: its call fails, but the store's token is not the one that failed.
    expect(await a.withAccessToken(call)).toBe(true);
    expect(stableTokenCalls()).toBe(before);
    expect(await store.read(APP.appid)).toMatchObject({ token: newer });
    expect((await store.read(APP.appid))!.expiresAt).toBeGreaterThan(clock);
  });

  it('two instances whose token fails at once: one refresh for both', async () => {
    const store = new MemoryAccessTokenStore();
    const [a, b] = [manager(store), manager(store)];
    const call = await player('dee');
    await Promise.all([a.getAccessToken(), b.getAccessToken()]);
    simulator.revokeAccessTokens(APP.appid);
    const before = stableTokenCalls();
    expect(await Promise.all([a.withAccessToken(call), b.withAccessToken(call), a.withAccessToken(call)])).toEqual([true, true, true]);
    expect(stableTokenCalls() - before).toBe(1);
  });

  it('force-refreshes once when WeChat hands back the very token it refused, and not again within the interval', async () => {
    const tokens = manager(new MemoryAccessTokenStore(), { minForceRefreshIntervalSeconds: 600 });
    const call = await player('eve');
    const first = await tokens.getAccessToken();
    const forcedBefore = simulator.forceRefreshCount(APP.appid);
    // WeChat refuses the token for this call, yet stable_token keeps handing it out.
    simulator.injectFault({ endpoint: 'checksession', kind: 'errcode', errcode: 40001 });
    expect(await tokens.withAccessToken(call)).toBe(true);
    const second = await tokens.getAccessToken();
    expect(second).not.toBe(first);
    expect(simulator.forceRefreshCount(APP.appid) - forcedBefore).toBe(1);
    expect(JSON.parse(simulator.requestLog.filter((r) => r.endpoint === 'stable_token').at(-1)!.body)).toMatchObject({ force_refresh: true });

    // The same again within the interval: no second force refresh; the retried call fails and the error reaches the caller.
    simulator.injectFault({ endpoint: 'checksession', kind: 'errcode', errcode: 42001 }, 2);
    const stableBefore = stableTokenCalls();
    await expect(tokens.withAccessToken(call)).rejects.toBeInstanceOf(AccessTokenInvalidError);
    expect(simulator.forceRefreshCount(APP.appid) - forcedBefore).toBe(1);
    expect(stableTokenCalls() - stableBefore).toBe(1);

    // Once the interval has passed, a force refresh is allowed again.
    clock += 601_000;
    simulator.injectFault({ endpoint: 'checksession', kind: 'errcode', errcode: 40014 });
    expect(await tokens.withAccessToken(call)).toBe(true);
    expect(simulator.forceRefreshCount(APP.appid) - forcedBefore).toBe(2);
  });

  it('counts the force refresh interval across instances through the store', async () => {
    const store = new MemoryAccessTokenStore();
    const [a, b] = [manager(store), manager(store)];
    const call = await player('fay');
    await a.getAccessToken();
    const forcedBefore = simulator.forceRefreshCount(APP.appid);
    simulator.injectFault({ endpoint: 'checksession', kind: 'errcode', errcode: 40001 });
    await a.withAccessToken(call);
    expect(simulator.forceRefreshCount(APP.appid) - forcedBefore).toBe(1);
    simulator.injectFault({ endpoint: 'checksession', kind: 'errcode', errcode: 40001 }, 2);
    await expect(b.withAccessToken(call)).rejects.toBeInstanceOf(AccessTokenInvalidError);
    expect(simulator.forceRefreshCount(APP.appid) - forcedBefore).toBe(1);
    expect((await store.read(APP.appid))!.forceRefreshedAt).toBe(clock);
  });

  it('retries only once, and passes other errors through without a retry or a refresh', async () => {
    const tokens = manager();
    const call = await player('gus');
    await tokens.getAccessToken();
    simulator.setFault('checksession', { kind: 'errcode', errcode: 40001 });
    const before = simulator.callCount('checksession');
    await expect(tokens.withAccessToken(call)).rejects.toBeInstanceOf(AccessTokenInvalidError);
    expect(simulator.callCount('checksession') - before).toBe(2);
    simulator.setFault('checksession', { kind: 'errcode', errcode: 40003 });
    const stableBefore = stableTokenCalls();
    await expect(tokens.withAccessToken(call)).rejects.toMatchObject({ name: 'InvalidOpenidError', errcode: 40003 });
    expect(stableTokenCalls()).toBe(stableBefore);
  });
});

describe('MemoryAccessTokenStore', () => {
  it('invalidates only the token it is given, keeping the record', async () => {
    const store = new MemoryAccessTokenStore();
    await store.write('wxa', { token: 't1', expiresAt: 1_000, forceRefreshedAt: 5 });
    expect(await store.compareAndInvalidate('wxa', 't0')).toBe(false);
    expect(await store.read('wxa')).toEqual({ token: 't1', expiresAt: 1_000, forceRefreshedAt: 5 });
    expect(await store.compareAndInvalidate('wxa', 't1')).toBe(true);
    expect(await store.read('wxa')).toEqual({ token: 't1', expiresAt: 0, forceRefreshedAt: 5 });
    expect(await store.compareAndInvalidate('wxb', 't1')).toBe(false);
  });

  it('runs locked work one at a time per appid and releases the lock when the work fails', async () => {
    const store = new MemoryAccessTokenStore();
    const order: string[] = [];
    const work =
      (name: string, ms: number, fail = false) =>
      async () => {
        order.push(`${name} start`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        order.push(`${name} end`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      store.withLock('wxa', work('one', 30, true)),
      store.withLock('wxa', work('two', 10)),
      store.withLock('wxb', work('other', 5)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(order.indexOf('two start')).toBeGreaterThan(order.indexOf('one end'));
    expect(order.indexOf('other end')).toBeLessThan(order.indexOf('one end'));
  });
});
