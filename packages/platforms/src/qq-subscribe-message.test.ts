import { AccessTokenInvalidError, createHttpTransport, MemoryAccessTokenStore } from '@minigate/wechat';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeChatSimulator, type WeChatSimulator } from '../../wechat-sim/src/index.js';
import { qqErrcodeTable } from './errcodes.js';
import {
  PlatformAccessTokenInvalidError,
  PlatformErrcodeError,
  platformErrcodeError,
  PlatformMisconfiguredError,
  PlatformTimeoutError,
  QQSubscribeDataInvalidError,
  QQSubscribeLimitedError,
  QQSubscribeNotSubscribedError,
  QQSubscribeRefusedError,
  QQSubscribeTemplateInvalidError,
} from './errors.js';
import { createQQApi } from './platform-api.js';

const GAME = { appid: '1110000202', secret: 'qq-subscribe-secret-1', platform: 'qq' as const };
const TEMPLATE = 'qqTmplReward01';
let simulator: WeChatSimulator;
const http = createHttpTransport({ timeoutMs: 300 });

beforeAll(async () => {
  simulator = await startWeChatSimulator({ apps: [GAME] });
});
afterAll(async () => {
  http.close();
  await simulator.close();
});
beforeEach(() => simulator.clearFaults());

const api = (tokenStore = new MemoryAccessTokenStore()) =>
  createQQApi({ app: { ...GAME, apiBase: simulator.url }, transport: http.send, tokenStore });
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: Error) => error,
  );
const message = (player: string, data: Record<string, { value: string | number }> = { keyword1: { value: 'Your reward' } }) => ({
  touser: simulator.openidFor(GAME.appid, player),
  templateId: TEMPLATE,
  data,
});
const sends = () => simulator.callCount('qq_subscribe_send');

