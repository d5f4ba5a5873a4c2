import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeChatSimulator, type WeChatSimulator } from './wechat-simulator.js';

// Douyin's endpoints in the simulator, spoken to in Douyin's own wire format.
const GAME = { appid: 'ttsimgame0000001', secret: 'douyin-secret-1', platform: 'douyin' as const, openPlatform: 'studio' };
const SIBLING = { appid: 'ttsimgame0000002', secret: 'douyin-secret-2', platform: 'douyin' as const, openPlatform: 'studio' };
const WECHAT = { appid: 'wxsimgame0000009', secret: 'wechat-secret-9', openPlatform: 'studio' };
let clock = Date.parse('2026-12-01T08:00:00Z');
let simulator: WeChatSimulator;

beforeAll(async () => {
  simulator = await startWeChatSimulator({ apps: [GAME, SIBLING, WECHAT], now: () => clock });
});
afterAll(() => simulator.close());
beforeEach(() => simulator.clearFaults());

type Json = Record<string, any>;
const request = async (method: 'GET' | 'POST', path: string, query: Record<string, string>, body?: string): Promise<Json> => {
  const response = await fetch(`${simulator.url}${path}?${new URLSearchParams(query).toString()}`, {
    method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
  });
  return (await response.json()) as Json;
};
const flat = (query: Record<string, string>) => request('GET', '/mgplatform/api/apps/jscode2session', query);
const wrapped = (body: Record<string, string>) => request('POST', '/api/apps/v2/jscode2session', {}, JSON.stringify(body));
const token = (app = GAME) =>
  request('POST', '/mgplatform/api/apps/v2/token', {}, JSON.stringify({ appid: app.appid, secret: app.secret, grant_type: 'client_credential' }));
const hmac = (key: string, body: string) => createHmac('sha256', key).update(body).digest('hex');

