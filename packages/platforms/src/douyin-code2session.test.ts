import { createHttpTransport, type WeChatTransport } from '@minigate/wechat';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeChatSimulator, type WeChatSimulator } from '../../wechat-sim/src/index.js';
import { createDouyinCode2Session } from './douyin-code2session.js';
import {
  DouyinAnonymousCodeInvalidError,
  DouyinAppIdInvalidError,
  DouyinBusyError,
  DouyinCodeInvalidError,
  DouyinParameterMissingError,
  DouyinSecretInvalidError,
  PlatformErrcodeError,
  PlatformMisconfiguredError,
  PlatformTimeoutError,
  PlatformUnavailableError,
} from './errors.js';

const GAME = { appid: 'ttplatformtest01', secret: 'douyin-platform-secret-1', platform: 'douyin' as const, openPlatform: 'studio' };
const OTHER = { appid: 'ttplatformtest02', secret: 'douyin-platform-secret-2', platform: 'douyin' as const };
const WECHAT = { appid: 'wxplatformtest01', secret: 'wechat-platform-secret' };
let simulator: WeChatSimulator;
const http = createHttpTransport({ timeoutMs: 300 });

beforeAll(async () => {
  simulator = await startWeChatSimulator({ apps: [GAME, OTHER, WECHAT] });
});
afterAll(async () => {
  http.close();
  await simulator.close();
});
beforeEach(() => simulator.clearFaults());

const code2Session = (app: { appid: string; secret: string } = GAME, transport: WeChatTransport = http.send) =>
  createDouyinCode2Session({ ...app, apiBase: simulator.url }, transport);
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: Error) => error,
  );

/**
 * A gateway that answers in the mini-app's wrapped shape: the same request,
 * sent to the simulator's POST /api/apps/v2/jscode2session as JSON.
 */
const wrappedShape: WeChatTransport = (request) => {
  const url = new URL(request.url);
  return http.send({
    method: 'POST',
    url: `${url.origin}/api/apps/v2/jscode2session`,
    body: JSON.stringify(Object.fromEntries(url.searchParams)),
  });
};

