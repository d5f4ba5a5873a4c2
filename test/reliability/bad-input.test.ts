import { createHmac, randomBytes } from 'node:crypto';
import { appRouter } from '@minigate/api';
import { keyIdOf } from '@minigate/api/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_APPID, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, TEST_WECHAT_SECRET, type TestStack } from '../support/stack.js';
import { bearer, errorShapeProblem, errorsOf, RecordingClient, type Answer } from './support/http.js';
import { LeakScan, leakSummary } from './support/leaks.js';
import { startWeChatTap, type WeChatTap } from './support/wechat-tap.js';

// Bad input of every kind, table-driven: each row must be a 4xx in the tRPC
// error shape with a reason (the field named where there is one), never a
// 5xx and never a stack trace. test/login-and-me and test/observability hold
// the first examples of several kinds; these tables go across procedures and
// add the cases they lack.

/** The procedures of this build: every procedure these tables name must be one of them (a missing one fails, never skips). */
const PROCEDURES = new Set(Object.keys(appRouter._def.procedures as Record<string, unknown>));

let stack: TestStack;
let tap: WeChatTap;
const leaks = new LeakScan();
const http = new RecordingClient(leaks);
const answers: Array<{ row: string; answer: Answer }> = [];
let player: { accessToken: string; refreshToken: string; accountId: number; sessionId: number };

beforeAll(async () => {
  tap = await startWeChatTap();
  stack = await startTestStack({
    WECHAT_API_BASE: tap.url,
    LOG_LEVEL: 'trace',
    RATE_LIMIT_LOGIN: '100000/60',
    RATE_LIMIT_REFRESH: '100000/60',
    RATE_LIMIT_CALLS: '100000/60',
    RATE_LIMIT_RANKING: '100000/60',
  });
  tap.target = stack.simulator.url;
  leaks.logSource('server', () => stack.logs);
  leaks.secret('WeChat secret', TEST_WECHAT_SECRET);
  leaks.secret('JWT secret', TEST_JWT_SECRET);
  leaks.secret('encryption key', TEST_ENCRYPTION_KEY);
  const code = stack.codeFor('bad-input-ann');
  leaks.secret('login code', code);
  const login = await http.call(stack.baseUrl, 'mutation', 'auth.wechatLogin', { code });
  expect(login.status).toBe(200);
  const data = login.body.result.data;
  player = {
    accessToken: data.accessToken,
    refreshToken: data.refreshToken,
    accountId: data.account.id,
    sessionId: Number(data.refreshToken.split('.')[0]),
  };
});
afterAll(async () => {
  await stack?.close();
  await tap?.close();
});