describe("Douyin's jscode2session in the simulator", () => {
  it('answers the mini-game endpoint flat: openid, session_key, unionid of the studio (not WeChat’s), and refuses the code twice (40018)', async () => {
    const code = simulator.issueCode(GAME.appid, 'ann');
    const answer = await flat({ appid: GAME.appid, secret: GAME.secret, code });
    expect(answer).toEqual({
      error: 0,
      openid: simulator.openidFor(GAME.appid, 'ann'),
      session_key: simulator.sessionKeyFor(GAME.appid, 'ann'),
      anonymous_openid: '',
      unionid: expect.any(String),
    });
    expect(answer.session_key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    const sibling = await flat({ appid: SIBLING.appid, secret: SIBLING.secret, code: simulator.issueCode(SIBLING.appid, 'ann') });
    expect(sibling.unionid).toBe(answer.unionid);
    expect(sibling.openid).not.toBe(answer.openid);
    const wechat = (await request('GET', '/sns/jscode2session', {
      appid: WECHAT.appid,
      secret: WECHAT.secret,
      js_code: simulator.issueCode(WECHAT.appid, 'ann'),
      grant_type: 'authorization_code',
    })) as Json;
    expect(wechat.unionid).toEqual(expect.any(String));
    expect(wechat.unionid).not.toBe(answer.unionid);
    expect(await flat({ appid: GAME.appid, secret: GAME.secret, code })).toEqual({
      error: 1,
      errcode: 40018,
      errmsg: 'bad code',
      message: 'bad code',
    });
  });

  it('gives a guest its anonymous_openid alone, and both openids for code plus anonymous_code', async () => {
    const guest = await flat({ appid: GAME.appid, secret: GAME.secret, anonymous_code: simulator.issueAnonymousCode(GAME.appid, 'phone-1') });
    expect(guest).toEqual({
      error: 0,
      openid: '',
      session_key: '',
      unionid: '',
      anonymous_openid: simulator.anonymousOpenidFor(GAME.appid, 'phone-1'),
    });
    const both = await flat({
      appid: GAME.appid,
      secret: GAME.secret,
      code: simulator.issueCode(GAME.appid, 'bob'),
      anonymous_code: simulator.issueAnonymousCode(GAME.appid, 'phone-1'),
    });
    expect(both).toMatchObject({ error: 0, openid: simulator.openidFor(GAME.appid, 'bob'), anonymous_openid: guest.anonymous_openid });
  });

  it('answers each of its errcodes: 40014, 40015, 40017, 40018 (a code of another app), 40019', async () => {
    const errcodeOf = async (query: Record<string, string>) => (await flat(query)).errcode as number;
    expect(await errcodeOf({ appid: GAME.appid, secret: GAME.secret })).toBe(40014);
    expect(await errcodeOf({ appid: WECHAT.appid, secret: WECHAT.secret, code: simulator.issueCode(WECHAT.appid, 'ann') })).toBe(40015);
    expect(await errcodeOf({ appid: GAME.appid, secret: 'wrong', code: simulator.issueCode(GAME.appid, 'ann') })).toBe(40017);
    expect(await errcodeOf({ appid: GAME.appid, secret: GAME.secret, code: simulator.issueCode(SIBLING.appid, 'ann') })).toBe(40018);
    expect(await errcodeOf({ appid: GAME.appid, secret: GAME.secret, code: simulator.issueCode(GAME.appid, 'ann'), anonymous_code: 'nope' })).toBe(
      40019,
    );
  });

  it('answers the mini-app endpoint wrapped, {err_no, err_tips, log_id, data}, with the same codes and one count', async () => {
    const before = simulator.callCount('douyin_jscode2session');
    const answer = await wrapped({ appid: GAME.appid, secret: GAME.secret, code: simulator.issueCode(GAME.appid, 'cat') });
    expect(answer).toEqual({
      err_no: 0,
      err_tips: 'success',
      log_id: expect.any(String),
      data: {
        openid: simulator.openidFor(GAME.appid, 'cat'),
        session_key: simulator.sessionKeyFor(GAME.appid, 'cat'),
        anonymous_openid: '',
        unionid: expect.any(String),
      },
    });
    expect(await wrapped({ appid: GAME.appid, secret: 'wrong', code: 'x' })).toMatchObject({ err_no: 40017, err_tips: 'bad secret' });
    simulator.injectFault({ endpoint: 'douyin_jscode2session', kind: 'errcode', errcode: -1 });
    expect(await wrapped({ appid: GAME.appid, secret: GAME.secret, code: 'x' })).toMatchObject({ err_no: -1, data: { openid: '' } });
    simulator.injectFault({ endpoint: 'douyin_jscode2session', kind: 'errcode', errcode: -1 });
    expect(await flat({ appid: GAME.appid, secret: GAME.secret, code: 'x' })).toEqual({
      error: 1,
      errcode: -1,
      errmsg: 'system error',
      message: 'system error',
    });
    expect(simulator.callCount('douyin_jscode2session') - before).toBe(4);
  });

  it('gives codes over HTTP: /sim/login for a Douyin app, /sim/anonymous for a device (Douyin apps only)', async () => {
    const { code } = (await (await fetch(`${simulator.url}/sim/login?appid=${GAME.appid}&player=dee`)).json()) as { code: string };
    expect(await flat({ appid: GAME.appid, secret: GAME.secret, code })).toMatchObject({ openid: simulator.openidFor(GAME.appid, 'dee') });
    const anonymous = await (await fetch(`${simulator.url}/sim/anonymous?appid=${GAME.appid}&device=tablet&format=text`)).text();
    expect(await flat({ appid: GAME.appid, secret: GAME.secret, anonymous_code: anonymous })).toMatchObject({
      anonymous_openid: simulator.anonymousOpenidFor(GAME.appid, 'tablet'),
    });
    expect((await fetch(`${simulator.url}/sim/anonymous?appid=${WECHAT.appid}&device=tablet`)).status).toBe(400);
    expect((await fetch(`${simulator.url}/sim/anonymous?appid=${GAME.appid}`)).status).toBe(400);
  });
});

describe("Douyin's token and user storage in the simulator", () => {
  it('hands out a new token on every fetch and cuts the previous one to 5 minutes', async () => {
    const first = await token();
    expect(first).toMatchObject({ err_no: 0, data: { access_token: expect.any(String), expires_in: 7200 } });
    const second = await token();
    expect(second.data.access_token).not.toBe(first.data.access_token);
    expect(simulator.currentAccessToken(GAME.appid)).toBe(second.data.access_token);
    const code = simulator.issueCode(GAME.appid, 'eve');
    const { session_key: key, openid } = await flat({ appid: GAME.appid, secret: GAME.secret, code });
    const body = JSON.stringify({ kv_list: [{ key: 'score', value: '1' }] });
    const store = (accessToken: string) =>
      request(
        'POST',
        '/mgplatform/api/apps/set_user_storage',
        { access_token: accessToken, openid, sig_method: 'hmac_sha256', signature: hmac(key, body) },
        body,
      );
    clock += 4 * 60_000;
    expect(await store(first.data.access_token)).toEqual({ error: 0 });
    clock += 2 * 60_000;
    expect(await store(first.data.access_token)).toMatchObject({ error: 1, errcode: 28001003 });
    expect(await store(second.data.access_token)).toEqual({ error: 0 });
    expect(
      await request(
        'POST',
        '/mgplatform/api/apps/v2/token',
        {},
        JSON.stringify({ appid: GAME.appid, secret: 'no', grant_type: 'client_credential' }),
      ),
    ).toMatchObject({
      err_no: 40017,
      err_tips: 'bad secret',
      data: { access_token: '', expires_in: 0 },
    });
  });

  it("keeps what a request signed with the player's current session key sets, and refuses a stale key (28001039)", async () => {
    const accessToken = (await token()).data.access_token as string;
    const first = await flat({ appid: GAME.appid, secret: GAME.secret, code: simulator.issueCode(GAME.appid, 'fay') });
    const call = (path: string, body: string, key: string) =>
      request(
        'POST',
        `/mgplatform/api/apps/${path}`,
        { access_token: accessToken, openid: first.openid, sig_method: 'hmac_sha256', signature: hmac(key, body) },
        body,
      );
    const set = JSON.stringify({
      kv_list: [
        { key: 'score', value: '{"ttgame":{"score":9}}' },
        { key: 'gold', value: '7' },
      ],
    });
    expect(await call('set_user_storage', set, first.session_key)).toEqual({ error: 0 });
    expect(simulator.userStorage(GAME.appid, 'fay')).toEqual({ score: '{"ttgame":{"score":9}}', gold: '7' });
    const remove = JSON.stringify({ key: ['gold'] });
    expect(await call('remove_user_storage', remove, first.session_key)).toEqual({ error: 0 });
    expect(simulator.userStorage(GAME.appid, 'fay')).toEqual({ score: '{"ttgame":{"score":9}}' });
    await flat({ appid: GAME.appid, secret: GAME.secret, code: simulator.issueCode(GAME.appid, 'fay') });
    expect(await call('set_user_storage', set, first.session_key)).toMatchObject({ error: 1, errcode: 28001039 });
    expect(
      await call('set_user_storage', JSON.stringify({ kv_list: [{ key: 'k'.repeat(129), value: '' }] }), simulator.sessionKeyFor(GAME.appid, 'fay')!),
    ).toMatchObject({
      errcode: 40009,
    });
    expect(
      await call(
        'set_user_storage',
        JSON.stringify({ kv_list: [{ key: 'k', value: 'v'.repeat(1024) }] }),
        simulator.sessionKeyFor(GAME.appid, 'fay')!,
      ),
    ).toMatchObject({
      errcode: 40010,
    });
  });
});
