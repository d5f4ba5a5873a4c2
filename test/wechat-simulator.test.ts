import {
  AccessTokenManager,
  createCheckSessionKey,
  createCode2Session,
  createGetPhoneNumber,
  createGetStableToken,
  createHttpTransport,
  createMsgSecCheck,
  createSetUserStorage,
  CodeInvalidError,
  MemoryAccessTokenStore,
  openEncryptedData,
  SessionKeyStaleError,
  verifyRawDataSignature,
  WatermarkTooOldError,
  CodeUsedError,
  FrequencyLimitError,
  InvalidAppIdError,
  InvalidSecretError,
  type WeChatError,
} from '@minigate/wechat';
import { startWeChatSimulator, type WeChatSimulator } from '@minigate/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The simulator checked through the real WeChat client, over real HTTP.
const GAME = { appid: 'wxsimgame000001', secret: 'sim-secret-game-1' };
const OTHER = { appid: 'wxsimgame000002', secret: 'sim-secret-game-2', openPlatform: 'studio' };
const SIBLING = { appid: 'wxsimgame000003', secret: 'sim-secret-game-3', openPlatform: 'studio' };

let clock = Date.parse('2026-11-21T08:00:00Z');
let simulator: WeChatSimulator;
const transport = createHttpTransport();
const exchange = (app: { appid: string; secret: string }, code: string) =>
  createCode2Session({ apiBase: simulator.url, appid: app.appid, secret: app.secret }, transport.send)(code);
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: WeChatError) => error,
  );

beforeAll(async () => {
  simulator = await startWeChatSimulator({ apps: [GAME, OTHER, SIBLING], now: () => clock, callsPerPlayerPerMinute: 5 });
});
afterAll(async () => {
  transport.close();
  await simulator.close();
});

describe('the WeChat simulator', () => {
  it('gives a stable openid per (appid, player), a fresh session_key every login, and no unionid without an open platform', async () => {
    const first = await exchange(GAME, simulator.issueCode(GAME.appid, 'pat'));
    const second = await exchange(GAME, simulator.issueCode(GAME.appid, 'pat'));
    const otherPlayer = await exchange(GAME, simulator.issueCode(GAME.appid, 'quinn'));
    const otherApp = await exchange(OTHER, simulator.issueCode(OTHER.appid, 'pat'));
    expect(second.openid).toBe(first.openid);
    expect(first.openid).toBe(simulator.openidFor(GAME.appid, 'pat'));
    expect(second.sessionKey).not.toBe(first.sessionKey);
    expect(Buffer.from(first.sessionKey, 'base64')).toHaveLength(16);
    expect(otherPlayer.openid).not.toBe(first.openid);
    expect(otherApp.openid).not.toBe(first.openid);
    expect(first.unionid).toBeNull();
  });

  it('gives the same unionid in two apps of one open platform', async () => {
    const inOther = await exchange(OTHER, simulator.issueCode(OTHER.appid, 'rita'));
    const inSibling = await exchange(SIBLING, simulator.issueCode(SIBLING.appid, 'rita'));
    expect(inOther.unionid).toMatch(/^u/);
    expect(inSibling.unionid).toBe(inOther.unionid);
    expect(inSibling.openid).not.toBe(inOther.openid);
  });

  it('answers 40163 for a code used twice', async () => {
    const code = simulator.issueCode(GAME.appid, 'sam');
    await exchange(GAME, code);
    expect(await failureOf(exchange(GAME, code))).toBeInstanceOf(CodeUsedError);
  });

  it('answers 40029 for a code older than 5 minutes, a garbage code, and a code of another appid', async () => {
    const old = simulator.issueCode(GAME.appid, 'tom');
    clock += 5 * 60_000 + 1;
    expect(await failureOf(exchange(GAME, old))).toBeInstanceOf(CodeInvalidError);
    expect(await failureOf(exchange(GAME, 'garbage'))).toBeInstanceOf(CodeInvalidError);
    expect(await failureOf(exchange(GAME, simulator.issueCode(OTHER.appid, 'tom')))).toBeInstanceOf(CodeInvalidError);
  });

  it('answers 40013 for an unknown appid and 40125 for a wrong secret', async () => {
    expect(await failureOf(exchange({ appid: 'wxnosuchapp0000', secret: 'x' }, 'c'))).toBeInstanceOf(InvalidAppIdError);
    expect(await failureOf(exchange({ ...GAME, secret: 'wrong' }, simulator.issueCode(GAME.appid, 'uma')))).toBeInstanceOf(InvalidSecretError);
  });

  it('answers 45011 past the per-player minute quota, and serves again the next minute', async () => {
    clock += 60_000;
    for (let i = 0; i < 5; i++) await exchange(GAME, simulator.issueCode(GAME.appid, 'vic'));
    expect(await failureOf(exchange(GAME, simulator.issueCode(GAME.appid, 'vic')))).toBeInstanceOf(FrequencyLimitError);
    clock += 60_000;
    await expect(exchange(GAME, simulator.issueCode(GAME.appid, 'vic'))).resolves.toMatchObject({ openid: simulator.openidFor(GAME.appid, 'vic') });
  });

  it('issues codes over HTTP for the README example and the sandbox, refusing unknown apps and empty players', async () => {
    const text = await fetch(`${simulator.url}/sim/login?player=wendy&format=text`).then((r) => r.text());
    expect(text).toMatch(/^[A-Za-z0-9]{32}$/);
    expect((await exchange(GAME, text)).openid).toBe(simulator.openidFor(GAME.appid, 'wendy'));
    const posted = await fetch(`${simulator.url}/sim/login`, { method: 'POST', body: JSON.stringify({ appid: OTHER.appid, player: 'wendy' }) });
    expect((await exchange(OTHER, ((await posted.json()) as { code: string }).code)).openid).toBe(simulator.openidFor(OTHER.appid, 'wendy'));
    expect((await fetch(`${simulator.url}/sim/login?appid=wxnope&player=x`)).status).toBe(400);
    expect((await fetch(`${simulator.url}/sim/login?player=`)).status).toBe(400);
  });
});