describe('createDouyinCode2Session against the simulator', () => {
  it("calls {apiBase}/mgplatform/api/apps/jscode2session and gives the player's openid, unionid and session key", async () => {
    const session = await code2Session()({ code: simulator.issueCode(GAME.appid, 'ann') });
    expect(session).toEqual({
      openid: simulator.openidFor(GAME.appid, 'ann'),
      anonymousOpenid: null,
      unionid: expect.any(String),
      sessionKey: simulator.sessionKeyFor(GAME.appid, 'ann'),
    });
    const last = simulator.requestLog.at(-1);
    expect(last).toMatchObject({ endpoint: 'douyin_jscode2session', method: 'GET', query: { appid: GAME.appid, secret: GAME.secret } });
    expect(last?.query).not.toHaveProperty('anonymous_code');
    expect((await code2Session(OTHER)({ code: simulator.issueCode(OTHER.appid, 'ann') })).unionid).toBeNull();
  });

  it('signs a guest in with an anonymous code alone, and gives both openids for code plus anonymous code', async () => {
    const guest = await code2Session()({ anonymousCode: simulator.issueAnonymousCode(GAME.appid, 'phone') });
    expect(guest).toEqual({ openid: null, anonymousOpenid: simulator.anonymousOpenidFor(GAME.appid, 'phone'), unionid: null, sessionKey: '' });
    const upgrade = await code2Session()({
      code: simulator.issueCode(GAME.appid, 'bob'),
      anonymousCode: simulator.issueAnonymousCode(GAME.appid, 'phone'),
    });
    expect(upgrade).toMatchObject({ openid: simulator.openidFor(GAME.appid, 'bob'), anonymousOpenid: guest.anonymousOpenid });
    await expect(code2Session()({})).rejects.toThrow(TypeError);
  });

  it('reads the wrapped shape {err_no, err_tips, log_id, data} as well, successes and errcodes', async () => {
    const session = await code2Session(GAME, wrappedShape)({ code: simulator.issueCode(GAME.appid, 'cat') });
    expect(session).toMatchObject({ openid: simulator.openidFor(GAME.appid, 'cat'), sessionKey: simulator.sessionKeyFor(GAME.appid, 'cat') });
    expect(await failureOf(code2Session(GAME, wrappedShape)({ code: simulator.issueCode(OTHER.appid, 'cat') }))).toBeInstanceOf(
      DouyinCodeInvalidError,
    );
    const guest = await code2Session(GAME, wrappedShape)({ anonymousCode: simulator.issueAnonymousCode(GAME.appid, 'tablet') });
    expect(guest).toMatchObject({ openid: null, anonymousOpenid: simulator.anonymousOpenidFor(GAME.appid, 'tablet') });
  });

  it('turns each errcode into its error: -1, 40014, 40015, 40017, 40018 (a spent code, a code of another app), 40019', async () => {
    const cases: Array<[Promise<unknown>, abstract new (...args: never[]) => Error, number]> = [
      [code2Session({ ...GAME, secret: '' })({ code: 'c0de' }), DouyinParameterMissingError, 40014],
      [code2Session({ ...WECHAT })({ code: simulator.issueCode(WECHAT.appid, 'ann') }), DouyinAppIdInvalidError, 40015],
      [code2Session({ ...GAME, secret: 'wrong-secret' })({ code: simulator.issueCode(GAME.appid, 'ann') }), DouyinSecretInvalidError, 40017],
      [code2Session()({ code: simulator.issueCode(OTHER.appid, 'ann') }), DouyinCodeInvalidError, 40018],
      [code2Session()({ code: simulator.issueCode(GAME.appid, 'ann'), anonymousCode: 'not-a-code' }), DouyinAnonymousCodeInvalidError, 40019],
    ];
    for (const [promise, type, errcode] of cases) {
      const error = await failureOf(promise);
      expect(error, String(errcode)).toBeInstanceOf(type);
      expect(error).toMatchObject({ platform: 'douyin', errcode, entry: { errcode } });
    }
    const code = simulator.issueCode(GAME.appid, 'dee');
    await code2Session()({ code });
    expect(await failureOf(code2Session()({ code }))).toBeInstanceOf(DouyinCodeInvalidError);
    simulator.injectFault({ endpoint: 'douyin_jscode2session', kind: 'errcode', errcode: -1 });
    const busy = await failureOf(code2Session()({ code: simulator.issueCode(GAME.appid, 'dee') }));
    expect(busy).toBeInstanceOf(DouyinBusyError);
    expect(busy).toMatchObject({ retryable: true });
    expect(await failureOf(code2Session({ ...GAME, secret: 'wrong-secret' })({ code: 'c0de' }))).toBeInstanceOf(PlatformMisconfiguredError);
    simulator.injectFault({ endpoint: 'douyin_jscode2session', kind: 'errcode', errcode: 49999 });
    const unknown = await failureOf(code2Session()({ code: 'c0de' }));
    expect(unknown).toBeInstanceOf(PlatformErrcodeError);
    expect(unknown).toMatchObject({ name: 'DouyinUnknownError', errcode: 49999, retryable: false });
  });

  it('never puts the secret, the code or the anonymous code into a message', async () => {
    const code = simulator.issueCode(GAME.appid, 'eve');
    const anonymousCode = simulator.issueAnonymousCode(GAME.appid, 'eve-phone');
    simulator.injectFault({
      endpoint: 'douyin_jscode2session',
      kind: 'errcode',
      errcode: 40018,
      errmsg: `bad code ${code} ${anonymousCode} for ${GAME.secret}`,
    });
    const error = await failureOf(code2Session()({ code, anonymousCode }));
    expect(error).toBeInstanceOf(DouyinCodeInvalidError);
    expect(error.message).toContain('errcode 40018');
    for (const secret of [code, anonymousCode, GAME.secret]) expect(error.message).not.toContain(secret);
  });

  it('answers no answer with PlatformTimeoutError, an HTML page or an answer without openid with PlatformUnavailableError', async () => {
    simulator.injectFault({ endpoint: 'douyin_jscode2session', kind: 'timeout' });
    const timeout = await failureOf(code2Session()({ code: simulator.issueCode(GAME.appid, 'fay') }));
    expect(timeout).toBeInstanceOf(PlatformTimeoutError);
    expect(timeout).toMatchObject({ platform: 'douyin' });
    simulator.injectFault({ endpoint: 'douyin_jscode2session', kind: 'http', status: 502, body: '<html>bad gateway</html>' });
    expect(await failureOf(code2Session()({ code: simulator.issueCode(GAME.appid, 'fay') }))).toBeInstanceOf(PlatformUnavailableError);
    const flatWithoutOpenid: WeChatTransport = () =>
      Promise.resolve({ status: 200, body: JSON.stringify({ error: 0, session_key: 'k', openid: '' }) });
    expect(await failureOf(code2Session(GAME, flatWithoutOpenid)({ code: 'c0de' }))).toBeInstanceOf(PlatformUnavailableError);
    simulator.injectFault({ endpoint: 'douyin_jscode2session', kind: 'reset' });
    expect(await failureOf(code2Session()({ code: simulator.issueCode(GAME.appid, 'fay') }))).toBeInstanceOf(PlatformUnavailableError);
  });
});