const record = (row: string, answer: Answer): Answer => {
  answers.push({ row, answer });
  return answer;
};
const post = (path: string, body: string | Buffer | ReadableStream, headers: Record<string, string> = {}) =>
  http.request(`${stack.trpcUrl}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
const get = (path: string, headers: Record<string, string> = {}) => http.request(`${stack.baseUrl}${path}`, { headers });
const asPlayer = () => bearer(player.accessToken);

/** Checks one refused answer: the status, the reason, the field, the shape; no stack trace. */
function expectRefused(answer: Answer, status: number | number[], reason: string | string[], field?: string) {
  const statuses = Array.isArray(status) ? status : [status];
  const reasons = Array.isArray(reason) ? reason : [reason];
  expect(statuses, answer.text).toContain(answer.status);
  const errors = errorsOf(answer.body);
  expect(errors.length, answer.text).toBeGreaterThan(0);
  for (const item of errors) {
    expect(errorShapeProblem(item.error.data.httpStatus, item), answer.text).toBeNull();
    expect(item.error.data.httpStatus).toBeGreaterThanOrEqual(400);
    expect(item.error.data.httpStatus).toBeLessThan(500);
    expect(reasons, answer.text).toContain(item.error.data.reason);
    if (field !== undefined)
      expect(
        item.error.data.fields?.map((f: { path: string }) => f.path),
        answer.text,
      ).toContain(field);
  }
}

// --- bodies -------------------------------------------------------------------------------

describe('bodies', () => {
  const limit = () => stack.config.bodyLimitBytes;
  const nested = (depth: number) => `{"code":${'['.repeat(depth)}${']'.repeat(depth)}}`;
  type BodyRow = [string, () => Promise<Answer>, number, string];
  const bodyRows: BodyRow[] = [
    ['an oversized refresh', () => post('auth.refresh', JSON.stringify({ refreshToken: 'x'.repeat(limit()) })), 413, 'BODY_TOO_LARGE'],
    [
      'an oversized profile update',
      () => post('account.updateProfile', JSON.stringify({ nickName: 'x'.repeat(limit()) }), asPlayer()),
      413,
      'BODY_TOO_LARGE',
    ],
    [
      'an oversized batch',
      () =>
        post(
          'auth.logout,auth.logout?batch=1',
          JSON.stringify({ 0: { refreshToken: 'x'.repeat(limit() / 2) }, 1: { refreshToken: 'y'.repeat(limit() / 2) } }),
        ),
      413,
      'BODY_TOO_LARGE',
    ],
    [
      'an oversized chunked body (no Content-Length)',
      () => {
        const chunk = new TextEncoder().encode(`"${'x'.repeat(16 * 1024)}",`);
        let sent = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent === 0) controller.enqueue(new TextEncoder().encode('{"code":['));
            if (sent > limit() * 2) {
              controller.enqueue(new TextEncoder().encode('""]}'));
              controller.close();
              return;
            }
            controller.enqueue(chunk);
            sent += chunk.length;
          },
        });
        return post('auth.wechatLogin', body);
      },
      413,
      'BODY_TOO_LARGE',
    ],
    ['JSON null', () => post('auth.wechatLogin', 'null'), 400, 'INPUT_INVALID'],
    ['a JSON array to a single call', () => post('auth.wechatLogin', '["code"]'), 400, 'INPUT_INVALID'],
    ['a JSON string', () => post('auth.wechatLogin', '"code"'), 400, 'INPUT_INVALID'],
    ['an empty body', () => post('auth.wechatLogin', ''), 400, 'INPUT_INVALID'],
    ['JSON followed by garbage', () => post('auth.wechatLogin', '{"code":"abc"} DROP'), 400, 'BODY_INVALID'],
    ['a UTF-16 body', () => post('auth.wechatLogin', Buffer.from('\ufeff{"code":"abc"}', 'utf16le')), 400, 'BODY_INVALID'],
    ['10,000 levels of nesting', () => post('auth.wechatLogin', nested(10_000)), 400, 'INPUT_INVALID'],
    ['45,000 levels of nesting (just under the body limit)', () => post('auth.wechatLogin', nested(45_000)), 400, 'INPUT_INVALID'],
    ['__proto__ as the input', () => post('auth.wechatLogin', '{"__proto__":{"code":"abcdef"}}'), 400, 'INPUT_INVALID'],
    [
      'invalid UTF-8 bytes in a string',
      () => post('auth.wechatLogin', Buffer.from([...Buffer.from('{"code":"'), 0xff, 0xfe, 0xc3, ...Buffer.from('"}')])),
      400,
      'INPUT_INVALID',
    ],
    [
      'a mutation by GET, input in the query',
      () => get(`/trpc/auth.refresh?input=${encodeURIComponent('{"refreshToken":"1.x"}')}`),
      405,
      'METHOD_NOT_SUPPORTED',
    ],
    ['a query by POST', () => post('account.me', '{}', asPlayer()), 405, 'METHOD_NOT_SUPPORTED'],
    [
      'a content type that only starts like JSON',
      () => post('auth.wechatLogin', '{"code":"abc"}', { 'content-type': 'application/jsonx' }),
      415,
      'CONTENT_TYPE_UNSUPPORTED',
    ],
  ];
  it.each(bodyRows.map(([name, send, status, reason]) => ({ name, send, status, reason })))(
    '$name → $status $reason',
    async ({ name, send, status, reason }) => {
      expectRefused(record(name, await send()), status, reason);
    },
  );

  it('a constructor.prototype in the input pollutes nothing', async () => {
    const answer = record(
      'constructor.prototype',
      await post('auth.wechatLogin', '{"code":"abcdef","constructor":{"prototype":{"polluted":"yes"}},"__proto__":{"polluted":"yes"}}'),
    );
    expectRefused(answer, 400, 'CODE_INVALID');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

// --- procedure names ----------------------------------------------------------------------------

describe('procedure names', () => {
  it.each([
    '/trpc/__proto__',
    '/trpc/constructor',
    '/trpc/account.__proto__',
    '/trpc/account.constructor',
    '/trpc/toString',
    '/trpc/hasOwnProperty',
    '/trpc/auth.wechatLogin.call',
    '/trpc/..%2F..%2Fetc%2Fpasswd',
    `/trpc/${encodeURIComponent('账户.我')}`,
    '/trpc/account.me%00',
  ])('GET %s → 404 PROCEDURE_NOT_FOUND', async (path) => {
    expectRefused(record(path, await get(path)), 404, ['PROCEDURE_NOT_FOUND', 'ROUTE_NOT_FOUND']);
  });
});

// --- wrong types and values ---------------------------------------------------------------------

describe('wrong types and values, the field named', () => {
  const tooBig = 2 ** 31;
  type TypeRow = [string, unknown, string];
  const rows: Array<[procedure: string, rows: TypeRow[]]> = [
    [
      'auth.wechatLogin',
      [
        ['null', { code: null }, 'code'],
        ['an array', { code: ['abc'] }, 'code'],
        ['an object', { code: { $gt: '' } }, 'code'],
        ['a boolean', { code: true }, 'code'],
        ['129 characters', { code: 'a'.repeat(129) }, 'code'],
        ['a NUL', { code: '\u0000abcdef' }, 'code'],
        ['an emoji', { code: '😀abcdef' }, 'code'],
        ['a line break', { code: 'abc\r\ndef' }, 'code'],
      ],
    ],
    [
      'auth.refresh',
      [
        ['a number', { refreshToken: 1 }, 'refreshToken'],
        ['null', { refreshToken: null }, 'refreshToken'],
        ['an array', { refreshToken: ['1.abc'] }, 'refreshToken'],
        ['129 characters', { refreshToken: `1.${'a'.repeat(127)}` }, 'refreshToken'],
      ],
    ],
    ['auth.logout', [['a number', { refreshToken: 5 }, 'refreshToken']]],
    [
      'account.updateProfile',
      [
        ['gender as a string', { gender: '1' }, 'gender'],
        ['gender 1.5', { gender: 1.5 }, 'gender'],
        ['gender 3', { gender: 3 }, 'gender'],
        ['gender -1', { gender: -1 }, 'gender'],
        ['birthday as a number', { birthday: 19900101 }, 'birthday'],
        ['birthday 30 February', { birthday: '1990-02-30' }, 'birthday'],
        ['birthday before 1900', { birthday: '1899-12-31' }, 'birthday'],
        ['birthday in the future', { birthday: '2999-01-01' }, 'birthday'],
        ['birthday without zeros', { birthday: '1990-1-1' }, 'birthday'],
        ['nickName as a number', { nickName: 123 }, 'nickName'],
        ['nickName empty', { nickName: '' }, 'nickName'],
        ['nickName blank', { nickName: '   ' }, 'nickName'],
        ['nickName with a line break', { nickName: 'a\nb' }, 'nickName'],
        ['nickName with a NUL', { nickName: 'a\u0000b' }, 'nickName'],
        ['nickName of 33 characters', { nickName: 'x'.repeat(33) }, 'nickName'],
        ['nickName of 33 emoji', { nickName: '😀'.repeat(33) }, 'nickName'],
        ['nickName as an array', { nickName: ['a'] }, 'nickName'],
        ['avatarUrl javascript:', { avatarUrl: 'javascript:alert(1)' }, 'avatarUrl'],
        ['avatarUrl over http', { avatarUrl: 'http://example.com/a.png' }, 'avatarUrl'],
        ['avatarUrl with credentials', { avatarUrl: 'https://user:pw@example.com/a.png' }, 'avatarUrl'],
        ['avatarUrl of 600 characters', { avatarUrl: `https://example.com/${'a'.repeat(580)}` }, 'avatarUrl'],
        ['a field of its own (level)', { level: 99 }, '(input)'],
        ['nothing to change', {}, '(input)'],
      ],
    ],
    [
      'ranking.submitScore',
      [
        ['score as a string', { key: 'best', score: '10' }, 'score'],
        ['score 1.5', { key: 'best', score: 1.5 }, 'score'],
        ['score -1', { key: 'best', score: -1 }, 'score'],
        ['score 2^31', { key: 'best', score: tooBig }, 'score'],
        ['no score', { key: 'best' }, 'score'],
        ['key empty', { key: '', score: 1 }, 'key'],
        ['key of 65 characters', { key: 'k'.repeat(65), score: 1 }, 'key'],
        ['key with SQL', { key: "best'; DROP TABLE account; --", score: 1 }, 'key'],
        ['key with an emoji', { key: 'best😀', score: 1 }, 'key'],
      ],
    ],
    [
      'ranking.removeScores',
      [
        ['no keys', { keys: [] }, 'keys'],
        ['33 keys', { keys: Array.from({ length: 33 }, (_, i) => `k${i}`) }, 'keys'],
        ['a key twice', { keys: ['a', 'a'] }, 'keys'],
        ['keys as a string', { keys: 'best' }, 'keys'],
      ],
    ],
    [
      'account.bindPhone',
      [
        ['code empty', { code: '' }, 'code'],
        ['code with a space', { code: 'a b' }, 'code'],
        ['code as a number', { code: 1 }, 'code'],
        ['code of 257 characters', { code: 'c'.repeat(257) }, 'code'],
      ],
    ],
  ];
  const table = rows.flatMap(([procedure, list]) => list.map(([what, input, field]) => ({ procedure, what, input, field })));

  it('covers every procedure of the table, each of them in this build', () => {
    expect(
      rows.map(([procedure]) => procedure).filter((procedure) => !PROCEDURES.has(procedure)),
      'procedures of the table missing from appRouter',
    ).toEqual([]);
    expect(table.length).toBeGreaterThan(40);
  });

  it.each(table)('$procedure: $what → 400 INPUT_INVALID naming $field', async ({ procedure, what, input, field }) => {
    const answer = record(`${procedure}: ${what}`, await post(procedure, JSON.stringify(input), asPlayer()));
    expectRefused(answer, 400, 'INPUT_INVALID', field);
  });
});

