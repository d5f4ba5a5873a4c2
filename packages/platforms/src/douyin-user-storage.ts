// Douyin's setUserStorage / removeUserStorage for mini-games (开放数据: what friend rankings read).
// Confirmed in Douyin's docs (mini-game → server → data-caching → set-user-storage / remove-user-storage):
// POST https://minigame.zijieapi.com/mgplatform/api/apps/set_user_storage and .../remove_user_storage,
// query access_token, openid, sig_method, signature; body {kv_list: [{key, value}]} / {key: [...]};
// the answer is flat: error (0 on success), errcode, errmsg. The signature (用户登录态签名) is
// hex(hmac_sha256(session_key, post_body)) with sig_method=hmac_sha256 only; Douyin's example: body
// {"foo":"bar"} with session_key "724edcafc423d167724edcbe" signs to 44b5092f…5e0e (our test checks it).
// set_user_storage's limits: 40009 (key > 128 bytes), 40010 (key + value > 1024 bytes), 40011 (a
// ranking value not KVData), 60001 (> 128 pairs).
// Not confirmed for these two endpoints: the errcodes of a refused token, openid or signature. We use
// those Douyin documents for the same gateway's signed reset_session_key (28001003 access_token,
// 28001004 openid, 28001038 sig_method, 28001039 signature), and 40002 ("nil access_token", the error
// example of the older set_user_storage docs) as a refused token too.
import { sessionSignature, type WeChatTransport } from '@minigate/wechat';
import { readDouyinAnswer } from './douyin-answer.js';
import { douyinErrcodeTable } from './errcodes.js';
import { callPlatform, errcodeFailure, unexpectedAnswer, type PlatformCall } from './platform-call.js';
import { platformUrl } from './platform.js';

interface SignedRequest {
  accessToken: string;
  openid: string;
  /** The player's current session key: it signs the body. */
  sessionKey: string;
}

export interface DouyinSetUserStorageRequest extends SignedRequest {
  kvList: readonly { key: string; value: string }[];
}

export interface DouyinRemoveUserStorageRequest extends SignedRequest {
  keys: readonly string[];
}

const USER_STORAGE_ERRORS = douyinErrcodeTable([
  'DouyinBusyError',
  'DouyinParameterMissingError',
  'DouyinAccessTokenInvalidError',
  'DouyinOpenidInvalidError',
  'DouyinSigMethodInvalidError',
  'DouyinSignatureInvalidError',
  'DouyinStorageKeyTooLongError',
  'DouyinStorageKeyValueTooLongError',
  'DouyinRankingValueInvalidError',
  'DouyinStorageTooManyPairsError',
]);

/** POSTs `body` signed with hmac_sha256 over exactly these bytes: they are built once and sent as built. */
async function postSigned(apiBase: string, transport: WeChatTransport, name: string, request: SignedRequest, body: string): Promise<void> {
  const call: PlatformCall = {
    platform: 'douyin',
    transport,
    name,
    method: 'POST',
    url: platformUrl(apiBase, `mgplatform/api/apps/${name}`, {
      access_token: request.accessToken,
      openid: request.openid,
      sig_method: 'hmac_sha256',
      signature: sessionSignature(request.sessionKey, body),
    }),
    body,
    secrets: [request.accessToken, request.sessionKey],
  };
  const { status, answer } = await callPlatform(call);
  const { failure } = readDouyinAnswer(answer);
  if (failure) throw errcodeFailure(call, USER_STORAGE_ERRORS, failure.errcode, failure.errmsg);
  if (status < 200 || status > 299) throw unexpectedAnswer(call, status, 'a 2xx status');
}

/** POST /mgplatform/api/apps/set_user_storage: writes key-value pairs into the player's hosted data. */
export function createDouyinSetUserStorage(apiBase: string, transport: WeChatTransport) {
  return (request: DouyinSetUserStorageRequest): Promise<void> => {
    const body = JSON.stringify({ kv_list: request.kvList.map(({ key, value }) => ({ key, value })) });
    return postSigned(apiBase, transport, 'set_user_storage', request, body);
  };
}

/** POST /mgplatform/api/apps/remove_user_storage: deletes keys from the player's hosted data. */
export function createDouyinRemoveUserStorage(apiBase: string, transport: WeChatTransport) {
  return (request: DouyinRemoveUserStorageRequest): Promise<void> =>
    postSigned(apiBase, transport, 'remove_user_storage', request, JSON.stringify({ key: [...request.keys] }));
}
