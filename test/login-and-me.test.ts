import jwt from 'jsonwebtoken';
import type { LoginAnswer } from '@minigate/api';
import {
  createAccessTokens,
  createAtRestCipher,
  createDatabaseLoginCodeCache,
  createLoginService,
  createServedApps,
  keyIdOf,
  MinigateError,
} from '@minigate/api/testing';
import type { Database } from '@minigate/db';
import { createMysqlPool } from '@minigate/db/mysql-pool';
import { createHttpTransport, MemoryAccessTokenStore } from '@minigate/wechat';
import { CamelCasePlugin, CompiledQuery, Kysely, MysqlDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, TEST_APPID, TEST_JWT_SECRET, TEST_WECHAT_SECRET, type TestStack } from './support/stack.js';

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
    expect(identity.authType).toBe(`wechat_openid:${stack.config.wechat.app!.appid}`);
    expect(identity.identifier).toBe(stack.simulator.openidFor(stack.config.wechat.app!.appid, 'bob'));
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
      appid: stack.config.wechat.app!.appid,
      secret: stack.config.wechat.app!.secret,
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

describe('a login code is exchanged once: a repeat is a retry only from the same IP within 60 s', () => {
  let proxied: TestStack;
  beforeAll(async () => {
    // X-Forwarded-For from the test's own address is believed: each call says which IP it comes from.
    proxied = await startTestStack({ TRUST_PROXY: '127.0.0.1' });
  });
  afterAll(() => proxied?.close());

  const loginFrom = async (code: string, ip: string) => {
    const response = await fetch(`${proxied.trpcUrl}/auth.wechatLogin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ code }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const sessionIdOf = (answer: { body: any }): number => Number(String(answer.body.result.data.refreshToken).split('.')[0]);
  const sessionsOf = async (accountId: number) =>
    proxied.database.db.selectFrom('accountSession').select(['sessionId', 'revokedAt']).where('accountId', '=', accountId).execute();
  const refresh = (refreshToken: string) => callProcedure(proxied, 'mutation', 'auth.refresh', { refreshToken });

  it('a replay from another IP is 400 CODE_USED and opens no session; WeChat is asked once', async () => {
    const code = proxied.codeFor('replayed-far');
    const calls = proxied.simulator.callCount('jscode2session');
    const first = await loginFrom(code, '198.51.100.10');
    expect(first.status).toBe(200);
    const replay = await loginFrom(code, '203.0.113.99');
    expect(replay.status).toBe(400);
    expect(replay.body.error.data).toMatchObject({ code: 'BAD_REQUEST', reason: 'CODE_USED' });
    expect(await sessionsOf(first.body.result.data.account.id)).toHaveLength(1);
    expect(proxied.simulator.callCount('jscode2session')).toBe(calls + 1);
    // The first answer's tokens still work.
    expect((await refresh(first.body.result.data.refreshToken)).status).toBe(200);
  });

  it("a repeat from the same IP within 60 s rotates the first answer's session: same session, new refresh token, the first one refused", async () => {
    const code = proxied.codeFor('replayed-near');
    const first = await loginFrom(code, '198.51.100.11');
    const again = await loginFrom(code, '198.51.100.11');
    expect([first.status, again.status]).toEqual([200, 200]);
    const [one, two] = [first.body.result.data, again.body.result.data];
    expect(sessionIdOf(again)).toBe(sessionIdOf(first));
    expect(two.account).toEqual(one.account);
    expect(two.refreshToken).not.toBe(one.refreshToken);
    expect(await sessionsOf(one.account.id)).toHaveLength(1);

    const spent = await refresh(one.refreshToken);
    expect(spent.status).toBe(401);
    expect(spent.body.error.data.reason).toBe('REFRESH_TOKEN_INVALID');
    // Refused, not taken for a theft: the session lives on with the newest answer's token.
    const live = await refresh(two.refreshToken);
    expect(live.status).toBe(200);
    const me = await callProcedure(proxied, 'query', 'account.me', undefined, { authorization: `Bearer ${live.body.result.data.accessToken}` });
    expect(me.status).toBe(200);
  });

  it('a repeat from the same IP more than 60 s after the first answer is CODE_USED', async () => {
    const code = proxied.codeFor('replayed-late');
    const first = await loginFrom(code, '198.51.100.12');
    expect(first.status).toBe(200);
    // The first answer 61 s ago: the session's creation moved back instead of the test waiting.
    await sql`UPDATE account_session SET create_time = ${new Date(Date.now() - 61_000)} WHERE session_id = ${sessionIdOf(first)}`.execute(
      proxied.database.db,
    );
    const late = await loginFrom(code, '198.51.100.12');
    expect(late.status).toBe(400);
    expect(late.body.error.data.reason).toBe('CODE_USED');
    expect((await refresh(first.body.result.data.refreshToken)).status).toBe(200);
  });

  it('a repeat of a code whose session was logged out is CODE_USED, never a revived session', async () => {
    const code = proxied.codeFor('replayed-after-logout');
    const first = await loginFrom(code, '198.51.100.13');
    const out = await callProcedure(proxied, 'mutation', 'auth.logout', { refreshToken: first.body.result.data.refreshToken });
    expect(out.status).toBe(200);
    const again = await loginFrom(code, '198.51.100.13');
    expect(again.status).toBe(400);
    expect(again.body.error.data.reason).toBe('CODE_USED');
  });

  it('a new player: a retry answers isNew as the first answer did', async () => {
    const code = proxied.codeFor('replayed-new');
    const first = await loginFrom(code, '198.51.100.14');
    const again = await loginFrom(code, '198.51.100.14');
    expect(first.body.result.data.account.isNew).toBe(true);
    expect(again.body.result.data.account).toEqual(first.body.result.data.account);
  });
});

describe('the login service, its statements counted and its clock in hand', () => {
  it("a returning player's login is 4 statements; a retry within the window rotates with 2; later, or from elsewhere, CODE_USED", async () => {
    const statements: string[] = [];
    // The test database through a Kysely that logs every statement it sends (BEGIN and COMMIT too).
    const db = new Kysely<Database>({
      dialect: new MysqlDialect({
        pool: createMysqlPool(stack.database.url),
        onCreateConnection: async (connection) => void (await connection.executeQuery(CompiledQuery.raw("SET time_zone = '+00:00'"))),
      }),
      plugins: [new CamelCasePlugin()],
      log: (event) => void statements.push(event.query.sql.trim().split(/\s+/)[0]!.toLowerCase()),
    });
    let clock = Date.now();
    const transport = createHttpTransport();
    const service = createLoginService({
      db,
      apps: createServedApps({
        apps: [{ appid: TEST_APPID, platform: 'wechat', secret: TEST_WECHAT_SECRET, apiBase: stack.simulator.url }],
        wechatTransport: transport.send,
        transport: transport.send,
        tokenStore: new MemoryAccessTokenStore(),
      }),
      accessTokens: createAccessTokens({
        secret: TEST_JWT_SECRET,
        issuer: stack.config.jwt.issuer,
        audience: stack.config.jwt.audience,
        ttlSeconds: 7200,
      }),
      sessionKeys: createAtRestCipher(stack.config.encryption.key),
      sessions: stack.config.sessions,
      codeCache: createDatabaseLoginCodeCache(db, () => clock),
      now: () => clock,
    });
    const silent = { error() {}, warn() {}, info() {} };
    const from = (ip: string) => ({ ip, userAgent: 'counted', log: silent });
    const sessionIdOf = (answer: LoginAnswer) => Number(answer.refreshToken.split('.')[0]);
    const reasonOf = async (login: Promise<unknown>) => {
      const error = await login.then(
        () => null,
        (error: unknown) => error,
      );
      return error instanceof MinigateError ? error.reason : String(error);
    };
    try {
      await service.wechatLogin(stack.codeFor('counted'), from('192.0.2.1'));
      statements.length = 0;
      const code = stack.codeFor('counted');
      const first = await service.wechatLogin(code, from('192.0.2.1'));
      console.log(`a returning player's login: ${statements.length} statements (${statements.join(', ')})`);
      expect(statements).toHaveLength(4);
      expect(first.account.isNew).toBe(false);

      statements.length = 0;
      clock += 59_000;
      const retry = await service.wechatLogin(code, from('192.0.2.1'));
      console.log(`a retry of its code: ${statements.length} statements (${statements.join(', ')})`);
      expect(statements).toEqual(['select', 'update']);
      expect(sessionIdOf(retry)).toBe(sessionIdOf(first));
      expect(retry.refreshToken).not.toBe(first.refreshToken);

      expect(await reasonOf(service.wechatLogin(code, from('192.0.2.2')))).toBe('CODE_USED');
      clock += 2_000;
      expect(await reasonOf(service.wechatLogin(code, from('192.0.2.1')))).toBe('CODE_USED');
      const sessions = await db.selectFrom('accountSession').select('sessionId').where('accountId', '=', first.account.id).execute();
      expect(sessions).toHaveLength(2);
    } finally {
      transport.close();
      await db.destroy();
    }
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
