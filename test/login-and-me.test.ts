import jwt from 'jsonwebtoken';
import { keyIdOf } from '@minigate/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, TEST_JWT_SECRET, TEST_WECHAT_SECRET, type TestStack } from './support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

async function login(player: string) {
  return callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor(player) });
}

describe('auth.wechatLogin then account.me, over HTTP against MariaDB', () => {
  it('logs a new player in, then a returning one, and account.me answers the account', async () => {
    const first = await login('alice');
    expect(first.status).toBe(200);
    const answer = first.body.result.data;
    expect(answer).toMatchObject({ expiresIn: 7200, account: { nickName: '', avatarUrl: '', isNew: true } });
    expect(answer.expiresAt).toBeGreaterThan(Date.now() + 7_100_000);
    expect(typeof answer.account.id).toBe('number');
    expect(Object.keys(answer).sort()).toEqual(['accessToken', 'account', 'expiresAt', 'expiresIn', 'refreshToken']);

    const again = await login('alice');
    expect(again.body.result.data.account).toMatchObject({ id: answer.account.id, isNew: false });

    const me = await callProcedure(stack, 'query', 'account.me', undefined, { authorization: `Bearer ${again.body.result.data.accessToken}` });
    expect(me.status).toBe(200);
    expect(me.body.result.data).toMatchObject({
      id: answer.account.id,
      nickName: '',
      avatarUrl: '',
      profile: { gender: 0, level: 1, experience: 0 },
    });
    expect(JSON.stringify(me.body)).not.toMatch(/session_?key|credential/i);
  });

  it('keeps the session key encrypted at rest and the openid per appid', async () => {
    const { body } = await login('bob');
    const identity = await stack.database.db
      .selectFrom('accountAuth')
      .selectAll()
      .where('accountId', '=', body.result.data.account.id)
      .executeTakeFirstOrThrow();
    expect(identity.authType).toBe(`wechat_openid:${stack.config.wechat.appid}`);
    expect(identity.identifier).toBe(stack.simulator.openidFor(stack.config.wechat.appid, 'bob'));
    expect(identity.credential).toMatch(/^v1\./);
  });

  it('records the register IP once and the login IP and time at every login', async () => {
    const { body } = await login('carol');
    const profile = await stack.database.db
      .selectFrom('accountProfile')
      .selectAll()
      .where('accountId', '=', body.result.data.account.id)
      .executeTakeFirstOrThrow();
    expect(profile.registerIp).toBe('127.0.0.1');
    expect(profile.loginIp).toBe('127.0.0.1');
    expect(Math.abs(profile.loginTime!.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('answers a public call sent with a bad token, and each protected call of a batch with its own UNAUTHORIZED', async () => {
    const response = await fetch(`${stack.trpcUrl}/auth.wechatLogin?batch=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer expired-or-garbage' },
      body: JSON.stringify({ 0: { code: stack.codeFor('hank') } }),
    });
    expect(response.status).toBe(200);
    const [login] = (await response.json()) as any[];
    expect(login.result.data.account.isNew).toBe(true);

    const input = encodeURIComponent(JSON.stringify({}));
    const batch = await fetch(`${stack.trpcUrl}/account.me,account.me?batch=1&input=${input}`, { headers: { authorization: 'Bearer nope' } });
    const answers = (await batch.json()) as any[];
    expect(answers.map((answer: any) => answer.error.data.reason)).toEqual(['TOKEN_INVALID', 'TOKEN_INVALID']);
  });
});

describe('protected procedures refuse bad tokens with UNAUTHORIZED and a reason', () => {
  const claims = (): { iss: string; aud: string } => ({ iss: 'minigate', aud: stack.config.jwt.audience });
  const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

  type Case = readonly [string, () => string | undefined, 'TOKEN_MISSING' | 'TOKEN_INVALID' | 'TOKEN_EXPIRED'];
  it.each<Case>([
    ['missing', () => undefined, 'TOKEN_MISSING'],
    ['malformed', () => 'Bearer not.a.jwt', 'TOKEN_INVALID'],
    ['not a bearer', () => 'Basic dXNlcjpwYXNz', 'TOKEN_INVALID'],
    [
      'wrong signature',
      () => `Bearer ${jwt.sign({ sub: '1', ...claims() }, 'some-other-secret-with-enough-bytes', { expiresIn: 60 })}`,
      'TOKEN_INVALID',
    ],
    [
      'expired',
      () =>
        `Bearer ${jwt.sign({ sub: '1', sid: '1', ...claims(), exp: Math.floor(Date.now() / 1000) - 10 }, TEST_JWT_SECRET, { keyid: keyIdOf(TEST_JWT_SECRET) })}`,
      'TOKEN_EXPIRED',
    ],
    ['without a key id', () => `Bearer ${jwt.sign({ sub: '1', sid: '1', ...claims() }, TEST_JWT_SECRET, { expiresIn: 60 })}`, 'TOKEN_INVALID'],
    ['alg none', () => `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: '1', ...claims(), exp: 9_999_999_999 })}.`, 'TOKEN_INVALID'],
  ])('%s token', async (_, header, reason) => {
    const value = header();
    const response = await callProcedure(stack, 'query', 'account.me', undefined, value ? { authorization: value } : {});
    expect(response.status).toBe(401);
    expect(response.body.error.data).toMatchObject({ code: 'UNAUTHORIZED', reason });
    expect(JSON.stringify(response.body)).not.toContain('stack');
  });

  it('answers ACCOUNT_NOT_FOUND for a valid token of an account that is gone', async () => {
    const token = jwt.sign({ sub: '999999', sid: '999999', ...claims() }, TEST_JWT_SECRET, { expiresIn: 60, keyid: keyIdOf(TEST_JWT_SECRET) });
    const response = await callProcedure(stack, 'query', 'account.me', undefined, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(401);
    expect(response.body.error.data.reason).toBe('ACCOUNT_NOT_FOUND');
  });
});

describe("login errors are typed, never a 500 for the player's fault", () => {
  it('a code already exchanged elsewhere is CODE_USED (400); our own repeat is answered from the code cache', async () => {
    const code = stack.codeFor('dave');
    const query = new URLSearchParams({
      appid: stack.config.wechat.appid,
      secret: stack.config.wechat.secret,
      js_code: code,
      grant_type: 'authorization_code',
    });
    expect(((await (await fetch(`${stack.simulator.url}/sns/jscode2session?${query}`)).json()) as { openid?: string }).openid).toBeTruthy();
    const second = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code });
    expect(second.status).toBe(400);
    expect(second.body.error.data).toMatchObject({ code: 'BAD_REQUEST', reason: 'CODE_USED' });
  });

  it('an unknown code is CODE_INVALID (400)', async () => {
    const response = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: 'NotACodeWeChatEverIssued0000000' });
    expect(response.status).toBe(400);
    expect(response.body.error.data.reason).toBe('CODE_INVALID');
  });

  it.each([
    [{}, 'code'],
    [{ code: '' }, 'code'],
    [{ code: 42 }, 'code'],
    [{ code: 'has space' }, 'code'],
    [{ code: 'x'.repeat(500) }, 'code'],
  ])('bad input %j is INPUT_INVALID naming the field', async (input, field) => {
    const response = await callProcedure(stack, 'mutation', 'auth.wechatLogin', input);
    expect(response.status).toBe(400);
    expect(response.body.error.data.reason).toBe('INPUT_INVALID');
    expect(response.body.error.data.fields.map((f: { path: string }) => f.path)).toContain(field);
  });

  it('a body that is not JSON is BODY_INVALID (400)', async () => {
    const response = await fetch(`${stack.trpcUrl}/auth.wechatLogin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"code": ',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.data.reason).toBe('BODY_INVALID');
  });

  it('a body over the limit is BODY_TOO_LARGE (413)', async () => {
    const response = await fetch(`${stack.trpcUrl}/auth.wechatLogin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'x'.repeat(stack.config.bodyLimitBytes) }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as any).error.data.reason).toBe('BODY_TOO_LARGE');
  });

  it('a multipart body over the limit is BODY_TOO_LARGE (413) too', async () => {
    const form = new FormData();
    form.set('code', 'x'.repeat(stack.config.bodyLimitBytes + 1000));
    const response = await fetch(`${stack.trpcUrl}/auth.wechatLogin`, { method: 'POST', body: form });
    expect(response.status).toBe(413);
    expect(((await response.json()) as any).error.data.reason).toBe('BODY_TOO_LARGE');
  });

  it('a batch whose input is not an object is not mistaken for a batch too large', async () => {
    const response = await fetch(`${stack.trpcUrl}/auth.wechatLogin?batch=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[1]',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any[])[0].error.data.reason).toBe('REQUEST_INVALID');
  });

  it.each([
    ['/trpc', 404, 'ROUTE_NOT_FOUND'],
    ['/nowhere', 404, 'ROUTE_NOT_FOUND'],
    [`/trpc/${'account.me,'.repeat(600)}account.me`, 400, 'BATCH_TOO_LARGE'],
    [`/trpc/${'a'.repeat(6_000)}`, 414, 'REQUEST_INVALID'],
  ])('GET %s answers %i in the tRPC error shape with reason %s', async (path, status, reason) => {
    const response = await fetch(`${stack.baseUrl}${path}`);
    expect(response.status).toBe(status);
    const text = await response.text();
    expect((JSON.parse(text) as any).error.data).toMatchObject({ httpStatus: status, reason });
    // The answer does not echo a long path back.
    expect(text.length).toBeLessThan(500);
  });

  it('a batch over MAX_BATCH_SIZE is BATCH_TOO_LARGE (400)', async () => {
    const paths = Array(stack.config.maxBatchSize + 1)
      .fill('account.me')
      .join(',');
    const response = await fetch(`${stack.trpcUrl}/${paths}?batch=1`);
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('BATCH_TOO_LARGE');
  });

  it.each([
    ['text/plain', 'CONTENT_TYPE_UNSUPPORTED'],
    ['application/x-www-form-urlencoded', 'CONTENT_TYPE_UNSUPPORTED'],
  ])('a body sent as %s is %s (415), as Unity sends by default', async (contentType, reason) => {
    const response = await fetch(`${stack.trpcUrl}/auth.wechatLogin`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: '{"code":"x"}',
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as any).error.data.reason).toBe(reason);
  });

  it('a batch mixing a mutation and a query is REQUEST_INVALID (400)', async () => {
    const response = await fetch(`${stack.trpcUrl}/auth.wechatLogin,account.me?batch=1`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.data.reason).toBe('REQUEST_INVALID');
  });

  it('an unknown procedure is PROCEDURE_NOT_FOUND (404)', async () => {
    const response = await callProcedure(stack, 'query', 'account.nothing');
    expect(response.status).toBe(404);
    expect(response.body.error.data.reason).toBe('PROCEDURE_NOT_FOUND');
  });

  it.each([
    [{ kind: 'errcode', errcode: -1 } as const, 503, 'WECHAT_BUSY'],
    [{ kind: 'errcode', errcode: 45011 } as const, 429, 'WECHAT_RATE_LIMITED'],
    [{ kind: 'errcode', errcode: 40226 } as const, 403, 'WECHAT_USER_BLOCKED'],
    [{ kind: 'errcode', errcode: 40125 } as const, 500, 'WECHAT_MISCONFIGURED'],
    [{ kind: 'http', status: 502, body: '<html>bad gateway</html>' } as const, 502, 'WECHAT_UNAVAILABLE'],
    [{ kind: 'errcode', errcode: 48001 } as const, 502, 'WECHAT_ERROR'],
  ])('WeChat answering %j gives HTTP %i with reason %s', async (fault, status, reason) => {
    stack.simulator.injectFault(fault);
    const before = stack.simulator.code2sessionCalls;
    const response = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor('erin') });
    expect(response.status).toBe(status);
    expect(response.body.error.data.reason).toBe(reason);
    expect(stack.simulator.code2sessionCalls - before).toBe(1);
    if (reason === 'WECHAT_RATE_LIMITED') {
      expect(response.headers.get('retry-after')).toBe('60');
      expect(response.body.error.data.retryAfterSeconds).toBe(60);
    }
  });

  it('a slow WeChat is WECHAT_TIMEOUT (504)', async () => {
    const slow = await startTestStack({ WECHAT_TIMEOUT_MS: '200' });
    try {
      slow.simulator.injectFault({ kind: 'delay', ms: 1_000 });
      const response = await callProcedure(slow, 'mutation', 'auth.wechatLogin', { code: slow.codeFor('frank') });
      expect(response.status).toBe(504);
      expect(response.body.error.data.reason).toBe('WECHAT_TIMEOUT');
    } finally {
      await slow.close();
    }
  });

  it('a wrong WECHAT_SECRET is logged loudly, and no secret, session key, code or token reaches a log line or answer', async () => {
    const misconfigured = await startTestStack({ WECHAT_SECRET: 'a-wrong-secret-for-this-app' });
    try {
      const code = misconfigured.codeFor('gina');
      const response = await callProcedure(misconfigured, 'mutation', 'auth.wechatLogin', { code });
      expect(response.status).toBe(500);
      expect(response.body.error.data.reason).toBe('WECHAT_MISCONFIGURED');
      const logs = misconfigured.logs.join('\n');
      expect(logs).toMatch(/WECHAT_APPID and WECHAT_SECRET/);
      expect(logs).toContain('40125');
      for (const secret of ['a-wrong-secret-for-this-app', code, TEST_JWT_SECRET]) {
        expect(logs).not.toContain(secret);
        expect(JSON.stringify(response.body)).not.toContain(secret);
      }
    } finally {
      await misconfigured.close();
    }
    expect(stack.logs.join('\n')).not.toContain(TEST_WECHAT_SECRET);
  });
});

describe('client IP behind a proxy', () => {
  it('records X-Forwarded-For from a trusted proxy, and the socket address when the header is not an IP', async () => {
    const proxied = await startTestStack({ TRUST_PROXY: '127.0.0.1' });
    try {
      const loginVia = async (forwardedFor: string) => {
        const response = await fetch(`${proxied.trpcUrl}/auth.wechatLogin`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
          body: JSON.stringify({ code: proxied.codeFor('ivan') }),
        });
        expect(response.status).toBe(200);
        const profile = await proxied.database.db.selectFrom('accountProfile').select('loginIp').executeTakeFirstOrThrow();
        return profile.loginIp;
      };
      expect(await loginVia('198.51.100.23')).toBe('198.51.100.23');
      expect(await loginVia(`not-an-ip-${'x'.repeat(60)}`)).toBe('127.0.0.1');
      expect(await loginVia(`fe80::1%${'a'.repeat(60)}`)).toBe('127.0.0.1');
    } finally {
      await proxied.close();
    }
  });
});

describe('/healthz', () => {
  it('answers 200', async () => {
    const response = await fetch(`${stack.baseUrl}/healthz`);
    expect(response.status).toBe(200);
  });
});
