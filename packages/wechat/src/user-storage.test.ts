import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// The simulator is a test double of WeChat; packages/wechat does not depend on it at runtime.
import { startWeChatSimulator, type WeChatSimulator } from '../../wechat-sim/src/index.js';
import { createCode2Session } from './code2session.js';
import { sessionSignature } from './data-crypto.js';
import {
  AccessTokenInvalidError,
  SessionKeyInvalidError,
  StorageDataTooLargeError,
  StorageKeyTooLongError,
  StorageKeyValueTooLongError,
  StorageTooManyPairsError,
  WeChatBusyError,
  WeChatError,
} from './errors.js';
import { createGetStableToken } from './stable-token.js';
import { createHttpTransport } from './transport.js';
import { createRemoveUserStorage, createSetUserStorage } from './user-storage.js';

const APP = { appid: 'wxuserstorage001', secret: 'user-storage-secret-0123456789' };
let simulator: WeChatSimulator;
const transport = createHttpTransport({ timeoutMs: 1_000 });
const setStorage = () => createSetUserStorage({ apiBase: simulator.url }, transport.send);
const removeStorage = () => createRemoveUserStorage({ apiBase: simulator.url }, transport.send);

beforeAll(async () => {
  // A small total size, so that 87017 is reachable without 128 pairs of 1 KiB.
  simulator = await startWeChatSimulator({ apps: [APP], userStorageMaxBytes: 4096 });
});
afterAll(async () => {
  transport.close();
  await simulator.close();
});
beforeEach(() => simulator.clearFaults());

/** A logged-in player and an access token: what a signed call needs. */
async function signedIn(player: string) {
  const session = await createCode2Session({ apiBase: simulator.url, ...APP }, transport.send)(simulator.issueCode(APP.appid, player));
  const { accessToken } = await createGetStableToken({ apiBase: simulator.url, ...APP }, transport.send)();
  return { accessToken, openid: session.openid, sessionKey: session.sessionKey };
}

async function failure(promise: Promise<unknown>): Promise<WeChatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeChatError);
  return error as WeChatError;
}

describe('set_user_storage and remove_user_storage', () => {
  it('writes and removes the player’s key-value pairs', async () => {
    const who = await signedIn('amy');
    const score = JSON.stringify({ wxgame: { score: 16, update_time: 1513080573 } });
    await setStorage()({
      ...who,
      kvList: [
        { key: 'score', value: score },
        { key: 'gold', value: '3000' },
      ],
    });
    expect(simulator.userStorage(APP.appid, 'amy')).toEqual({ score, gold: '3000' });
    await removeStorage()({ ...who, keys: ['gold'] });
    expect(simulator.userStorage(APP.appid, 'amy')).toEqual({ score });
  });

  it('signs the exact bytes it sends, multibyte and escaped characters included', async () => {
    const who = await signedIn('bea');
    const value = '昵称 "🎮" \\ \u2028 end';
    await setStorage()({ ...who, kvList: [{ key: 'nick', value }] });
    const request = simulator.requestLog.at(-1)!;
    expect(request).toMatchObject({ endpoint: 'set_user_storage', method: 'POST' });
    expect(request.body).toBe(JSON.stringify({ kv_list: [{ key: 'nick', value }] }));
    expect(request.query).toEqual({
      access_token: who.accessToken,
      openid: who.openid,
      signature: sessionSignature(who.sessionKey, request.body),
      sig_method: 'hmac_sha256',
    });
    expect(simulator.userStorage(APP.appid, 'bea')).toEqual({ nick: value });
    await removeStorage()({ ...who, keys: ['nick'] });
    const removal = simulator.requestLog.at(-1)!;
    expect(removal.body).toBe('{"key":["nick"]}');
    expect(removal.query.signature).toBe(sessionSignature(who.sessionKey, removal.body));
  });

  it('sends only key and value, whatever else the entries carry', async () => {
    const who = await signedIn('cal');
    const entry = { key: 'k', value: 'v', extra: 'not sent' };
    await setStorage()({ ...who, kvList: [entry] });
    expect(simulator.requestLog.at(-1)!.body).toBe('{"kv_list":[{"key":"k","value":"v"}]}');
  });

  it('answers a session key that is no longer the player’s with SessionKeyInvalidError (87009)', async () => {
    const who = await signedIn('dan');
    await createCode2Session({ apiBase: simulator.url, ...APP }, transport.send)(simulator.issueCode(APP.appid, 'dan'));
    const error = await failure(setStorage()({ ...who, kvList: [{ key: 'score', value: '1' }] }));
    expect(error).toBeInstanceOf(SessionKeyInvalidError);
    expect(error.errcode).toBe(87009);
    expect(await failure(removeStorage()({ ...who, keys: ['score'] }))).toBeInstanceOf(SessionKeyInvalidError);
    expect(simulator.userStorage(APP.appid, 'dan')).toEqual({});
  });

  it('maps WeChat’s limits to one error each: 87019 key, 87016 key + value, 87018 pairs, 87017 total', async () => {
    const who = await signedIn('eve');
    const tooLongKey = await failure(setStorage()({ ...who, kvList: [{ key: 'k'.repeat(129), value: '1' }] }));
    expect(tooLongKey).toBeInstanceOf(StorageKeyTooLongError);
    const tooLongPair = await failure(setStorage()({ ...who, kvList: [{ key: 'k', value: 'v'.repeat(1024) }] }));
    expect(tooLongPair).toBeInstanceOf(StorageKeyValueTooLongError);
    const many = Array.from({ length: 129 }, (_, i) => ({ key: `${i}`, value: '' }));
    expect(await failure(setStorage()({ ...who, kvList: many }))).toBeInstanceOf(StorageTooManyPairsError);
    const big = Array.from({ length: 5 }, (_, i) => ({ key: `big${i}`, value: 'v'.repeat(1000) }));
    const tooMuch = await failure(setStorage()({ ...who, kvList: big }));
    expect(tooMuch).toBeInstanceOf(StorageDataTooLargeError);
    for (const error of [tooLongKey, tooLongPair, tooMuch]) expect(error.retryable).toBe(false);
    expect(simulator.userStorage(APP.appid, 'eve')).toEqual({});
  });

  it('passes access token failures on (for withAccessToken) and keeps secrets out of messages', async () => {
    const who = await signedIn('fay');
    simulator.revokeAccessTokens(APP.appid);
    expect(await failure(setStorage()({ ...who, kvList: [{ key: 'a', value: 'b' }] }))).toBeInstanceOf(AccessTokenInvalidError);
    const fresh = await signedIn('fay');
    simulator.injectFault({ endpoint: 'set_user_storage', kind: 'errcode', errcode: -1, errmsg: `busy ${fresh.accessToken} ${fresh.sessionKey}` });
    const busy = await failure(setStorage()({ ...fresh, kvList: [{ key: 'a', value: 'b' }] }));
    expect(busy).toBeInstanceOf(WeChatBusyError);
    expect(`${busy.message}${busy.stack}`).not.toContain(fresh.accessToken);
    expect(`${busy.message}${busy.stack}`).not.toContain(fresh.sessionKey);
  });
});
