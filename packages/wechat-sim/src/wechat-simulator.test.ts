import { createDecipheriv, createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeChatSimulator, type WeChatSimulator } from './wechat-simulator.js';

// The simulator spoken to in WeChat's own wire format, without the WeChat client of packages/wechat
// (test/wechat-simulator.test.ts and packages/wechat's tests check it through that client).
const APP = { appid: 'wxsimunittest001', secret: 'sim-unit-test-secret' };
const OTHER = { appid: 'wxsimunittest002', secret: 'sim-unit-test-secret-2', openPlatform: 'studio' };
let clock = Date.parse('2026-12-01T08:00:00Z');
let simulator: WeChatSimulator;

beforeAll(async () => {
  simulator = await startWeChatSimulator({
    apps: [APP, OTHER],
    now: () => clock,
    contentRules: [
      { word: 'forbidden', suggest: 'risky', label: 20006 },
      { word: 'dubious', suggest: 'review' },
    ],
  });
});
afterAll(() => simulator.close());
beforeEach(() => simulator.clearFaults());

type Json = Record<string, any>;
const get = async (path: string, query: Record<string, string> = {}): Promise<Json> =>
  (await fetch(`${simulator.url}${path}?${new URLSearchParams(query).toString()}`)).json() as Promise<Json>;
