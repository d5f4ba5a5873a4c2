/**
 * Douyin answers in two shapes: the mini-game endpoints on
 * minigame.zijieapi.com/mgplatform flat (`{error: 0, ...fields}`, or
 * `{error: 1, errcode, errmsg, message}`), the v2 endpoints wrapped
 * (`{err_no, err_tips, log_id, data: {...fields}}`). SDKs have broken by
 * parsing one as the other, so every Douyin answer is read through here and
 * both are accepted: a gateway or a later Douyin release answering the other
 * shape is still understood, and an error is an error in either.
 */
export interface DouyinAnswer {
  /** The errcode and Douyin's message, or null for a success. */
  failure: { errcode: number; errmsg: unknown } | null;
  /** The fields: `data` of a wrapped answer, the answer itself when flat. */
  fields: Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function readDouyinAnswer(answer: Record<string, unknown>): DouyinAnswer {
  const { err_no: errNo, err_tips: errTips, error, errcode, errmsg, message, data } = answer;
  if (typeof errNo === 'number') {
    if (errNo !== 0) return { failure: { errcode: errNo, errmsg: errTips }, fields: {} };
    return { failure: null, fields: isObject(data) ? data : answer };
  }
  if (typeof error === 'number' && error !== 0) {
    return { failure: { errcode: typeof errcode === 'number' && errcode !== 0 ? errcode : error, errmsg: errmsg ?? message }, fields: {} };
  }
  if (typeof errcode === 'number' && errcode !== 0) return { failure: { errcode, errmsg: errmsg ?? message }, fields: {} };
  return { failure: null, fields: answer };
}