// --- user info: bad base64, bad padding (account.syncWeChatUserInfo) --------------------------------

describe('account.syncWeChatUserInfo: what WeChat never produces', () => {
  it('is a procedure of this build', () => {
    expect([...PROCEDURES], 'account.syncWeChatUserInfo missing from appRouter').toContain('account.syncWeChatUserInfo');
  });

  const base64Of = (bytes: number) => randomBytes(bytes).toString('base64');
  type UserInfoRow = [string, () => Record<string, unknown>, number | number[], string | string[], string];
  const userInfoRows: UserInfoRow[] = [
    ['encryptedData as a number', () => ({ encryptedData: 1, iv: base64Of(16) }), 400, 'INPUT_INVALID', 'encryptedData'],
    ['encryptedData empty', () => ({ encryptedData: '', iv: base64Of(16) }), 400, 'INPUT_INVALID', 'encryptedData'],
    ['encryptedData not base64', () => ({ encryptedData: '!!!! not base64 ****', iv: base64Of(16) }), 400, 'INPUT_INVALID', 'encryptedData'],
    [
      'encryptedData with bad padding',
      () => ({ encryptedData: `${base64Of(32).slice(0, -2)}=`, iv: base64Of(16) }),
      400,
      'INPUT_INVALID',
      'encryptedData',
    ],
    ['encryptedData cut short (not whole blocks)', () => ({ encryptedData: base64Of(20), iv: base64Of(16) }), 400, 'INPUT_INVALID', 'encryptedData'],
    ['encryptedData in base64url', () => ({ encryptedData: '-_-_'.repeat(16), iv: base64Of(16) }), 400, 'INPUT_INVALID', 'encryptedData'],
    ['iv missing', () => ({ encryptedData: base64Of(32) }), 400, 'INPUT_INVALID', 'iv'],
    ['iv of 8 bytes', () => ({ encryptedData: base64Of(32), iv: base64Of(8) }), 400, 'INPUT_INVALID', 'iv'],
    ['iv without its padding', () => ({ encryptedData: base64Of(32), iv: base64Of(16).replace(/=+$/, '') }), 400, 'INPUT_INVALID', 'iv'],
    ['iv with bad padding', () => ({ encryptedData: base64Of(32), iv: `${base64Of(16).replace(/=+$/, '')}=` }), 400, 'INPUT_INVALID', 'iv'],
    ['iv not base64', () => ({ encryptedData: base64Of(32), iv: '%%%%%%%%%%%%%%%%%%%%%%==' }), 400, 'INPUT_INVALID', 'iv'],
    [
      'a signature that is not sha1 hex',
      () => ({ encryptedData: base64Of(32), iv: base64Of(16), rawData: '{}', signature: 'zz' }),
      400,
      'INPUT_INVALID',
      'signature',
    ],
    ['rawData without a signature', () => ({ encryptedData: base64Of(32), iv: base64Of(16), rawData: '{}' }), 400, 'INPUT_INVALID', 'signature'],
    [
      'well-formed blocks that are not ours (random bytes)',
      () => ({ encryptedData: base64Of(64), iv: base64Of(16) }),
      [400, 401, 409],
      ['SESSION_KEY_STALE', 'USER_INFO_INVALID', 'INPUT_INVALID'],
      'encryptedData',
    ],
  ];
  it.each(userInfoRows.map(([name, input, status, reason, field]) => ({ name, input, status, reason, field })))(
    '$name → $status $reason',
    async ({ name, input, status, reason, field }) => {
      const answer = record(`syncWeChatUserInfo: ${name}`, await post('account.syncWeChatUserInfo', JSON.stringify(input()), asPlayer()));
      expectRefused(answer, status, reason, Array.isArray(reason) ? undefined : field);
    },
  );
});

