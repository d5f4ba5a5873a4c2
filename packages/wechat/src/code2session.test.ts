import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCode2Session } from './code2session.js';
import {
  CodeInvalidError,
  CodeUsedError,
  FrequencyLimitError,
  InvalidAppIdError,
  InvalidSecretError,
  UserBlockedError,
  WeChatBusyError,
  WeChatError,
  WeChatErrcodeError,
  WeChatMisconfiguredError,
  WeChatTimeoutError,
  WeChatUnavailableError,
} from './errors.js';
import { createHttpTransport } from './transport.js';

const SECRET = 'super-secret-app-secret-123';
const CODE = 'the-js-code-0123456789abcdef';

/** A stand-in WeChat whose next answer each test sets; it records the query it got. */
let nextAnswer: { status: number; body: string; delayMs?: number } = { status: 200, body: '{}' };
let lastQuery: URLSearchParams | undefined;
let calls = 0;
const server = http.createServer((req, res) => {
  calls += 1;
  lastQuery = new URL(req.url ?? '/', 'http://x').searchParams;
  const { status, body, delayMs } = nextAnswer;
  setTimeout(() => res.writeHead(status, { 'content-type': 'text/plain' }).end(body), delayMs ?? 0);
});
let apiBase = '';
const transport = createHttpTransport({ timeoutMs: 1_000 });

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  transport.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const code2session = () => createCode2Session({ apiBase, appid: 'wxappid0001', secret: SECRET }, transport.send)(CODE);

async function failure(answer: typeof nextAnswer): Promise<WeChatError> {
  nextAnswer = answer;
  const error = await code2session().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeChatError);
  return error as WeChatError;
}

describe('code2session', () => {
  it('sends appid, secret, js_code and grant_type, and reads openid, session_key and unionid', async () => {
    nextAnswer = { status: 200, body: JSON.stringify({ openid: 'o1', session_key: 'k1', unionid: 'u1' }) };
    expect(await code2session()).toEqual({ openid: 'o1', sessionKey: 'k1', unionid: 'u1' });
    expect(Object.fromEntries(lastQuery!)).toEqual({ appid: 'wxappid0001', secret: SECRET, js_code: CODE, grant_type: 'authorization_code' });
  });

  it('treats openid and session_key as success even with errcode 0, and a missing unionid as null', async () => {
    nextAnswer = { status: 200, body: JSON.stringify({ errcode: 0, errmsg: 'ok', openid: 'o1', session_key: 'k1' }) };
    expect(await code2session()).toEqual({ openid: 'o1', sessionKey: 'k1', unionid: null });
  });

  it.each([
    [-1, WeChatBusyError, 'WeChatBusyError', true],
    [40029, CodeInvalidError, 'CodeInvalidError', true],
    [40163, CodeUsedError, 'CodeUsedError', true],
    [45011, FrequencyLimitError, 'FrequencyLimitError', true],
    [40226, UserBlockedError, 'UserBlockedError', false],
    [40013, InvalidAppIdError, 'InvalidAppIdError', false],
    [40125, InvalidSecretError, 'InvalidSecretError', false],
    [41002, WeChatMisconfiguredError, 'AppIdMissingError', false],
    [41004, WeChatMisconfiguredError, 'SecretMissingError', false],
    [41008, WeChatMisconfiguredError, 'CodeMissingError', false],
    [99999, WeChatErrcodeError, 'UnknownWeChatError', false],
  ] as const)('maps errcode %i to its own error', async (errcode, ErrorClass, name, retryable) => {
    // WeChat's errmsg may echo what it was sent; ours must not repeat it.
    const error = await failure({ status: 200, body: JSON.stringify({ errcode, errmsg: `bad request for ${CODE} with ${SECRET}, rid: 1` }) });
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.name).toBe(name);
    expect(error.errcode).toBe(errcode);
    expect(error.retryable).toBe(retryable);
    expect((error as WeChatErrcodeError).entry).toMatchObject({ errcode, name, retryable });
    expect(error.message).toContain(String(errcode));
    expect(`${error.message}${error.stack}`).not.toContain(SECRET);
    expect(`${error.message}${error.stack}`).not.toContain(CODE);
  });

  it('groups the configuration errcodes under WeChatMisconfiguredError', async () => {
    for (const errcode of [40013, 40125, 41002, 41004, 41008]) {
      expect(await failure({ status: 200, body: JSON.stringify({ errcode, errmsg: 'x' }) })).toBeInstanceOf(WeChatMisconfiguredError);
    }
  });

  it('answers an HTML error page with WeChatUnavailableError', async () => {
    const error = await failure({ status: 502, body: '<html><body>502 Bad Gateway</body></html>' });
    expect(error).toBeInstanceOf(WeChatUnavailableError);
    expect(error.message).toContain('502');
  });

  it('times out a slow WeChat once, without retrying, and without the secret in the message', async () => {
    const before = calls;
    const error = await failure({ status: 200, body: '{}', delayMs: 2_500 });
    expect(error).toBeInstanceOf(WeChatTimeoutError);
    expect(calls - before).toBe(1);
    expect(error.message).not.toContain(SECRET);
  });

  it('reports an unreachable WeChat without the URL', async () => {
    const unreachable = createCode2Session({ apiBase: 'http://127.0.0.1:1', appid: 'wxappid0001', secret: SECRET }, transport.send);
    const error = (await unreachable(CODE).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(WeChatUnavailableError);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.message).not.toContain(SECRET);
  });

  it('does not retry after WeChat is busy (a resent code would come back as 40163)', async () => {
    const before = calls;
    await failure({ status: 200, body: JSON.stringify({ errcode: -1, errmsg: 'system error' }) });
    expect(calls - before).toBe(1);
  });
});
