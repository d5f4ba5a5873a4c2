import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// The simulator is a test double of WeChat; packages/wechat does not depend on it at runtime.
import { startWeChatSimulator, type WeChatSimulator } from '../../wechat-sim/src/index.js';
import {
  AccessTokenInvalidError,
  CodeInvalidError,
  FrequencyLimitError,
  PhoneCodeInvalidError,
  WeChatBusyError,
  WeChatError,
  WeChatTimeoutError,
  WeChatUnavailableError,
} from './errors.js';
import { createGetPhoneNumber } from './phone-number.js';
import { createGetStableToken } from './stable-token.js';
import { createHttpTransport } from './transport.js';

const APP = { appid: 'wxphonenumber001', secret: 'phone-number-secret-0123456789' };
const OTHER = { appid: 'wxphonenumber002', secret: 'phone-number-secret-other' };
let clock = Date.parse('2026-12-01T08:00:00Z');
let simulator: WeChatSimulator;
const transport = createHttpTransport({ timeoutMs: 500 });
const phone = () => createGetPhoneNumber({ apiBase: simulator.url }, transport.send);
const accessToken = async () => (await createGetStableToken({ apiBase: simulator.url, ...APP }, transport.send)()).accessToken;

beforeAll(async () => {
  simulator = await startWeChatSimulator({ apps: [APP, OTHER], now: () => clock });
});
afterAll(async () => {
  transport.close();
  await simulator.close();
});
beforeEach(() => simulator.clearFaults());

async function failure(promise: Promise<unknown>): Promise<WeChatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeChatError);
  return error as WeChatError;
}

describe('getuserphonenumber', () => {
  it('exchanges a phone code for the number and its watermark, POSTing {code} with the token in the query', async () => {
    const token = await accessToken();
    const code = simulator.issuePhoneCode(APP.appid, 'ann', '13800138000');
    expect(await phone()({ accessToken: token, code })).toEqual({
      phoneNumber: '13800138000',
      purePhoneNumber: '13800138000',
      countryCode: '86',
      watermark: { appid: APP.appid, timestamp: Math.floor(clock / 1000) },
    });
    expect(simulator.requestLog.at(-1)).toMatchObject({ method: 'POST', query: { access_token: token }, body: JSON.stringify({ code }) });
  });

  it('sends the openid when given, and reads a number from abroad', async () => {
    const token = await accessToken();
    const code = simulator.issuePhoneCode(APP.appid, 'bo', { phoneNumber: '+1 2025550123', purePhoneNumber: '2025550123', countryCode: '1' });
    expect(await phone()({ accessToken: token, code, openid: 'o-bo' })).toMatchObject({ phoneNumber: '+1 2025550123', countryCode: '1' });
    expect(JSON.parse(simulator.requestLog.at(-1)!.body)).toEqual({ code, openid: 'o-bo' });
  });

  it('accepts countryCode as the number WeChat’s example shows', async () => {
    const token = await accessToken();
    const body = JSON.stringify({
      errcode: 0,
      errmsg: 'ok',
      phone_info: { phoneNumber: '1', purePhoneNumber: '1', countryCode: 86, watermark: null },
    });
    simulator.injectFault({ endpoint: 'getuserphonenumber', kind: 'http', status: 200, body });
    expect(await phone()({ accessToken: token, code: 'c'.repeat(32) })).toEqual({
      phoneNumber: '1',
      purePhoneNumber: '1',
      countryCode: '86',
      watermark: null,
    });
  });

  it('answers a used, expired or foreign phone code with PhoneCodeInvalidError (40029), not the login code error', async () => {
    const token = await accessToken();
    const code = simulator.issuePhoneCode(APP.appid, 'cy', '13800138001');
    await phone()({ accessToken: token, code });
    const used = await failure(phone()({ accessToken: token, code }));
    expect(used).toBeInstanceOf(PhoneCodeInvalidError);
    expect(used).not.toBeInstanceOf(CodeInvalidError);
    expect(used.errcode).toBe(40029);
    expect(await failure(phone()({ accessToken: token, code: simulator.issuePhoneCode(OTHER.appid, 'cy', '1') }))).toBeInstanceOf(
      PhoneCodeInvalidError,
    );
    const late = simulator.issuePhoneCode(APP.appid, 'cy', '13800138001');
    clock += 5 * 60_000 + 1;
    const fresh = await accessToken();
    expect(await failure(phone()({ accessToken: fresh, code: late }))).toBeInstanceOf(PhoneCodeInvalidError);
    expect(await failure(phone()({ accessToken: fresh, code: 'garbage' }))).toBeInstanceOf(PhoneCodeInvalidError);
  });

  it.each([
    [-1, WeChatBusyError, true],
    [45011, FrequencyLimitError, true],
    [40001, AccessTokenInvalidError, true],
  ] as const)('maps errcode %i to its own error, without the code or the token in it', async (errcode, ErrorClass, retryable) => {
    const token = await accessToken();
    const code = simulator.issuePhoneCode(APP.appid, 'dee', '13800138002');
    simulator.injectFault({ endpoint: 'getuserphonenumber', kind: 'errcode', errcode, errmsg: `code ${code} token ${token}, rid: 1` });
    const error = await failure(phone()({ accessToken: token, code }));
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.retryable).toBe(retryable);
    expect(`${error.message}${error.stack}`).not.toContain(code);
    expect(`${error.message}${error.stack}`).not.toContain(token);
  });

  it('times out once, never resending the single-use code', async () => {
    const token = await accessToken();
    const code = simulator.issuePhoneCode(APP.appid, 'eli', '13800138003');
    simulator.injectFault({ endpoint: 'getuserphonenumber', kind: 'timeout' });
    const before = simulator.callCount('getuserphonenumber');
    expect(await failure(phone()({ accessToken: token, code }))).toBeInstanceOf(WeChatTimeoutError);
    expect(simulator.callCount('getuserphonenumber') - before).toBe(1);
  });

  it('refuses an answer without phone_info', async () => {
    const token = await accessToken();
    simulator.injectFault({ endpoint: 'getuserphonenumber', kind: 'http', status: 200, body: '{"errcode":0,"errmsg":"ok"}' });
    expect(await failure(phone()({ accessToken: token, code: 'x'.repeat(32) }))).toBeInstanceOf(WeChatUnavailableError);
  });
});