describe("QQ's SendSubscriptionMessage", () => {
  it('POSTs {touser, template_id, page, data} with the access token in the query, and spends the player’s accept', async () => {
    const qq = api();
    simulator.acceptSubscription(GAME.appid, 'ann', TEMPLATE);
    await qq.sendSubscriptionMessage({ ...message('ann'), page: 'index?from=mail' });
    const sent = simulator.requestLog.filter((request) => request.endpoint === 'qq_subscribe_send').at(-1);
    expect(sent).toMatchObject({ method: 'POST', query: { access_token: await qq.tokens.getAccessToken() } });
    expect(JSON.parse(sent?.body ?? '')).toEqual({
      touser: simulator.openidFor(GAME.appid, 'ann'),
      template_id: TEMPLATE,
      page: 'index?from=mail',
      data: { keyword1: { value: 'Your reward' } },
    });
    expect(simulator.subscriptionsLeft(GAME.appid, 'ann', TEMPLATE)).toBe(0);
    expect(simulator.subscribeMessages(GAME.appid, 'ann')).toMatchObject([{ templateId: TEMPLATE, page: 'index?from=mail' }]);
    // The accept is spent: QQ answers 46001.
    const again = await failureOf(qq.sendSubscriptionMessage(message('ann')));
    expect(again).toBeInstanceOf(QQSubscribeNotSubscribedError);
    expect(again).toMatchObject({ platform: 'qq', errcode: 46001, retryable: false });
  });

  it("turns the simulator's refusals into their errors: 40035 bad data, 40037 no template, 40003 an unknown openid", async () => {
    const qq = api();
    simulator.acceptSubscription(GAME.appid, 'bob', TEMPLATE);
    const bad: Array<Record<string, { value: string | number }>> = [{ keyword1: { value: '' } }, { keyword1: 'flat' as never }, {}];
    for (const data of bad) {
      const refused = await failureOf(qq.sendSubscriptionMessage(message('bob', data)));
      expect(refused, JSON.stringify(data)).toBeInstanceOf(QQSubscribeDataInvalidError);
      expect(refused).toMatchObject({ errcode: 40035 });
    }
    expect(await failureOf(qq.sendSubscriptionMessage({ ...message('bob'), templateId: '' }))).toBeInstanceOf(QQSubscribeTemplateInvalidError);
    const stranger = await failureOf(qq.sendSubscriptionMessage({ ...message('bob'), touser: 'o-nobody' }));
    expect(stranger).toMatchObject({ name: 'QQOpenidInvalidError', errcode: 40003 });
    // None of them spent bob's accept.
    expect(simulator.subscriptionsLeft(GAME.appid, 'bob', TEMPLATE)).toBe(1);
  });

  it("gives QQ's other errcodes their errors, and keeps the access token out of messages", async () => {
    const qq = api();
    const token = await qq.tokens.getAccessToken();
    const cases: Array<[number, (error: Error) => void]> = [
      [46003, (error) => expect(error).toBeInstanceOf(QQSubscribeRefusedError)],
      [41030, (error) => expect(error).toMatchObject({ name: 'QQSubscribeTooFastError', retryable: true })],
      [46002, (error) => expect(error).toMatchObject({ name: 'QQSubscribeDailyLimitError', retryable: true })],
      [47001, (error) => expect(error).toMatchObject({ name: 'QQSubscribeForbiddenError', retryable: false })],
      [46005, (error) => expect(error).toBeInstanceOf(PlatformMisconfiguredError)],
      [40036, (error) => expect(error).toMatchObject({ name: 'QQSubscribeInternalError' })],
      [99999, (error) => expect(error).toMatchObject({ name: 'QQUnknownError' })],
    ];
    for (const [errcode, check] of cases) {
      simulator.injectFault({ endpoint: 'qq_subscribe_send', kind: 'errcode', errcode, errmsg: `refused ${token}` });
      const error = await failureOf(qq.sendSubscriptionMessage(message('cat')));
      expect(error, String(errcode)).toBeInstanceOf(PlatformErrcodeError);
      expect(error).toMatchObject({ platform: 'qq', errcode });
      expect(error.message).toContain(`errcode ${errcode}`);
      expect(error.message).not.toContain(token);
      check(error);
    }
    expect(await failureOf(qq.sendSubscriptionMessage(message('cat')))).toBeInstanceOf(QQSubscribeNotSubscribedError);
    for (const errcode of [41030, 46002]) {
      simulator.injectFault({ endpoint: 'qq_subscribe_send', kind: 'errcode', errcode });
      expect(await failureOf(qq.sendSubscriptionMessage(message('cat')))).toBeInstanceOf(QQSubscribeLimitedError);
    }
    simulator.injectFault({ endpoint: 'qq_subscribe_send', kind: 'timeout' });
    expect(await failureOf(qq.sendSubscriptionMessage(message('cat')))).toBeInstanceOf(PlatformTimeoutError);
  });

  it('40014: fetches a new token once and sends again; a second 40014 reaches the caller', async () => {
    const qq = api();
    const old = await qq.tokens.getAccessToken();
    simulator.revokeAccessTokens(GAME.appid);
    simulator.acceptSubscription(GAME.appid, 'dee', TEMPLATE);
    const before = { token: simulator.callCount('qq_token'), send: sends() };
    await qq.sendSubscriptionMessage(message('dee'));
    expect([simulator.callCount('qq_token') - before.token, sends() - before.send]).toEqual([1, 2]);
    expect(await qq.tokens.getAccessToken()).not.toBe(old);
    expect(simulator.subscribeMessages(GAME.appid, 'dee')).toHaveLength(1);

    simulator.injectFault({ endpoint: 'qq_subscribe_send', kind: 'errcode', errcode: 40014 }, 2);
    const sendsBefore = sends();
    const refused = await failureOf(qq.sendSubscriptionMessage(message('dee')));
    expect(refused).toBeInstanceOf(PlatformAccessTokenInvalidError);
    expect(refused).toBeInstanceOf(AccessTokenInvalidError);
    expect(refused).toMatchObject({ platform: 'qq', platformErrcode: 40014, name: 'QQAccessTokenInvalidError' });
    expect(sends() - sendsBefore).toBe(2);
  });

  it('the simulator answers a token that is not the current one 40014', async () => {
    const answer = await fetch(`${simulator.url}/api/json/subscribe/SendSubscriptionMessage?access_token=forged`, {
      method: 'POST',
      body: JSON.stringify(message('eve')),
    });
    expect(((await answer.json()) as { errcode?: number }).errcode).toBe(40014);
  });

  it("reads QQ's 40014 as a refused token in every QQ table that lists it", () => {
    const error = platformErrcodeError('qq', qqErrcodeTable(['QQAccessTokenInvalidError']), 40014, 'expired');
    expect(error).toBeInstanceOf(PlatformAccessTokenInvalidError);
    expect(error).toMatchObject({ errcode: 40001, platformErrcode: 40014, retryable: true });
  });
});
