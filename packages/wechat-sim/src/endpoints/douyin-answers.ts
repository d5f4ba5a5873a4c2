import { randomBytes } from 'node:crypto';
import type { Answer } from '../answers.js';

// Douyin answers in two shapes. The mini-game server API on
// minigame.zijieapi.com/mgplatform (jscode2session, set/remove_user_storage)
// answers flat: {error: 0, ...} on success, {error: 1, errcode, errmsg,
// message} on failure. The v2 endpoints (the mini-app's
// /api/apps/v2/jscode2session, the token's /mgplatform/api/apps/v2/token)
// wrap theirs: {err_no, err_tips, log_id, data}.

/** Douyin's text for each errcode the simulator answers (its own words where the docs show them: "bad secret"). */
const DOUYIN_ERRMSGS: Record<number, string> = {
  [-1]: 'system error',
  40014: 'bad params',
  40015: 'bad appid',
  40017: 'bad secret',
  40018: 'bad code',
  40019: 'bad anonymous_code',
  40020: 'bad grant_type',
  40009: 'key too long',
  40010: 'key and value too long',
  60001: 'too many kv pairs',
  28001003: 'access_token invalid',
  28001004: 'openid invalid',
  28001038: 'bad sig_method',
  28001039: 'bad signature',
};

export const douyinErrmsg = (errcode: number) => DOUYIN_ERRMSGS[errcode] ?? 'unknown error';

/** The flat failure of the mgplatform endpoints. */
export const douyinFlatFail = (errcode: number, errmsg = douyinErrmsg(errcode)): Answer => ({ error: 1, errcode, errmsg, message: errmsg });

/** A log_id as Douyin writes them: a timestamp and hex. */
const logId = () => `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}${randomBytes(9).toString('hex').toUpperCase()}`;

/** The wrapped answer of the v2 endpoints; `data` keeps its fields (empty) on a failure, as Douyin's does. */
export const douyinWrapped = (errNo: number, data: Answer, errTips = errNo === 0 ? 'success' : douyinErrmsg(errNo)): Answer => ({
  err_no: errNo,
  err_tips: errTips,
  log_id: logId(),
  data,
});
