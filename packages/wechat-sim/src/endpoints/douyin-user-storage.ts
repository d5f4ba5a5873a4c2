import { parseJsonObject, type Answer } from '../answers.js';
import type { SimulatedEndpointDefinition, SimulatorContext, WeChatCall } from '../endpoint.js';
import { FaultQueue } from '../faults.js';
import { playerKey, sessionHmac } from '../players.js';
import { douyinFlatFail } from './douyin-answers.js';
import type { DouyinAuthorize } from './douyin-token.js';

const MAX_PAIRS = 128;
const MAX_KEY_BYTES = 128;
const MAX_PAIR_BYTES = 1024;

/**
 * POST /mgplatform/api/apps/set_user_storage and remove_user_storage
 * (Douyin's hosted data, what its friend rankings read):
 * ?access_token&openid&sig_method=hmac_sha256&signature, with signature =
 * hex(hmac_sha256(session_key, body)) over the exact body and the player's
 * CURRENT session key. Answers flat: {error: 0}, or {error: 1, errcode,
 * errmsg, message}. Limits: 40009 (key over 128 bytes), 40010 (key + value
 * over 1024 bytes), 60001 (over 128 pairs); 40014 for a body it cannot read.
 * The token, openid and signature refusals are those Douyin documents for the
 * same gateway's reset_session_key: 28001003 (access_token), 28001004
 * (openid), 28001038 (sig_method), 28001039 (signature).
 */
export function createDouyinUserStorage(context: SimulatorContext, authorize: DouyinAuthorize) {
  const { players } = context;
  const storages = new Map<string, Map<string, string>>();

  const signed = ({ query, body }: WeChatCall): { appid: string; player: string } | { refusal: Answer } => {
    const appid = authorize(query);
    if (typeof appid !== 'string') return { refusal: douyinFlatFail(appid.errcode) };
    if (query.get('sig_method') !== 'hmac_sha256') return { refusal: douyinFlatFail(28001038) };
    const player = players.playerOf(appid, query.get('openid'));
    if (player === undefined) return { refusal: douyinFlatFail(28001004) };
    const session = players.session(appid, player);
    if (!session || query.get('signature') !== sessionHmac(session.sessionKey, body)) return { refusal: douyinFlatFail(28001039) };
    return { appid, player };
  };

  const set = (call: WeChatCall): Answer => {
    const who = signed(call);
    if ('refusal' in who) return who.refusal;
    const kvList = parseJsonObject(call.body)?.kv_list;
    if (!Array.isArray(kvList) || kvList.length === 0) return douyinFlatFail(40014);
    const merged = new Map(storages.get(playerKey(who.appid, who.player)));
    for (const item of kvList as unknown[]) {
      const { key, value } = (typeof item === 'object' && item !== null ? item : {}) as { key?: unknown; value?: unknown };
      if (typeof key !== 'string' || !key || typeof value !== 'string') return douyinFlatFail(40014);
      if (Buffer.byteLength(key) > MAX_KEY_BYTES) return douyinFlatFail(40009);
      if (Buffer.byteLength(key) + Buffer.byteLength(value) > MAX_PAIR_BYTES) return douyinFlatFail(40010);
      merged.set(key, value);
    }
    if (merged.size > MAX_PAIRS) return douyinFlatFail(60001);
    storages.set(playerKey(who.appid, who.player), merged);
    return { error: 0 };
  };

  const remove = (call: WeChatCall): Answer => {
    const who = signed(call);
    if ('refusal' in who) return who.refusal;
    const keys = parseJsonObject(call.body)?.key;
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((key) => typeof key === 'string')) return douyinFlatFail(40014);
    const storage = storages.get(playerKey(who.appid, who.player));
    for (const key of keys as string[]) storage?.delete(key);
    return { error: 0 };
  };

  const definition = (name: 'douyin_set_user_storage' | 'douyin_remove_user_storage', path: string, answer: (call: WeChatCall) => Answer) =>
    ({
      name,
      path,
      method: 'POST',
      faults: new FaultQueue(),
      faultAnswer: (errcode: number, errmsg?: string) => douyinFlatFail(errcode, errmsg),
      answer,
    }) satisfies SimulatedEndpointDefinition;

  return {
    setEndpoint: definition('douyin_set_user_storage', '/mgplatform/api/apps/set_user_storage', set),
    removeEndpoint: definition('douyin_remove_user_storage', '/mgplatform/api/apps/remove_user_storage', remove),
    /** What the player keeps (a copy). */
    userStorage: (appid: string, player: string): Record<string, string> => Object.fromEntries(storages.get(playerKey(appid, player)) ?? []),
  };
}
