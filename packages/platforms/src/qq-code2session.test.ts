import { createHttpTransport, type WeChatTransport } from '@minigate/wechat';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeChatSimulator, type WeChatSimulator } from '../../wechat-sim/src/index.js';
import {
  PlatformErrcodeError,
  PlatformMisconfiguredError,
  PlatformTimeoutError,
  PlatformUnavailableError,
  QQBusyError,
  QQCodeInvalidError,
  QQFrequencyLimitError,
} from './errors.js';
import { createQQCode2Session } from './qq-code2session.js';

const GAME = { appid: '1110000001', secret: 'qq-platform-secret-1', platform: 'qq' as const, openPlatform: 'studio' };
const OTHER = { appid: '1110000002', secret: 'qq-platform-secret-2', platform: 'qq' as const };
let simulator: WeChatSimulator;
const http = createHttpTransport({ timeoutMs: 300 });

beforeAll(async () => {
  simulator = await startWeChatSimulator({ apps: [GAME, OTHER], callsPerPlayerPerMinute: 3 });
});
afterAll(async () => {
  http.close();
  await simulator.close();
});
beforeEach(() => simulator.clearFaults());

const code2Session = (app: { appid: string; secret: string } = GAME, transport: WeChatTransport = http.send) =>
  createQQCode2Session({ ...app, apiBase: simulator.url }, transport);
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: Error) => error,
  );

describe('createQQCode2Session against the simulator', () => {
  it("calls {apiBase}/sns/jscode2session and gives the player's openid, unionid and session key (never an anonymous openid)", async () => {
    expect(await code2Session()(simulator.issueCode(GAME.appid, 'ann'))).toEqual({
      openid: simulator.openidFor(GAME.appid, 'ann'),
      unionid: expect.any(String),
      sessionKey: simulator.sessionKeyFor(GAME.appid, 'ann'),
      anonymousOpenid: null,
    });
    expect(simulator.requestLog.at(-1)).toMatchObject({
      endpoint: 'qq_jscode2session',
      query: { appid: GAME.appid, grant_type: 'authorization_code' },
    });
    expect((await code2Session(OTHER)(simulator.issueCode(OTHER.appid, 'ann'))).unionid).toBeNull();
  });

  it('turns each errcode into its error: 40029 (spent, of another app), 45011 (the per-user minute), -1, a wrong secret', async () => {
    const code = simulator.issueCode(GAME.appid, 'bob');
    await code2Session()(code);
    expect(await failureOf(code2Session()(code))).toBeInstanceOf(QQCodeInvalidError);
    expect(await failureOf(code2Session(OTHER)(simulator.issueCode(GAME.appid, 'bob')))).toMatchObject({ platform: 'qq', errcode: 40029 });
    await code2Session()(simulator.issueCode(GAME.appid, 'bob'));
    await code2Session()(simulator.issueCode(GAME.appid, 'bob'));
    const limited = await failureOf(code2Session()(simulator.issueCode(GAME.appid, 'bob')));
    expect(limited).toBeInstanceOf(QQFrequencyLimitError);
    expect(limited).toMatchObject({ errcode: 45011, retryAfterSeconds: 60, entry: { retryAfterSeconds: 60 } });
    simulator.injectFault({ endpoint: 'qq_jscode2session', kind: 'errcode', errcode: -1 });
    expect(await failureOf(code2Session()(simulator.issueCode(GAME.appid, 'cat')))).toBeInstanceOf(QQBusyError);
    const wrongSecret = await failureOf(code2Session({ ...GAME, secret: 'wrong-secret' })(simulator.issueCode(GAME.appid, 'cat')));
    expect(wrongSecret).toBeInstanceOf(PlatformMisconfiguredError);
    simulator.injectFault({ endpoint: 'qq_jscode2session', kind: 'errcode', errcode: -1009 });
    expect(await failureOf(code2Session()('c0de'))).toMatchObject({ name: 'QQUnknownError', errcode: -1009 });
    expect(await failureOf(code2Session()('c0de'))).toBeInstanceOf(PlatformErrcodeError);
  });

  it('never puts the secret or the code into a message', async () => {
    const code = simulator.issueCode(GAME.appid, 'dee');
    simulator.injectFault({ endpoint: 'qq_jscode2session', kind: 'errcode', errcode: 40029, errmsg: `invalid code ${code}, secret ${GAME.secret}` });
    const error = await failureOf(code2Session()(code));
    expect(error.message).toContain('errcode 40029');
    expect(error.message).not.toContain(code);
    expect(error.message).not.toContain(GAME.secret);
  });

  it('answers no answer with PlatformTimeoutError and an HTML page with PlatformUnavailableError', async () => {
    simulator.injectFault({ endpoint: 'qq_jscode2session', kind: 'timeout' });
    expect(await failureOf(code2Session()(simulator.issueCode(GAME.appid, 'eve')))).toBeInstanceOf(PlatformTimeoutError);
    simulator.injectFault({ endpoint: 'qq_jscode2session', kind: 'http', status: 502, body: '<html>bad gateway</html>' });
    const unavailable = await failureOf(code2Session()(simulator.issueCode(GAME.appid, 'eve')));
    expect(unavailable).toBeInstanceOf(PlatformUnavailableError);
    expect(unavailable).toMatchObject({ platform: 'qq', retryable: true });
  });
});
