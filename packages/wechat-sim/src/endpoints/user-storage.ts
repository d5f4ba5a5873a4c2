import { fail, ok, parseJsonObject, type Answer } from '../answers.js';
import type { Authorize, SimulatedEndpointDefinition, SimulatorContext, WeChatCall } from '../endpoint.js';
import { FaultQueue } from '../faults.js';
import { playerKey } from '../players.js';

export interface UserStorageOptions {
  /** Total bytes of keys and values one player may keep before 87017. */
  maxBytes: number;
}

export const USER_STORAGE_MAX_PAIRS = 128;
const USER_STORAGE_MAX_KEY_BYTES = 128;
export const USER_STORAGE_MAX_PAIR_BYTES = 1024;

/**
 * POST /wxa/set_user_storage and /wxa/remove_user_storage (托管数据, what
 * friend rankings read): signed with the player's session_key, within
 * WeChat's limits (87016-87019).
 */
export function createUserStorage(context: SimulatorContext, authorize: Authorize, options: UserStorageOptions) {
  const { players } = context;
  const storages = new Map<string, Map<string, string>>();

  const storageOf = (appid: string, player: string) => {
    const key = playerKey(appid, player);
    let storage = storages.get(key);
    if (!storage) {
      storage = new Map();
      storages.set(key, storage);
    }
    return storage;
  };

  /** The authorized, signed call's appid and player, or WeChat's errcode answer refusing it. */
  const signed = ({ method, query, body }: WeChatCall): { appid: string; player: string } | { refusal: Answer } => {
    if (method !== 'POST') return { refusal: fail(43002) };
    const appid = authorize(query);
    if (typeof appid !== 'string') return { refusal: appid };
    const player = players.signedPlayer(appid, query, body);
    return typeof player === 'string' ? { appid, player } : { refusal: player };
  };

  const set = (call: WeChatCall): Answer => {
    const who = signed(call);
    if ('refusal' in who) return who.refusal;
    const { appid, player } = who;
    const kvList = parseJsonObject(call.body)?.kv_list;
    if (!Array.isArray(kvList) || kvList.length === 0) return fail(47001);
    const pairs: Array<[string, string]> = [];
    for (const item of kvList as unknown[]) {
      const { key, value } = (typeof item === 'object' && item !== null ? item : {}) as { key?: unknown; value?: unknown };
      if (typeof key !== 'string' || !key || typeof value !== 'string') return fail(47001);
      if (Buffer.byteLength(key) > USER_STORAGE_MAX_KEY_BYTES) return fail(87019);
      if (Buffer.byteLength(key) + Buffer.byteLength(value) > USER_STORAGE_MAX_PAIR_BYTES) return fail(87016);
      pairs.push([key, value]);
    }
    const merged = new Map(storageOf(appid, player));
    for (const [key, value] of pairs) merged.set(key, value);
    if (merged.size > USER_STORAGE_MAX_PAIRS) return fail(87018);
    let bytes = 0;
    for (const [key, value] of merged) bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
    if (bytes > options.maxBytes) return fail(87017);
    storages.set(playerKey(appid, player), merged);
    return ok();
  };

  const remove = (call: WeChatCall): Answer => {
    const who = signed(call);
    if ('refusal' in who) return who.refusal;
    const { appid, player } = who;
    const keys = parseJsonObject(call.body)?.key;
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((key) => typeof key === 'string')) return fail(47001);
    const storage = storageOf(appid, player);
    for (const key of keys as string[]) storage.delete(key);
    return ok();
  };

  const setEndpoint: SimulatedEndpointDefinition = { name: 'set_user_storage', path: '/wxa/set_user_storage', faults: new FaultQueue(), answer: set };
  const removeEndpoint: SimulatedEndpointDefinition = {
    name: 'remove_user_storage',
    path: '/wxa/remove_user_storage',
    faults: new FaultQueue(),
    answer: remove,
  };

  return {
    setEndpoint,
    removeEndpoint,
    /** What the player keeps (a copy). */
    userStorage: (appid: string, player: string): Record<string, string> => Object.fromEntries(storages.get(playerKey(appid, player)) ?? []),
  };
}