// --- access tokens ------------------------------------------------------------------------------

describe('forged, expired and otherwise bad access tokens, on every protected procedure', () => {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const hmac = (algorithm: string, secret: string, data: string) => createHmac(algorithm, secret).update(data).digest('base64url');
  const header = (extra: Record<string, unknown> = {}) => ({ alg: 'HS256', typ: 'JWT', kid: keyIdOf(TEST_JWT_SECRET), ...extra });
  const claims = (extra: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iat: now,
      exp: now + 600,
      sid: String(player.sessionId),
      iss: 'minigate',
      aud: stack.config.jwt.audience,
      sub: String(player.accountId),
      ...extra,
    };
  };
  const sign = (head: object, body: object, secret = TEST_JWT_SECRET, algorithm = 'sha256') => {
    const unsigned = `${b64(head)}.${b64(body)}`;
    return `${unsigned}.${hmac(algorithm, secret, unsigned)}`;
  };
  const without = (key: string) => {
    const all: Record<string, unknown> = claims();
    delete all[key];
    return all;
  };

  type TokenRow = [string, () => string, string | string[]];
  const tokens: TokenRow[] = [
    ['forged (another key, our kid)', () => `Bearer ${sign(header(), claims(), 'an-attacker-secret-that-is-long-enough!!')}`, 'TOKEN_INVALID'],
    [
      'tampered (another account, signature kept)',
      () => {
        const [head, , signature] = sign(header(), claims()).split('.');
        return `Bearer ${head}.${b64(claims({ sub: String(player.accountId + 1) }))}.${signature}`;
      },
      'TOKEN_INVALID',
    ],
    ['expired', () => `Bearer ${sign(header(), claims({ exp: Math.floor(Date.now() / 1000) - 5 }))}`, 'TOKEN_EXPIRED'],
    ['expired and forged', () => `Bearer ${sign(header(), claims({ exp: 1 }), 'an-attacker-secret-that-is-long-enough!!')}`, 'TOKEN_INVALID'],
    ['alg none', () => `Bearer ${b64(header({ alg: 'none' }))}.${b64(claims())}.`, 'TOKEN_INVALID'],
    [
      'alg None, with a signature',
      () => `Bearer ${b64(header({ alg: 'None' }))}.${b64(claims())}.${hmac('sha256', TEST_JWT_SECRET, 'x')}`,
      'TOKEN_INVALID',
    ],
    ['no key id', () => `Bearer ${sign({ alg: 'HS256', typ: 'JWT' }, claims())}`, 'TOKEN_INVALID'],
    ['an unknown key id', () => `Bearer ${sign(header({ kid: 'not-a-key' }), claims())}`, 'TOKEN_INVALID'],
    ['HS512 with our key', () => `Bearer ${sign(header({ alg: 'HS512' }), claims(), TEST_JWT_SECRET, 'sha512')}`, 'TOKEN_INVALID'],
    ['RS256 in the header, signed with our key as HMAC', () => `Bearer ${sign(header({ alg: 'RS256' }), claims())}`, 'TOKEN_INVALID'],
    ['another audience', () => `Bearer ${sign(header(), claims({ aud: 'someone-else' }))}`, 'TOKEN_INVALID'],
    ['another issuer', () => `Bearer ${sign(header(), claims({ iss: 'evil' }))}`, 'TOKEN_INVALID'],
    ['not valid yet (nbf)', () => `Bearer ${sign(header(), claims({ nbf: Math.floor(Date.now() / 1000) + 3600 }))}`, 'TOKEN_INVALID'],
    ['no session id', () => `Bearer ${sign(header(), without('sid'))}`, 'TOKEN_INVALID'],
    ['a subject that is not an id', () => `Bearer ${sign(header(), claims({ sub: "1' OR '1'='1" }))}`, 'TOKEN_INVALID'],
    ['a subject of 20 digits', () => `Bearer ${sign(header(), claims({ sub: '99999999999999999999' }))}`, 'TOKEN_INVALID'],
    ['a subject as a number', () => `Bearer ${sign(header(), claims({ sub: player.accountId }))}`, 'TOKEN_INVALID'],
    ['three dots of garbage', () => 'Bearer a.b.c', 'TOKEN_INVALID'],
    ['8 KB long', () => `Bearer ${sign(header(), claims({ pad: 'p'.repeat(6000) }), 'an-attacker-secret-that-is-long-enough!!')}`, 'TOKEN_INVALID'],
    ['a header that is not JSON', () => `Bearer ${Buffer.from('{"alg":').toString('base64url')}.${b64(claims())}.sig`, 'TOKEN_INVALID'],
    ['Bearer and nothing', () => 'Bearer ', ['TOKEN_MISSING', 'TOKEN_INVALID']],
  ];

  const procedures = [
    ['query', 'account.me', undefined],
    ['mutation', 'account.heartbeat', undefined],
    ['mutation', 'account.updateProfile', { gender: 1 }],
    ['mutation', 'account.export', undefined],
    ['mutation', 'auth.logoutAll', undefined],
    ['mutation', 'ranking.submitScore', { key: 'best', score: 1 }],
    ['mutation', 'account.syncWeChatUserInfo', { encryptedData: randomBytes(32).toString('base64'), iv: randomBytes(16).toString('base64') }],
  ] as const;
  const call = (kind: 'query' | 'mutation', path: string, input: unknown, authorization: string) =>
    http.call(stack.baseUrl, kind, path, input, { authorization });

  it('the way these tokens are made is right: the same token with nothing wrong is accepted everywhere', async () => {
    for (const [kind, path, input] of procedures.filter(([, path]) => path !== 'auth.logoutAll')) {
      const answer = await call(kind, path, input, `Bearer ${sign(header(), claims())}`);
      expect(answer.body?.error?.data?.reason ?? 'OK', `${path}: ${answer.text}`).not.toMatch(/^TOKEN_|SESSION_REVOKED|ACCOUNT_NOT_FOUND/);
    }
  });

  it.each(tokens)('a token %s → 401 on each protected procedure', async (name, token, reason) => {
    for (const [kind, path, input] of procedures) {
      const answer = record(`${path} with a token ${name}`, await call(kind, path, input, token()));
      expectRefused(answer, 401, reason);
      expect(answer.body.error.data.path).toBe(path);
    }
  });

  it('none of them ended the real session', async () => {
    expect((await http.call(stack.baseUrl, 'query', 'account.me', undefined, asPlayer())).status).toBe(200);
  });
});

