import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// The simulator is a test double of WeChat; packages/wechat does not depend on it at runtime.
import { startWeChatSimulator, type WeChatSimulator } from '../../wechat-sim/src/index.js';
import { createCode2Session } from './code2session.js';
import { AccessTokenInvalidError, WeChatBusyError, WeChatError, WeChatUnavailableError } from './errors.js';
import { createMsgSecCheck, MSG_SEC_SCENE } from './msg-sec-check.js';
import { createGetStableToken } from './stable-token.js';
import { createHttpTransport } from './transport.js';

const APP = { appid: 'wxmsgseccheck001', secret: 'msg-sec-check-secret-012345678' };
let clock = Date.parse('2026-12-01T08:00:00Z');
let simulator: WeChatSimulator;
const transport = createHttpTransport({ timeoutMs: 1_000 });
const msgSecCheck = () => createMsgSecCheck({ apiBase: simulator.url }, transport.send);

beforeAll(async () => {
  simulator = await startWeChatSimulator({
    apps: [APP],
    now: () => clock,
    contentRules: [
      { word: 'badword', suggest: 'risky', label: 20003 },
      { word: 'maybe', suggest: 'review', label: 10001 },
    ],
  });
});
afterAll(async () => {
  transport.close();
  await simulator.close();
});
beforeEach(() => simulator.clearFaults());

async function visitor(player: string) {
  const { openid } = await createCode2Session({ apiBase: simulator.url, ...APP }, transport.send)(simulator.issueCode(APP.appid, player));
  const { accessToken } = await createGetStableToken({ apiBase: simulator.url, ...APP }, transport.send)();
  return { accessToken, openid };
}

async function failure(promise: Promise<unknown>): Promise<WeChatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeChatError);
  return error as WeChatError;
}

describe('msg_sec_check (version 2)', () => {
  it('passes clean text, with label 100, and sends content, version 2, scene and openid', async () => {
    const who = await visitor('amy');
    const result = await msgSecCheck()({ ...who, content: 'Amy the brave', scene: MSG_SEC_SCENE.profile });
    expect(result).toMatchObject({ suggest: 'pass', label: 100, traceId: expect.any(String) });
    const request = simulator.requestLog.at(-1)!;
    expect(request.query).toEqual({ access_token: who.accessToken });
    expect(JSON.parse(request.body)).toEqual({ content: 'Amy the brave', version: 2, scene: 1, openid: who.openid });
  });

  it('calls risky words risky and doubtful ones review, with WeChat’s label, in the content or the nickname', async () => {
    const who = await visitor('ben');
    expect(await msgSecCheck()({ ...who, content: 'a BadWord here', scene: MSG_SEC_SCENE.comment })).toMatchObject({
      suggest: 'risky',
      label: 20003,
    });
    const review = await msgSecCheck()({ ...who, content: 'hello', nickname: 'maybe', scene: MSG_SEC_SCENE.profile });
    expect(review).toMatchObject({ suggest: 'review', label: 10001 });
    expect(review.detail).toEqual(expect.arrayContaining([expect.objectContaining({ strategy: 'keyword', keyword: 'maybe' })]));
  });

  it('answers an openid WeChat does not know with InvalidOpenidError and a player not seen lately with UserVisitExpiredError', async () => {
    const who = await visitor('cal');
    expect(await failure(msgSecCheck()({ ...who, openid: 'o-stranger', content: 'hi', scene: 1 }))).toMatchObject({
      name: 'InvalidOpenidError',
      errcode: 40003,
    });
    clock += 2 * 3600_000 + 1;
    const { accessToken } = await createGetStableToken({ apiBase: simulator.url, ...APP }, transport.send)();
    expect(await failure(msgSecCheck()({ accessToken, openid: who.openid, content: 'hi', scene: 1 }))).toMatchObject({
      name: 'UserVisitExpiredError',
      errcode: 61010,
      retryable: false,
    });
  });

  it('passes access token failures on, maps -1, and keeps the token out of messages', async () => {
    const who = await visitor('dee');
    simulator.injectFault({ endpoint: 'msg_sec_check', kind: 'errcode', errcode: 42001 });
    expect(await failure(msgSecCheck()({ ...who, content: 'x', scene: 1 }))).toBeInstanceOf(AccessTokenInvalidError);
    simulator.injectFault({ endpoint: 'msg_sec_check', kind: 'errcode', errcode: -1, errmsg: `busy for ${who.accessToken}` });
    const busy = await failure(msgSecCheck()({ ...who, content: 'x', scene: 1 }));
    expect(busy).toBeInstanceOf(WeChatBusyError);
    expect(`${busy.message}${busy.stack}`).not.toContain(who.accessToken);
  });

  it('refuses an answer without a result it understands, and a WeChat that is down', async () => {
    const who = await visitor('eve');
    simulator.injectFault({ endpoint: 'msg_sec_check', kind: 'http', status: 200, body: '{"errcode":0,"result":{"suggest":"maybe"}}' });
    expect(await failure(msgSecCheck()({ ...who, content: 'x', scene: 1 }))).toBeInstanceOf(WeChatUnavailableError);
    simulator.injectFault({ endpoint: 'msg_sec_check', kind: 'reset' });
    expect(await failure(msgSecCheck()({ ...who, content: 'x', scene: 1 }))).toBeInstanceOf(WeChatUnavailableError);
  });
});
