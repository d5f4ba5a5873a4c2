import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeChatSimulator, type WeChatSimulator } from '../wechat-simulator.js';

// The /wxa/game/* endpoints spoken to in WeChat's wire format, signatures made here by hand.
const PAY = { offerId: '1450000003', appKey: 'live-key-coins', sandboxAppKey: 'sandbox-key-coins', zoneId: '1' };
const GAME = { appid: 'wxcoinendpoint01', secret: 'coin-secret-1', pay: PAY };
const NO_PAY = { appid: 'wxcoinendpoint02', secret: 'coin-secret-2' };
let simulator: WeChatSimulator;

beforeAll(async () => {
  simulator = await startWeChatSimulator({ apps: [GAME, NO_PAY] });
});
afterAll(() => simulator.close());
beforeEach(() => simulator.clearFaults());

const hmac = (key: string, data: string) => createHmac('sha256', key).update(data).digest('hex');
type Json = Record<string, any>;

async function login(appid: string, secret: string, player: string) {
  const code = simulator.issueCode(appid, player);
  const session = (await (
    await fetch(`${simulator.url}/sns/jscode2session?appid=${appid}&secret=${secret}&js_code=${code}&grant_type=authorization_code`)
  ).json()) as Json;
  const token = (await (
    await fetch(`${simulator.url}/cgi-bin/stable_token`, { method: 'POST', body: JSON.stringify({ grant_type: 'client_credential', appid, secret }) })
  ).json()) as Json;
  return { openid: session.openid as string, sessionKey: session.session_key as string, accessToken: token.access_token as string };
}

/** POSTs a coin call; `tweak` changes the query before it is sent. */
async function call(
  name: string,
  who: { openid: string; sessionKey: string; accessToken: string },
  fields: Json,
  tweak: (q: Json) => void = () => {},
) {
  const body = JSON.stringify({ openid: who.openid, offer_id: PAY.offerId, ts: 1700000000, zone_id: '1', env: 1, user_ip: '127.0.0.1', ...fields });
  const env = JSON.parse(body).env === 0 ? 0 : 1;
  const query: Json = {
    access_token: who.accessToken,
    signature: hmac(who.sessionKey, body),
    sig_method: 'hmac_sha256',
    pay_sig: hmac(env ? PAY.sandboxAppKey : PAY.appKey, `/wxa/game/${name}&${body}`),
  };
  tweak(query);
  const response = await fetch(`${simulator.url}/wxa/game/${name}?${new URLSearchParams(query).toString()}`, { method: 'POST', body });
  return (await response.json()) as Json;
}

describe('the simulator’s /wxa/game/* endpoints', () => {
  it('refuses uppercase hex and one digit off: signature 90010, pay_sig 90011', async () => {
    const who = await login(GAME.appid, GAME.secret, 'ann');
    expect(await call('getbalance', who, {})).toMatchObject({ errcode: 0, balance: 0 });
    expect(await call('getbalance', who, {}, (q) => (q.signature = q.signature.toUpperCase()))).toMatchObject({ errcode: 90010 });
    expect(await call('getbalance', who, {}, (q) => (q.pay_sig = q.pay_sig.toUpperCase()))).toMatchObject({ errcode: 90011 });
    expect(
      await call('getbalance', who, {}, (q) => (q.signature = `${q.signature.slice(0, -1)}${q.signature.endsWith('a') ? 'b' : 'a'}`)),
    ).toMatchObject({
      errcode: 90010,
    });
    expect(await call('getbalance', who, { env: 0 }, (q) => (q.pay_sig = hmac(PAY.sandboxAppKey, `/wxa/game/getbalance&x`)))).toMatchObject({
      errcode: 90011,
    });
    expect(await call('getbalance', who, {}, (q) => (q.sig_method = 'sha256'))).toMatchObject({ errcode: 90010 });
  });

  it('keeps balances per env, answers a bill_no again with 90012, and a pay above the balance with 90013', async () => {
    const who = await login(GAME.appid, GAME.secret, 'bob');
    simulator.setCoinBalance(GAME.appid, 'bob', 1, 10);
    expect(await call('pay', who, { amount: 4, bill_no: 'b-1' })).toMatchObject({ errcode: 0, bill_no: 'b-1', balance: 6 });
    expect(await call('pay', who, { amount: 4, bill_no: 'b-1' })).toMatchObject({ errcode: 90012 });
    expect(await call('pay', who, { amount: 7, bill_no: 'b-2' })).toMatchObject({ errcode: 90013 });
    expect(await call('pay', who, { amount: 1, bill_no: 'b-3', env: 0 })).toMatchObject({ errcode: 90013 });
    expect(simulator.coinBalance(GAME.appid, 'bob', 1)).toBe(6);
    expect(simulator.coinBalance(GAME.appid, 'bob', 0)).toBe(0);
    expect(await call('pay', who, { amount: 0, bill_no: 'b-4' })).toMatchObject({ errcode: 90018 });
    expect(await call('pay', who, { amount: 1, bill_no: '_b-5' })).toMatchObject({ errcode: 90018 });
  });

  it('refuses an app without pay settings (90017), another offer or zone (90018), a missing token (41001), and answers faults', async () => {
    const other = await login(NO_PAY.appid, NO_PAY.secret, 'cal');
    expect(await call('getbalance', other, {})).toMatchObject({ errcode: 90017 });
    const who = await login(GAME.appid, GAME.secret, 'cal');
    expect(await call('getbalance', who, { offer_id: '1' })).toMatchObject({ errcode: 90018 });
    expect(await call('getbalance', who, { zone_id: '2' })).toMatchObject({ errcode: 90018 });
    expect(await call('getbalance', who, {}, (q) => delete q.access_token)).toMatchObject({ errcode: 41001 });
    const calls = simulator.callCount('game_pay');
    simulator.injectFault({ endpoint: 'game_pay', kind: 'errcode', errcode: -1 });
    simulator.setCoinBalance(GAME.appid, 'cal', 1, 3);
    expect(await call('pay', who, { amount: 1, bill_no: 'c-1' })).toMatchObject({ errcode: -1 });
    expect(simulator.coinBalance(GAME.appid, 'cal', 1)).toBe(3);
    expect(await call('pay', who, { amount: 1, bill_no: 'c-1' })).toMatchObject({ errcode: 0, balance: 2 });
    expect(simulator.callCount('game_pay')).toBe(calls + 2);
  });
});