// --- SQL metacharacters and 4-byte characters ---------------------------------------------------------

describe('SQL metacharacters and 4-byte characters are data', () => {
  const update = (nickName: string) => post('account.updateProfile', JSON.stringify({ nickName }), asPlayer());
  const me = () => http.call(stack.baseUrl, 'query', 'account.me', undefined, asPlayer());

  it.each([
    "'; DROP TABLE account; --",
    'x"); DELETE FROM account; --',
    "\\'; SELECT SLEEP(3); --",
    '%_% LIKE \\\\ \\0',
    '1 OR 1=1 /* */ UNION SELECT',
    '🐉🎮😀👾',
    '😀'.repeat(32),
    '𝐀𝐁𝐂 𝒶𝒷𝒸',
    '👨‍👩‍👧‍👦',
    '🇨🇳玩家',
  ])('nickName %s round-trips', async (nickName) => {
    const started = Date.now();
    const updated = record(`nickName ${nickName}`, await update(nickName));
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body.result.data.nickName).toBe(nickName);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect((await me()).body.result.data.nickName).toBe(nickName);
    const stored = await stack.database.db
      .selectFrom('account')
      .select('nickName')
      .where('accountId', '=', player.accountId)
      .executeTakeFirstOrThrow();
    expect(stored.nickName).toBe(nickName);
    // And the tables are all still there.
    const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM account_profile`.execute(stack.database.db);
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
  });

  // A game cutting a nickName in the middle of an emoji sends one. Stored, it would become U+FFFD (utf8mb4 cannot
  // hold it): refused instead, naming the field, and the nickName stored before stays.
  it('a lone UTF-16 surrogate in a nickName → 400 INPUT_INVALID naming nickName, nothing stored', async () => {
    const before = (await me()).body.result.data.nickName;
    const answer = record('nickName with a lone surrogate', await update('ab\ud83dcd'));
    expectRefused(answer, 400, 'INPUT_INVALID', 'nickName');
    expect((await me()).body.result.data.nickName).toBe(before);
  });

  it.each([
    ["'OR'1'='1'--", 'a code of SQL'],
    [`abc&secret=x&appid=wxevil&js_code=def`, 'a code that tries to add query parameters'],
    ['abc%26secret%3Dx', 'a code of percent escapes'],
    ['abc#fragment', 'a code with a #'],
  ])('login code %s (%s) reaches WeChat as one opaque value', async (code) => {
    const answer = record(`login code ${code}`, await post('auth.wechatLogin', JSON.stringify({ code })));
    expectRefused(answer, 400, 'CODE_INVALID');
    const seen = stack.simulator.requestLog.filter((entry) => entry.endpoint === 'jscode2session' && entry.query.js_code === code);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.query).toMatchObject({ appid: TEST_APPID, secret: TEST_WECHAT_SECRET, grant_type: 'authorization_code' });
  });

  it.each(["1' OR '1'='1", '1 UNION SELECT 1', `${'9'.repeat(20)}.${'A'.repeat(43)}`, `-1.${'A'.repeat(43)}`, `0x1.${'A'.repeat(43)}`])(
    'refresh token %s → 401 REFRESH_TOKEN_INVALID',
    async (refreshToken) => {
      expectRefused(
        record(`refresh token ${refreshToken}`, await post('auth.refresh', JSON.stringify({ refreshToken }))),
        401,
        'REFRESH_TOKEN_INVALID',
      );
    },
  );
});

// --- batches ----------------------------------------------------------------------------------------

describe('batches', () => {
  const names = (name: string, count: number) => Array(count).fill(name).join(',');

  it('1,000 calls in one batch → 400 BATCH_TOO_LARGE', async () => {
    // Short names, so the path stays under the router's limit and the batch size is what is refused.
    const answer = record('1,000 calls', await get(`/trpc/${names('a.b', 1000)}?batch=1`, asPlayer()));
    expectRefused(answer, 400, 'BATCH_TOO_LARGE');
  });

  it("1,000 calls of account.me in one batch (an 11 KB path, over the router's limit) → 400 BATCH_TOO_LARGE, the path not echoed", async () => {
    const answer = record('1,000 account.me', await get(`/trpc/${names('account.me', 1000)}?batch=1`, asPlayer()));
    expectRefused(answer, 400, 'BATCH_TOO_LARGE');
    expect(answer.text).not.toContain('account.me,account.me');
  });

  it('1,000 posted heartbeats in one batch (an 18 KB path) → a 4xx with a reason', async () => {
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [i, {}])));
    const answer = record('1,000 heartbeats', await post(`${names('account.heartbeat', 1000)}?batch=1`, body, asPlayer()));
    // An 18 KB path: over Node's header limit before anything else looks at it.
    expectRefused(answer, [400, 414, 431], ['BATCH_TOO_LARGE', 'REQUEST_INVALID', 'HEADERS_TOO_LARGE']);
  });

  it('MAX_BATCH_SIZE + 1 posted heartbeats → 400 BATCH_TOO_LARGE, and MAX_BATCH_SIZE are served', async () => {
    const max = stack.config.maxBatchSize;
    const body = (count: number) => JSON.stringify(Object.fromEntries(Array.from({ length: count }, (_, i) => [i, {}])));
    expectRefused(
      record('max + 1 heartbeats', await post(`${names('account.heartbeat', max + 1)}?batch=1`, body(max + 1), asPlayer())),
      400,
      'BATCH_TOO_LARGE',
    );
    const served = await post(`${names('account.heartbeat', max)}?batch=1`, body(max), asPlayer());
    expect(served.status, served.text).toBe(200);
    expect(served.body).toHaveLength(max);
  });
});

// --- malformed HTTP ------------------------------------------------------------------------------------

describe('malformed HTTP over a raw socket', () => {
  const rows: Array<[string, string | Buffer, number, string]> = [
    ['a lowercase method', 'get /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'REQUEST_MALFORMED'],
    ['HTTP/9.9', 'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n', 400, 'REQUEST_MALFORMED'],
    ['a space in the path', 'GET /trpc/account me HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'REQUEST_MALFORMED'],
    ['a NUL in a header', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Test: a\u0000b\r\n\r\n', 400, 'REQUEST_MALFORMED'],
    ['a header name with a space', 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n', 400, 'REQUEST_MALFORMED'],
    [
      'Content-Length and Transfer-Encoding both (request smuggling)',
      'POST /trpc/auth.wechatLogin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
      'REQUEST_MALFORMED',
    ],
    [
      'two different Content-Lengths',
      'POST /trpc/auth.wechatLogin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 14\r\n\r\n{}',
      400,
      'REQUEST_MALFORMED',
    ],
    [
      'a chunk size that is not hex',
      'POST /trpc/auth.wechatLogin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      400,
      'REQUEST_MALFORMED',
    ],
    ['the HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 400, 'REQUEST_MALFORMED'],
    ['a TLS ClientHello (https to the http port)', Buffer.from('160301020001000200030300', 'hex'), 400, 'REQUEST_MALFORMED'],
    [
      '300 headers (20 KB in all)',
      `GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 300 }, (_, i) => `X-Pad-${i}: ${'p'.repeat(60)}\r\n`).join('')}\r\n`,
      431,
      'HEADERS_TOO_LARGE',
    ],
    [
      'a 20 KB cookie on a tRPC call',
      `POST /trpc/auth.wechatLogin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nCookie: ${'c'.repeat(20_000)}\r\n\r\n{}`,
      431,
      'HEADERS_TOO_LARGE',
    ],
    ['a 20 KB path', `GET /trpc/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
  ];

  it.each(rows)('%s → %i %s', async (name, bytes, status, reason) => {
    const answer = await http.raw(stack.baseUrl, bytes, name);
    answers.push({ row: name, answer: { status: answer.status, body: answer.body, text: answer.raw, headers: new Headers() } });
    expect(answer.status, answer.raw).toBe(status);
    expect(errorShapeProblem(status, answer.body), answer.raw).toBeNull();
    expect(answer.body.error.data.reason).toBe(reason);
  });

  it('the server still answers afterwards', async () => {
    expect((await get('/healthz')).status).toBe(200);
  });
});

