import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// The simulator is a test double of WeChat; packages/wechat does not depend on it at runtime.
import { startWeChatSimulator, type WeChatSimulator } from '../../wechat-sim/src/index.js';
import { createCheckSessionKey } from './check-session.js';
import { createCode2Session } from './code2session.js';
import { sessionSignature } from './data-crypto.js';
import {
  AccessTokenInvalidError,
  FrequencyLimitError,
  WeChatBusyError,
  WeChatError,
  WeChatErrcodeError,
  WeChatMisconfiguredError,
  WeChatTimeoutError,
  WeChatUnavailableError,
} from './errors.js';
import { createGetStableToken } from './stable-token.js';
import { createHttpTransport } from './transport.js';

const APP = { appid: 'wxchecksession01', secret: 'check-session-secret-0123456789' };
let clock = Date.parse('2026-12-01T08:00:00Z');
let simulator: WeChatSimulator;
const transport = createHttpTransport({ timeoutMs: 500 });
const check = () => createCheckSessionKey({ apiBase: simulator.url }, transport.send);
const accessToken = async () => (await createGetStableToken({ apiBase: simulator.url, ...APP }, transport.send)()).accessToken;
const login = (player: string) => createCode2Session({ apiBase: simulator.url, ...APP }, transport.send)(simulator.issueCode(APP.appid, player));

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

describe('checksession', () => {
  it('is true for the current session key and false (87009) once a new login rotated it', async () => {
    const token = await accessToken();
    const first = await login('ana');
    expect(await check()({ accessToken: token, openid: first.openid, sessionKey: first.sessionKey })).toBe(true);
    const second = await login('ana');
    expect(await check()({ accessToken: token, openid: first.openid, sessionKey: first.sessionKey })).toBe(false);
    expect(await check()({ accessToken: token, openid: second.openid, sessionKey: second.sessionKey })).toBe(true);
  });

  it('sends GET /wxa/checksession with hmac_sha256 over "" as the signature, never the session key', async () => {
    const token = await accessToken();
    const { openid, sessionKey } = await login('ben');
    await check()({ accessToken: token, openid, sessionKey });
    const request = simulator.requestLog.at(-1)!;
    expect(request).toMatchObject({ endpoint: 'checksession', method: 'GET', body: '' });
    expect(request.query).toEqual({ access_token: token, openid, signature: sessionSignature(sessionKey, ''), sig_method: 'hmac_sha256' });
    expect(JSON.stringify(request)).not.toContain(sessionKey);
  });

  it('answers a stale, expired or malformed access token with AccessTokenInvalidError carrying the errcode', async () => {
    const token = await accessToken();
    const { openid, sessionKey } = await login('cid');
    simulator.revokeAccessTokens(APP.appid);
    expect(await failure(check()({ accessToken: token, openid, sessionKey }))).toMatchObject({ errcode: 40001 });
    const fresh = await accessToken();
    clock += 7200_000;
    const expired = await failure(check()({ accessToken: fresh, openid, sessionKey }));
    expect(expired).toBeInstanceOf(AccessTokenInvalidError);
    expect(expired).toMatchObject({ errcode: 42001, retryable: true });
    expect(await failure(check()({ accessToken: 'bad token', openid, sessionKey }))).toMatchObject({ errcode: 40014 });
  });

  it.each([
    [40003, WeChatErrcodeError, 'InvalidOpenidError'],
    [-1, WeChatBusyError, 'WeChatBusyError'],
    [45011, FrequencyLimitError, 'FrequencyLimitError'],
    [48001, WeChatMisconfiguredError, 'ApiUnauthorizedError'],
    [12345, WeChatErrcodeError, 'UnknownWeChatError'],
  ] as const)('maps errcode %i to its own error, without the access token or the session key in it', async (errcode, ErrorClass, name) => {
    const token = await accessToken();
    const { openid, sessionKey } = await login('dot');
    simulator.injectFault({ endpoint: 'checksession', kind: 'errcode', errcode, errmsg: `bad ${token} and ${sessionKey}, rid: 1` });
    const error = await failure(check()({ accessToken: token, openid, sessionKey }));
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.name).toBe(name);
    expect(error.errcode).toBe(errcode);
    expect(`${error.message}${error.stack}`).not.toContain(token);
    expect(`${error.message}${error.stack}`).not.toContain(sessionKey);
  });

  it('knows an openid WeChat does not (40003) apart from a stale key', async () => {
    const token = await accessToken();
    const { sessionKey } = await login('eva');
    expect(await failure(check()({ accessToken: token, openid: 'o-not-a-player-of-this-app', sessionKey }))).toMatchObject({
      name: 'InvalidOpenidError',
      errcode: 40003,
    });
  });

  it('times out and reports a dropped connection, without the access token in the message', async () => {
    const token = await accessToken();
    const { openid, sessionKey } = await login('fin');
    simulator.injectFault({ endpoint: 'checksession', kind: 'timeout' });
    const timeout = await failure(check()({ accessToken: token, openid, sessionKey }));
    expect(timeout).toBeInstanceOf(WeChatTimeoutError);
    expect(timeout.message).not.toContain(token);
    simulator.injectFault({ endpoint: 'checksession', kind: 'reset' });
    expect(await failure(check()({ accessToken: token, openid, sessionKey }))).toBeInstanceOf(WeChatUnavailableError);
  });
});
