import { createHttpTransport, MemoryAccessTokenStore, sessionSignature } from '@minigate/wechat';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeChatSimulator, type WeChatSimulator } from '../../wechat-sim/src/index.js';
import { createDouyinCode2Session } from './douyin-code2session.js';
import { createGetDouyinToken } from './douyin-token.js';
import { DouyinBusyError, DouyinSecretInvalidError, DouyinSignatureInvalidError, PlatformErrcodeError, PlatformTimeoutError } from './errors.js';
import { createDouyinApi } from './platform-api.js';

const GAME = { appid: 'ttplatformapi001', secret: 'douyin-api-secret-1', platform: 'douyin' as const };
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

const app = () => ({ ...GAME, apiBase: simulator.url });
const api = (tokenStore = new MemoryAccessTokenStore()) => createDouyinApi({ app: app(), transport: http.send, tokenStore });
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: Error) => error,
  );
/** Logs the player in through Douyin's jscode2session; returns its openid and session key. */
const login = async (player: string) => {
  const session = await createDouyinCode2Session(app(), http.send)({ code: simulator.issueCode(GAME.appid, player) });
  return { openid: session.openid as string, sessionKey: session.sessionKey };
};

describe("Douyin's access token", () => {
  it('is fetched once when two instances sharing one store refresh at the same time (a second fetch would cut the first to 5 minutes)', async () => {
    const store = new MemoryAccessTokenStore();
    const before = simulator.callCount('douyin_token');
    simulator.injectFault({ endpoint: 'douyin_token', kind: 'delay', ms: 50 });
    const [first, second] = await Promise.all([api(store).tokens.getAccessToken(), api(store).tokens.getAccessToken()]);
    expect(first).toBe(second);
    expect(first).toBe(simulator.currentAccessToken(GAME.appid));
    expect(simulator.callCount('douyin_token') - before).toBe(1);
    expect(simulator.requestLog.filter((request) => request.endpoint === 'douyin_token').at(-1)).toMatchObject({
      method: 'POST',
      query: {},
      body: JSON.stringify({ appid: GAME.appid, secret: GAME.secret, grant_type: 'client_credential' }),
    });
  });

  it('turns its errcodes into their errors, no answer into PlatformTimeoutError, and keeps the secret out of messages', async () => {
    const wrong = await failureOf(createGetDouyinToken({ ...app(), secret: 'not-the-secret' }, http.send)());
    expect(wrong).toBeInstanceOf(DouyinSecretInvalidError);
    expect(wrong.message).not.toContain('not-the-secret');
    simulator.injectFault({ endpoint: 'douyin_token', kind: 'errcode', errcode: -1, errmsg: `busy for ${GAME.secret}` });
    const busy = await failureOf(createGetDouyinToken(app(), http.send)());
    expect(busy).toBeInstanceOf(DouyinBusyError);
    expect(busy.message).not.toContain(GAME.secret);
    simulator.injectFault({ endpoint: 'douyin_token', kind: 'timeout' });
    expect(await failureOf(createGetDouyinToken(app(), http.send)())).toBeInstanceOf(PlatformTimeoutError);
  });
});

describe("Douyin's user storage", () => {
  it("signs as Douyin's docs do: hex(hmac_sha256(session_key, body)) over the exact body sent", async () => {
    expect(sessionSignature('724edcafc423d167724edcbe', '{"foo":"bar"}')).toBe('44b5092fa1c9adba03803239934d4958b8a1840adf0cee8d5e95c1cf5d495e0e');
    const player = await login('ann');
    await api().setUserStorage({ ...player, kvList: [{ key: 'score', value: '{"ttgame":{"score":12}}' }] });
    const sent = simulator.requestLog.filter((request) => request.endpoint === 'douyin_set_user_storage').at(-1);
    expect(sent?.body).toBe('{"kv_list":[{"key":"score","value":"{\\"ttgame\\":{\\"score\\":12}}"}]}');
    expect(sent?.query).toMatchObject({
      openid: player.openid,
      sig_method: 'hmac_sha256',
      signature: sessionSignature(player.sessionKey, sent?.body ?? ''),
    });
  });

  it('sets and removes keys, and the simulator refuses a stale session key (DouyinSignatureInvalidError, not retried)', async () => {
    const douyin = api();
    const stale = await login('bob');
    await douyin.setUserStorage({
      ...stale,
      kvList: [
        { key: 'score', value: '1' },
        { key: 'gold', value: '2' },
      ],
    });
    expect(simulator.userStorage(GAME.appid, 'bob')).toEqual({ score: '1', gold: '2' });
    await douyin.removeUserStorage({ ...stale, keys: ['gold'] });
    expect(simulator.userStorage(GAME.appid, 'bob')).toEqual({ score: '1' });
    const current = await login('bob');
    const before = simulator.callCount('douyin_set_user_storage');
    const refused = await failureOf(douyin.setUserStorage({ ...stale, kvList: [{ key: 'score', value: '3' }] }));
    expect(refused).toBeInstanceOf(DouyinSignatureInvalidError);
    expect(refused).toMatchObject({ platform: 'douyin', errcode: 28001039, retryable: true });
    expect(simulator.callCount('douyin_set_user_storage') - before).toBe(1);
    await douyin.setUserStorage({ ...current, kvList: [{ key: 'score', value: '3' }] });
    expect(simulator.userStorage(GAME.appid, 'bob')).toEqual({ score: '3' });
    const tooLong = await failureOf(douyin.setUserStorage({ ...current, kvList: [{ key: 'k'.repeat(129), value: '' }] }));
    expect(tooLong).toMatchObject({ name: 'DouyinStorageKeyTooLongError', errcode: 40009 });
    expect(tooLong).toBeInstanceOf(PlatformErrcodeError);
  });

  it('replaces a token Douyin refuses and retries once', async () => {
    const douyin = api();
    const player = await login('cat');
    const old = await douyin.tokens.getAccessToken();
    simulator.revokeAccessTokens(GAME.appid);
    const before = simulator.callCount('douyin_token');
    await douyin.setUserStorage({ ...player, kvList: [{ key: 'score', value: '5' }] });
    expect(simulator.callCount('douyin_token') - before).toBe(1);
    expect(await douyin.tokens.getAccessToken()).not.toBe(old);
    expect(simulator.userStorage(GAME.appid, 'cat')).toEqual({ score: '5' });
  });

  it('keeps the access token and the session key out of messages', async () => {
    const douyin = api();
    const player = await login('dee');
    const token = await douyin.tokens.getAccessToken();
    simulator.injectFault({ endpoint: 'douyin_set_user_storage', kind: 'errcode', errcode: 40010, errmsg: `too long ${token} ${player.sessionKey}` });
    const error = await failureOf(douyin.setUserStorage({ ...player, kvList: [{ key: 'score', value: '1' }] }));
    expect(error).toMatchObject({ name: 'DouyinStorageKeyValueTooLongError', errcode: 40010 });
    expect(error.message).toContain('errcode 40010');
    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain(player.sessionKey);
  });
});