describe('the simulator’s newer endpoints through the WeChat client', () => {
  const api = () => ({ apiBase: simulator.url });

  it('encrypts user info that openEncryptedData opens with the session key of the latest login, and only that one', async () => {
    const login = await exchange(OTHER, simulator.issueCode(OTHER.appid, 'xena'));
    const info = simulator.userInfoFor(OTHER.appid, 'xena', { nickName: 'Xena 🐉', gender: 2, avatarUrl: 'https://example.com/x.png' });
    const policy = { appid: OTHER.appid, now: clock, sessionKeyIssuedAt: clock };
    const { data } = openEncryptedData({ encryptedData: info.encryptedData, iv: info.iv, sessionKey: login.sessionKey }, policy);
    expect(data).toMatchObject({
      openId: login.openid,
      unionId: login.unionid,
      nickName: 'Xena 🐉',
      gender: 2,
      avatarUrl: 'https://example.com/x.png',
    });
    expect(verifyRawDataSignature(info.rawData, info.signature, login.sessionKey)).toBe(true);

    // A new login rotates the key: data encrypted before it no longer opens with the new key, nor new data with the old one.
    const again = await exchange(OTHER, simulator.issueCode(OTHER.appid, 'xena'));
    expect(() => openEncryptedData({ encryptedData: info.encryptedData, iv: info.iv, sessionKey: again.sessionKey }, policy)).toThrow(
      SessionKeyStaleError,
    );
    const fresh = simulator.userInfoFor(OTHER.appid, 'xena');
    expect(() => openEncryptedData({ encryptedData: fresh.encryptedData, iv: fresh.iv, sessionKey: login.sessionKey }, policy)).toThrow(
      SessionKeyStaleError,
    );
    expect(verifyRawDataSignature(fresh.rawData, fresh.signature, login.sessionKey)).toBe(false);
    const old = simulator.userInfoFor(OTHER.appid, 'xena', {}, { timestamp: Math.floor(clock / 1000) - 3600 });
    expect(() =>
      openEncryptedData({ encryptedData: old.encryptedData, iv: old.iv, sessionKey: again.sessionKey }, { appid: OTHER.appid, now: clock }),
    ).toThrow(WatermarkTooOldError);
  });

  it('serves two instances one stable token, and the calls that need it', async () => {
    const store = new MemoryAccessTokenStore();
    const getStableToken = createGetStableToken({ apiBase: simulator.url, ...GAME }, transport.send);
    const [a, b] = [0, 1].map(() => new AccessTokenManager({ appid: GAME.appid, getStableToken, store, now: () => clock }));
    const before = simulator.callCount('stable_token');
    const [tokenA, tokenB] = await Promise.all([a!.getAccessToken(), b!.getAccessToken()]);
    expect(tokenB).toBe(tokenA);
    expect(simulator.callCount('stable_token') - before).toBe(1);

    const login = await exchange(GAME, simulator.issueCode(GAME.appid, 'yuri'));
    const who = { openid: login.openid, sessionKey: login.sessionKey };
    expect(await a!.withAccessToken((accessToken) => createCheckSessionKey(api(), transport.send)({ accessToken, ...who }))).toBe(true);
    await b!.withAccessToken((accessToken) =>
      createSetUserStorage(api(), transport.send)({ accessToken, ...who, kvList: [{ key: 'score', value: '{"wxgame":{"score":42}}' }] }),
    );
    expect(simulator.userStorage(GAME.appid, 'yuri')).toEqual({ score: '{"wxgame":{"score":42}}' });
    const code = simulator.issuePhoneCode(GAME.appid, 'yuri', '13900139000');
    expect(await a!.withAccessToken((accessToken) => createGetPhoneNumber(api(), transport.send)({ accessToken, code }))).toMatchObject({
      purePhoneNumber: '13900139000',
    });
    simulator.setContentRules([{ word: 'villain', suggest: 'risky', label: 20003 }]);
    const verdict = await b!.withAccessToken((accessToken) =>
      createMsgSecCheck(api(), transport.send)({ accessToken, openid: login.openid, content: 'Yuri the villain', scene: 1 }),
    );
    expect(verdict).toMatchObject({ suggest: 'risky', label: 20003 });
    expect(simulator.callCount('stable_token') - before).toBe(1);
  });
});
