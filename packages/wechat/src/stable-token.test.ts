import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// The simulator is a test double of WeChat; packages/wechat does not depend on it at runtime.
import { startWeChatSimulator, type WeChatSimulator } from '../../wechat-sim/src/index.js';
import {
  FrequencyLimitError,
  InvalidAppIdError,
  InvalidSecretError,
  WeChatBusyError,
  WeChatError,
  WeChatErrcodeError,
  WeChatMisconfiguredError,
  WeChatTimeoutError,
  WeChatUnavailableError,
} from './errors.js';
import { createGetStableToken } from './stable-token.js';
import { createHttpTransport } from './transport.js';

const APP = { appid: 'wxstabletoken001', secret: 'stable-token-secret-0123456789' };
let clock = Date.parse('2026-12-01T08:00:00Z');
let simulator: WeChatSimulator;
const transport = createHttpTransport({ timeoutMs: 500 });
const tokenOf = (app = APP) => createGetStableToken({ apiBase: simulator.url, ...app }, transport.send);

beforeAll(async () => {
  simulator = await startWeChatSimulator({ apps: [APP], now: () => clock });
});
afterAll(async () => {
  transport.close();
  await simulator.close();
});
beforeEach(() => simulator.clearFaults());

async function failure(promise: Promise<unknown>): Promise<WeChatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeChatError);
  return error as WeChatError;
}

describe('stable_token', () => {
  it('POSTs grant_type, appid, secret and force_refresh as JSON to /cgi-bin/stable_token, the secret never in the URL', async () => {
    const before = simulator.requestLog.length;
    const token = await tokenOf()();
    expect(token.accessToken).toBe(simulator.currentAccessToken(APP.appid));
    expect(token.expiresInSeconds).toBe(7200);
    const [request] = simulator.requestLog.slice(before);
    expect(request).toMatchObject({ endpoint: 'stable_token', method: 'POST', query: {} });
    expect(JSON.parse(request!.body)).toEqual({ grant_type: 'client_credential', appid: APP.appid, secret: APP.secret, force_refresh: false });
    expect(simulator.requestLog.every((r) => r.endpoint === 'stable_token' || !JSON.stringify(r.query).includes(APP.secret))).toBe(true);
  });

  it('hands out the same token in normal mode, and a new one in its last 300 s (the old one still valid)', async () => {
    const first = await tokenOf()();
    clock += 1_000_000;
    const again = await tokenOf()();
    expect(again.accessToken).toBe(first.accessToken);
    expect(again.expiresInSeconds).toBe(first.expiresInSeconds - 1000);
    clock += again.expiresInSeconds * 1000 - 299_000;
    const next = await tokenOf()();
    expect(next.accessToken).not.toBe(first.accessToken);
    expect(next.expiresInSeconds).toBe(7200);
  });

  it('force_refresh: true gets a new token at once', async () => {
    const before = await tokenOf()();
    const forced = await tokenOf()({ forceRefresh: true });
    expect(forced.accessToken).not.toBe(before.accessToken);
    expect(JSON.parse(simulator.requestLog.at(-1)!.body)).toMatchObject({ force_refresh: true });
    expect(simulator.forceRefreshCount(APP.appid)).toBeGreaterThanOrEqual(1);
  });

  it('answers a wrong secret with InvalidSecretError and an unknown appid with InvalidAppIdError', async () => {
    expect(await failure(tokenOf({ ...APP, secret: 'not-the-secret-of-this-app' })())).toBeInstanceOf(InvalidSecretError);
    expect(await failure(tokenOf({ appid: 'wxnosuchapp00000', secret: APP.secret })())).toBeInstanceOf(InvalidAppIdError);
  });

  it.each([
    [-1, WeChatBusyError, 'WeChatBusyError', true],
    [40001, WeChatMisconfiguredError, 'InvalidCredentialError', false],
    [40164, WeChatMisconfiguredError, 'IpNotWhitelistedError', false],
    [45009, WeChatErrcodeError, 'DailyQuotaExceededError', false],
    [45011, FrequencyLimitError, 'FrequencyLimitError', true],
    [48001, WeChatErrcodeError, 'UnknownWeChatError', false],
  ] as const)('maps errcode %i to its own error, without the secret in it', async (errcode, ErrorClass, name, retryable) => {
    simulator.injectFault({ endpoint: 'stable_token', kind: 'errcode', errcode, errmsg: `no for appid ${APP.appid} secret ${APP.secret} rid: 1` });
    const error = await failure(tokenOf()());
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.name).toBe(name);
    expect(error.errcode).toBe(errcode);
    expect(error.retryable).toBe(retryable);
    expect(`${error.message}${error.stack}`).not.toContain(APP.secret);
  });

  it('groups the credential errors under WeChatMisconfiguredError', async () => {
    for (const errcode of [40001, 40013, 40125, 40164, 41002, 41004]) {
      simulator.injectFault({ endpoint: 'stable_token', kind: 'errcode', errcode });
      expect(await failure(tokenOf()())).toBeInstanceOf(WeChatMisconfiguredError);
    }
  });

  it('times out a WeChat that does not answer, and reports a reset or refused connection as unavailable', async () => {
    simulator.injectFault({ endpoint: 'stable_token', kind: 'timeout' });
    expect(await failure(tokenOf()())).toBeInstanceOf(WeChatTimeoutError);
    simulator.injectFault({ endpoint: 'stable_token', kind: 'reset' });
    expect(await failure(tokenOf()())).toBeInstanceOf(WeChatUnavailableError);
    await simulator.setReachable(false);
    try {
      const refused = await failure(tokenOf()());
      expect(refused).toBeInstanceOf(WeChatUnavailableError);
      expect(refused.message).toMatch(/ECONNREFUSED/);
    } finally {
      await simulator.setReachable(true);
    }
    await expect(tokenOf()()).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it('refuses an HTML error page and an answer without access_token', async () => {
    simulator.injectFault({ endpoint: 'stable_token', kind: 'http', status: 502, body: '<html>502 Bad Gateway</html>' });
    expect((await failure(tokenOf()())).message).toContain('502');
    simulator.injectFault({ endpoint: 'stable_token', kind: 'http', status: 200, body: '{"errcode":0,"errmsg":"ok"}' });
    expect(await failure(tokenOf()())).toBeInstanceOf(WeChatUnavailableError);
  });
});
