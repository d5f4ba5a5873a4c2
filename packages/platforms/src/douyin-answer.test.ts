import { describe, expect, it } from 'vitest';
import { readDouyinAnswer } from './douyin-answer.js';

describe('readDouyinAnswer', () => {
  it("reads the mini-game endpoints' flat shape: a success, and {error: 1, errcode, errmsg, message}", () => {
    const flat = { error: 0, openid: 'o', session_key: 'k', anonymous_openid: '', unionid: 'u' };
    expect(readDouyinAnswer(flat)).toEqual({ failure: null, fields: flat });
    expect(readDouyinAnswer({ error: 1, errcode: 40018, errmsg: 'bad code', message: 'bad code' })).toEqual({
      failure: { errcode: 40018, errmsg: 'bad code' },
      fields: {},
    });
    expect(readDouyinAnswer({ error: 1, message: 'no detail' })).toEqual({ failure: { errcode: 1, errmsg: 'no detail' }, fields: {} });
    expect(readDouyinAnswer({ errcode: 40015, errmsg: 'bad appid' })).toEqual({ failure: { errcode: 40015, errmsg: 'bad appid' }, fields: {} });
  });

  it("reads the v2 endpoints' wrapped shape {err_no, err_tips, log_id, data}: data's fields, or err_no as the errcode", () => {
    const data = { access_token: 't', expires_in: 7200 };
    expect(readDouyinAnswer({ err_no: 0, err_tips: 'success', log_id: 'L', data })).toEqual({ failure: null, fields: data });
    expect(readDouyinAnswer({ err_no: 40017, err_tips: 'bad secret', data: { access_token: '', expires_in: 0 } })).toEqual({
      failure: { errcode: 40017, errmsg: 'bad secret' },
      fields: {},
    });
  });
});
