import { sessionSignature } from './data-crypto.js';
import { ACCESS_TOKEN_CALL_ERRCODES, errcodeTable } from './errcodes.js';
import type { WeChatTransport } from './transport.js';
import { callWeChat, wechatUrl, type WeChatApiOptions } from './wechat-call.js';

/** One entry of the player's hosted data (托管数据), which the game's open data context reads for friend rankings. */
export interface UserStorageEntry {
  key: string;
  /** A string; for a ranking, JSON such as {"wxgame":{"score":16,"update_time":1513080573}}. */
  value: string;
}

interface SignedRequest {
  accessToken: string;
  openid: string;
  /** The player's current session key: it signs the body. */
  sessionKey: string;
}

export interface SetUserStorageRequest extends SignedRequest {
  kvList: readonly UserStorageEntry[];
}

export interface RemoveUserStorageRequest extends SignedRequest {
  keys: readonly string[];
}

export type SetUserStorage = (request: SetUserStorageRequest) => Promise<void>;
export type RemoveUserStorage = (request: RemoveUserStorageRequest) => Promise<void>;

/**
 * 87009: the session key is not the player's current one; 87016-87019:
 * WeChat's limits (each key ≤ 128 bytes, each key + value ≤ 1024 bytes, at
 * most 128 pairs per player, and a total size).
 */
const USER_STORAGE_ERRORS = errcodeTable([
  ...ACCESS_TOKEN_CALL_ERRCODES,
  'SessionKeyInvalidError',
  'StorageKeyValueTooLongError',
  'StorageDataTooLargeError',
  'StorageTooManyPairsError',
  'StorageKeyTooLongError',
]);

/** POSTs `body` signed with hmac_sha256 over exactly these bytes: they are built once and sent as built. */
async function postSigned(api: WeChatApiOptions, transport: WeChatTransport, name: string, request: SignedRequest, body: string): Promise<void> {
  const url = wechatUrl(api.apiBase, `wxa/${name}`, {
    access_token: request.accessToken,
    openid: request.openid,
    signature: sessionSignature(request.sessionKey, body),
    sig_method: 'hmac_sha256',
  });
  await callWeChat({ transport, name, method: 'POST', url, body, secrets: [request.accessToken, request.sessionKey], errors: USER_STORAGE_ERRORS });
}

/** POST /wxa/set_user_storage (storage.setUserStorage): writes key-value pairs into the player's hosted data. */
export function createSetUserStorage(api: WeChatApiOptions, transport: WeChatTransport): SetUserStorage {
  return (request) => {
    const body = JSON.stringify({ kv_list: request.kvList.map(({ key, value }) => ({ key, value })) });
    return postSigned(api, transport, 'set_user_storage', request, body);
  };
}

/** POST /wxa/remove_user_storage (storage.removeUserStorage): deletes keys from the player's hosted data. */
export function createRemoveUserStorage(api: WeChatApiOptions, transport: WeChatTransport): RemoveUserStorage {
  return (request) => postSigned(api, transport, 'remove_user_storage', request, JSON.stringify({ key: [...request.keys] }));
}