const post = async (path: string, query: Record<string, string>, body: unknown): Promise<Json> =>
  (await fetch(`${simulator.url}${path}?${new URLSearchParams(query).toString()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }).then((r) => r.json())) as Json;
const stableToken = (force = false, app = APP) =>
  post('/cgi-bin/stable_token', {}, { grant_type: 'client_credential', appid: app.appid, secret: app.secret, force_refresh: force });
const login = async (player: string, app = APP) =>
  (await get('/sns/jscode2session', {
    appid: app.appid,
    secret: app.secret,
    js_code: simulator.issueCode(app.appid, player),
    grant_type: 'authorization_code',
  })) as { openid: string; session_key: string };
const hmac = (key: string, body: string) => createHmac('sha256', key).update(body).digest('hex');
const decrypt = (encryptedData: string, iv: string, sessionKey: string): Json => {
  const decipher = createDecipheriv('aes-128-cbc', Buffer.from(sessionKey, 'base64'), Buffer.from(iv, 'base64'));
  return JSON.parse(Buffer.concat([decipher.update(Buffer.from(encryptedData, 'base64')), decipher.final()]).toString('utf8')) as Json;
};

describe('stable_token in the simulator', () => {
  it('keeps one token, hands out the next in the last 300 s, keeps the previous valid until it expires, and counts calls', async () => {
    simulator.revokeAccessTokens(APP.appid);
    const before = simulator.callCount('stable_token');
    const first = await stableToken();
    expect(first).toMatchObject({ access_token: expect.any(String), expires_in: 7200 });
    clock += 6_000_000;
    expect((await stableToken()).access_token).toBe(first.access_token);
    clock += 1_000_000;
    const second = await stableToken();
    expect(second.access_token).not.toBe(first.access_token);
    const { session_key: key, openid } = await login('ann');
    const check = (token: string) => get('/wxa/checksession', { access_token: token, openid, signature: hmac(key, ''), sig_method: 'hmac_sha256' });
    expect(await check(first.access_token)).toMatchObject({ errcode: 0 });
    clock += 200_001;
    expect(await check(first.access_token)).toMatchObject({ errcode: 42001 });
    expect(await check(second.access_token)).toMatchObject({ errcode: 0 });
    expect(simulator.callCount('stable_token') - before).toBe(3);
  });

  it('force_refresh invalidates the previous token at once, refreshes at most every 30 s, and 20 times a day', async () => {
    clock += 86_400_000;
    const { session_key: key, openid } = await login('ben');
    const check = (token: string) => get('/wxa/checksession', { access_token: token, openid, signature: hmac(key, ''), sig_method: 'hmac_sha256' });
    const before = (await stableToken()).access_token as string;
    const forced = (await stableToken(true)).access_token as string;
    expect(forced).not.toBe(before);
    expect(await check(before)).toMatchObject({ errcode: 40001 });
    expect(await check(forced)).toMatchObject({ errcode: 0 });
    expect((await stableToken(true)).access_token).toBe(forced);
    const forcedSoFar = simulator.forceRefreshCount(APP.appid);
    for (let i = 1; i < 20; i++) {
      clock += 30_000;
      expect((await stableToken(true)).access_token).toBeTypeOf('string');
    }
    clock += 30_000;
    expect(await stableToken(true)).toMatchObject({ errcode: 45009 });
    expect(simulator.forceRefreshCount(APP.appid) - forcedSoFar).toBe(19);
  });

  it('answers like WeChat for a GET, a wrong secret, an unknown appid and a bad grant_type', async () => {
    expect(await get('/cgi-bin/stable_token')).toMatchObject({ errcode: 43002 });
    expect(await stableToken(false, { ...APP, secret: 'wrong' })).toMatchObject({ errcode: 40125 });
    expect(await stableToken(false, { appid: 'wxnope', secret: 'x' })).toMatchObject({ errcode: 40013 });
    expect(await post('/cgi-bin/stable_token', {}, { grant_type: 'password', appid: APP.appid, secret: APP.secret })).toMatchObject({
      errcode: 40002,
    });
    expect(await post('/cgi-bin/stable_token', {}, 'not json')).toMatchObject({ errcode: 47001 });
  });

  it('tells a missing, malformed, unknown and revoked access token apart', async () => {
    const { session_key: key, openid } = await login('cat');
    const query = { openid, signature: hmac(key, ''), sig_method: 'hmac_sha256' };
    expect(await get('/wxa/checksession', query)).toMatchObject({ errcode: 41001 });
    expect(await get('/wxa/checksession', { ...query, access_token: 'short' })).toMatchObject({ errcode: 40014 });
    expect(await get('/wxa/checksession', { ...query, access_token: 'x'.repeat(40) })).toMatchObject({ errcode: 40001 });
    const token = (await stableToken()).access_token as string;
    simulator.revokeAccessTokens(APP.appid);
    expect(await get('/wxa/checksession', { ...query, access_token: token })).toMatchObject({ errcode: 40001 });
    expect(simulator.currentAccessToken(APP.appid)).toBe(token);
  });
});

describe('signed calls, phone codes and content checks in the simulator', () => {
  it('checks the session signature against the current session key only', async () => {
    const token = (await stableToken()).access_token as string;
    const { session_key: oldKey, openid } = await login('dan');
    const { session_key: newKey } = await login('dan');
    expect(simulator.sessionKeyFor(APP.appid, 'dan')).toBe(newKey);
    const check = (key: string, sigMethod = 'hmac_sha256') =>
      get('/wxa/checksession', { access_token: token, openid, signature: hmac(key, ''), sig_method: sigMethod });
    expect(await check(newKey)).toMatchObject({ errcode: 0 });
    expect(await check(oldKey)).toMatchObject({ errcode: 87009 });
    expect(await check(newKey, 'hmac_sha1')).toMatchObject({ errcode: 87009 });
    expect(
      await get('/wxa/checksession', { access_token: token, openid: 'ounknown', signature: hmac(newKey, ''), sig_method: 'hmac_sha256' }),
    ).toMatchObject({
      errcode: 40003,
    });
  });

  it('keeps user storage per player, verifying the signature over the bytes received', async () => {
    const token = (await stableToken()).access_token as string;
    const { session_key: key, openid } = await login('eli');
    const query = (body: string) => ({ access_token: token, openid, signature: hmac(key, body), sig_method: 'hmac_sha256' });
    const body = '{"kv_list":[{"key":"score","value":"{\\"wxgame\\":{\\"score\\":16}}"},{"key":"gold","value":"3000"}]}';
    expect(await post('/wxa/set_user_storage', query(body), body)).toMatchObject({ errcode: 0 });
    expect(simulator.userStorage(APP.appid, 'eli')).toEqual({ score: '{"wxgame":{"score":16}}', gold: '3000' });
    // The same JSON with one more space: the signature of the original bytes no longer fits.
    expect(await post('/wxa/set_user_storage', query(body), body.replace(':[', ': ['))).toMatchObject({ errcode: 87009 });
    const remove = '{"key":["gold"]}';
    expect(await post('/wxa/remove_user_storage', query(remove), remove)).toMatchObject({ errcode: 0 });
    expect(simulator.userStorage(APP.appid, 'eli')).toEqual({ score: '{"wxgame":{"score":16}}' });
    expect(simulator.userStorage(APP.appid, 'someone-else')).toEqual({});
  });

  it('applies the user storage limits: 87019, 87016, 87018, and nothing stored from a refused request', async () => {
    const token = (await stableToken()).access_token as string;
    const { session_key: key, openid } = await login('fox');
    const set = (kvList: Array<{ key: string; value: string }>) => {
      const body = JSON.stringify({ kv_list: kvList });
      return post('/wxa/set_user_storage', { access_token: token, openid, signature: hmac(key, body), sig_method: 'hmac_sha256' }, body);
    };
    expect(await set([{ key: 'k'.repeat(129), value: '' }])).toMatchObject({ errcode: 87019 });
    expect(await set([{ key: 'k'.repeat(128), value: 'v'.repeat(896) }])).toMatchObject({ errcode: 0 });
    expect(await set([{ key: 'k', value: 'v'.repeat(1024) }])).toMatchObject({ errcode: 87016 });
    const many = Array.from({ length: 128 }, (_, i) => ({ key: `key${i}`, value: '1' }));
    expect(await set(many)).toMatchObject({ errcode: 87018 });
    expect(Object.keys(simulator.userStorage(APP.appid, 'fox'))).toHaveLength(1);
  });

  it('exchanges a phone code once, for its own app, within 5 minutes', async () => {
    const token = (await stableToken()).access_token as string;
    const phone = (code: string, accessToken = token) => post('/wxa/business/getuserphonenumber', { access_token: accessToken }, { code });
    const code = simulator.issuePhoneCode(APP.appid, 'gia', '13800138000');
    expect(await phone(code)).toEqual({
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        phoneNumber: '13800138000',
        purePhoneNumber: '13800138000',
        countryCode: '86',
        watermark: { timestamp: Math.floor(clock / 1000), appid: APP.appid },
      },
    });
    expect(await phone(code)).toMatchObject({ errcode: 40029 });
    expect(await phone(simulator.issuePhoneCode(OTHER.appid, 'gia', '13800138000'))).toMatchObject({ errcode: 40029 });
    const late = simulator.issuePhoneCode(APP.appid, 'gia', '13800138000');
    clock += 5 * 60_000 + 1;
    expect(await phone(late)).toMatchObject({ errcode: 40029 });
    expect(await phone('')).toMatchObject({ errcode: 41008 });
  });

  it('judges text by its word list (v2 with a result, v1 with 87014), for a player who visited recently', async () => {
    const token = (await stableToken()).access_token as string;
    const { openid } = await login('hal');
    const check = (content: string, extra: Json = {}) =>
      post('/wxa/msg_sec_check', { access_token: token }, { content, version: 2, scene: 1, openid, ...extra });
    expect(await check('hello')).toMatchObject({ errcode: 0, result: { suggest: 'pass', label: 100 } });
    expect(await check('a FORBIDDEN name')).toMatchObject({ result: { suggest: 'risky', label: 20006 }, detail: expect.any(Array) });
    expect(await check('hello', { nickname: 'dubious' })).toMatchObject({ result: { suggest: 'review', label: 21000 } });
    expect(await check('a forbidden and dubious name')).toMatchObject({ result: { suggest: 'risky' } });
    expect(await check('hello', { scene: 9 })).toMatchObject({ errcode: 47001 });
    expect(await check('hello', { openid: 'ostranger' })).toMatchObject({ errcode: 40003 });
    expect(await post('/wxa/msg_sec_check', { access_token: token }, { content: 'forbidden' })).toMatchObject({ errcode: 87014 });
    simulator.setContentRules([{ word: 'hello', suggest: 'risky' }]);
    expect(await check('hello')).toMatchObject({ result: { suggest: 'risky' } });
    simulator.setContentRules([
      { word: 'forbidden', suggest: 'risky', label: 20006 },
      { word: 'dubious', suggest: 'review' },
    ]);
    clock += 2 * 3600_000 + 1;
    const later = (await stableToken()).access_token as string;
    expect(await post('/wxa/msg_sec_check', { access_token: later }, { content: 'hello', version: 2, scene: 1, openid })).toMatchObject({
      errcode: 61010,
    });
  });
});

describe('user info in the simulator', () => {
  it('encrypts the player’s user info with its current session key, with a watermark and a rawData signature', async () => {
    const { session_key: key, openid } = await login('ida', OTHER);
    simulator.setUserProfile(OTHER.appid, 'ida', { nickName: 'Ida 🐱', gender: 2, city: 'Guangzhou' });
    const info = simulator.userInfoFor(OTHER.appid, 'ida', { avatarUrl: 'https://example.com/a.png' });
    expect(info.userInfo).toMatchObject({ nickName: 'Ida 🐱', gender: 2, city: 'Guangzhou', avatarUrl: 'https://example.com/a.png' });
    expect(JSON.parse(info.rawData)).toEqual(info.userInfo);
    expect(info.signature).toBe(
      createHash('sha1')
        .update(info.rawData + key)
        .digest('hex'),
    );
    const decrypted = decrypt(info.encryptedData, info.iv, key);
    expect(decrypted).toMatchObject({ openId: openid, nickName: 'Ida 🐱', unionId: expect.stringMatching(/^u/) });
    expect(decrypted.watermark).toEqual({ timestamp: Math.floor(clock / 1000), appid: OTHER.appid });
    expect(simulator.userInfoFor(OTHER.appid, 'ida', {}, { timestamp: 1477314187 }).encryptedData).not.toBe(info.encryptedData);
  });

  it('encrypts with the new key after a re-login: the old one no longer opens it', async () => {
    const { session_key: oldKey } = await login('jo');
    const { session_key: newKey } = await login('jo');
    const info = simulator.userInfoFor(APP.appid, 'jo');
    expect(decrypt(info.encryptedData, info.iv, newKey)).toMatchObject({ nickName: 'jo' });
    expect(() => decrypt(info.encryptedData, info.iv, oldKey)).toThrow();
  });

  it("keeps the key across logins in 'on-demand' rotation, and rotateSessionKey changes it as an unseen wx.login would", async () => {
    simulator.setSessionKeyRotation('on-demand');
    try {
      const { session_key: first } = await login('lu');
      expect((await login('lu')).session_key).toBe(first);
      const rotated = simulator.rotateSessionKey(APP.appid, 'lu');
      expect(rotated).not.toBe(first);
      expect(simulator.sessionKeyFor(APP.appid, 'lu')).toBe(rotated);
      expect((await login('lu')).session_key).toBe(rotated);
    } finally {
      simulator.setSessionKeyRotation('every-login');
    }
    const { session_key: again } = await login('lu');
    expect((await login('lu')).session_key).not.toBe(again);
  });

  it('refuses user info for a player who never logged in, over HTTP too', async () => {
    expect(() => simulator.userInfoFor(APP.appid, 'nobody')).toThrow(/not logged in/);
    expect((await fetch(`${simulator.url}/sim/userinfo?player=nobody`)).status).toBe(409);
    await login('kai');
    const res = await fetch(`${simulator.url}/sim/userinfo`, { method: 'POST', body: JSON.stringify({ player: 'kai', profile: { nickName: 'K' } }) });
    expect(((await res.json()) as Json).userInfo).toMatchObject({ nickName: 'K' });
  });
});

describe('faults in the simulator', () => {
  it('queues a fault for its endpoint only, and a standing fault until it is switched off', async () => {
    simulator.injectFault({ endpoint: 'stable_token', kind: 'errcode', errcode: -1 });
    expect(await login('lee')).toMatchObject({ openid: expect.any(String) });
    expect(await stableToken()).toMatchObject({ errcode: -1 });
    expect(await stableToken()).toMatchObject({ access_token: expect.any(String) });
    simulator.setFault('stable_token', { kind: 'errcode', errcode: 45011 });
    expect(await stableToken()).toMatchObject({ errcode: 45011 });
    expect(await stableToken()).toMatchObject({ errcode: 45011 });
    simulator.setFault('stable_token', null);
    expect(await stableToken()).toMatchObject({ access_token: expect.any(String) });
    // Without an endpoint, a fault is jscode2session's (as it always was).
    simulator.injectFault({ kind: 'errcode', errcode: 40226 });
    expect(await login('lee')).toMatchObject({ errcode: 40226 });
  });

  it('answers late, not at all, with a dropped connection, or with an HTML page', async () => {
    simulator.injectFault({ endpoint: 'stable_token', kind: 'delay', ms: 150 });
    const started = Date.now();
    expect(await stableToken()).toMatchObject({ access_token: expect.any(String) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    simulator.injectFault({ endpoint: 'stable_token', kind: 'timeout' });
    await expect(fetch(`${simulator.url}/cgi-bin/stable_token`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(200) })).rejects.toThrow();
    simulator.injectFault({ endpoint: 'msg_sec_check', kind: 'reset' });
    await expect(fetch(`${simulator.url}/wxa/msg_sec_check`, { method: 'POST', body: '{}' })).rejects.toThrow();
    simulator.injectFault({ endpoint: 'getuserphonenumber', kind: 'http', status: 503, body: '<html>busy</html>' });
    const page = await fetch(`${simulator.url}/wxa/business/getuserphonenumber`, { method: 'POST', body: '{}' });
    expect(page.status).toBe(503);
    expect(await page.text()).toBe('<html>busy</html>');
    expect(simulator.callCount('msg_sec_check')).toBeGreaterThanOrEqual(1);
  });

  it('refuses connections while unreachable and serves on the same URL again afterwards', async () => {
    await simulator.setReachable(false);
    await expect(fetch(`${simulator.url}/sim/login?player=x`)).rejects.toThrow();
    await simulator.setReachable(true);
    expect((await fetch(`${simulator.url}/sim/login?player=x`)).status).toBe(200);
  });
});