// --- over the whole table -----------------------------------------------------------------------------------

describe('over every row', () => {
  it('each a 4xx with a reason: 0 5xx, no stack trace in any answer', () => {
    const refused = answers.filter(({ answer }) => answer.status >= 400);
    const serverErrors = answers.filter(({ answer }) => answer.status >= 500);
    expect(serverErrors.map(({ row, answer }) => `${row}: ${answer.text}`)).toEqual([]);
    for (const { row, answer } of refused) {
      for (const item of errorsOf(answer.body)) expect(errorShapeProblem(item.error.data.httpStatus, item), row).toBeNull();
    }
    expect(refused.length).toBeGreaterThan(150);
    const report = leaks.scan();
    expect(report.stackTraces).toEqual([]);
    const reasons = new Set(refused.flatMap(({ answer }) => errorsOf(answer.body).map((item) => item.error.data.reason as string)));
    console.log(
      `bad input: ${answers.length} rows → ${refused.length} refused with a 4xx and a reason (${reasons.size} reasons: ${[...reasons].sort().join(', ')}), ${serverErrors.length} 5xx, ${report.stackTraces.length} stack traces`,
    );
  });

  it('leak scan: no secret, session key or token in any answer or log line of these rows', () => {
    for (const key of tap.sessionKeys) leaks.secret('session key', key);
    for (const token of tap.accessTokens) leaks.secret('WeChat access token', token);
    expect(tap.sessionKeys).toContain(stack.simulator.sessionKeyFor(TEST_APPID, 'bad-input-ann'));
    leaks.secret('refresh token', player.refreshToken);
    leaks.secret('access token', player.accessToken);
    const report = leaks.scan();
    expect(report.hits).toEqual([]);
    console.log(leakSummary('bad input', report));
  });
});
