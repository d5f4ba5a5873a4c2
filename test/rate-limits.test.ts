import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, type TestStack } from './support/stack.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

// The rate limits over HTTP: on MySQL (the default store), on the real Redis
// at 127.0.0.1:6379, and with that Redis cut away.
const REDIS = { host: '127.0.0.1', port: 6379 };
const randomIp = () => `10.${[0, 0, 0].map(() => randomBytes(1)[0]! % 250).join('.')}`;
const from = (ip: string) => ({ 'x-forwarded-for': ip });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function login(stack: TestStack, player: string, ip: string) {
  return callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor(player) }, from(ip));
}

/** Logs `count` distinct players in from one IP, one after the other; returns the statuses. */
async function loginsFrom(stack: TestStack, ip: string, count: number, prefix: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await login(stack, `${prefix}-${i}`, ip)).status);
  return statuses;
}

describe('rate limits on the MySQL store (the default)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      TRUST_PROXY: 'true',
      RATE_LIMIT_LOGIN: '5/60',
      RATE_LIMIT_REFRESH: '3/60',
      RATE_LIMIT_LOGOUT: '3/60',
      RATE_LIMIT_CALLS: '20/60',
    });
  });
  afterAll(() => stack.close());

  it('refuses the 6th login a minute from one IP with 429, Retry-After and the limit named; another IP is served', async () => {
    const ip = randomIp();
    expect(await loginsFrom(stack, ip, 5, 'nat-a')).toEqual([200, 200, 200, 200, 200]);
    const refused = await login(stack, 'nat-a-5', ip);
    expect(refused.status).toBe(429);
    expect(refused.body.error.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'RATE_LIMITED', limit: 'login' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.body.error.data.retryAfterSeconds).toBe(retryAfter);
    expect((await login(stack, 'nat-a-6', randomIp())).status).toBe(200);
    // Counted in the table our migration made.
    const rows = await stack.database.db
      .selectFrom('rate_limit' as never)
      .selectAll()
      .execute();
    expect(JSON.stringify(rows)).toContain(`login:${ip}`);
  });

  it('limits auth.refresh per IP too', async () => {
    const ip = randomIp();
    const first = await login(stack, 'refresher', randomIp());
    let token = first.body.result.data.refreshToken as string;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const answer = await callProcedure(stack, 'mutation', 'auth.refresh', { refreshToken: token }, from(ip));
      statuses.push(answer.status);
      if (answer.status === 200) token = answer.body.result.data.refreshToken;
      else expect(answer.body.error.data).toMatchObject({ reason: 'RATE_LIMITED', limit: 'refresh' });
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('limits auth.logout per IP: the 4th a minute from one IP is 429, whatever proves the session; another IP is served', async () => {
    const ip = randomIp();
    const sessions: Array<{ accessToken: string; refreshToken: string }> = [];
    for (let i = 0; i < 5; i++) sessions.push((await login(stack, `leaver-${i}`, randomIp())).body.result.data);
    const logout = (session: { refreshToken: string }, address: string) =>
      callProcedure(stack, 'mutation', 'auth.logout', { refreshToken: session.refreshToken }, from(address));
    const answers = [];
    for (const session of sessions.slice(0, 4)) answers.push(await logout(session, ip));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
    const refused = answers[3]!;
    expect(refused.body.error.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'RATE_LIMITED', limit: 'logout' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // With an access token instead of the refresh token: the same budget.
    const withAccessToken = await callProcedure(stack, 'mutation', 'auth.logout', undefined, { ...bearer(sessions[4]!.accessToken), ...from(ip) });
    expect(withAccessToken.status).toBe(429);
    expect(withAccessToken.body.error.data).toMatchObject({ reason: 'RATE_LIMITED', limit: 'logout' });
    // Another IP is served, and the refused logout had not ended its session.
    const elsewhere = await logout(sessions[3]!, randomIp());
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.result.data).toEqual({ loggedOut: true });
  });

  it('limits protected calls per account, not per IP: another player behind the same IP is served', async () => {
    const ip = randomIp();
    const [ann, ben] = [await login(stack, 'calls-ann', randomIp()), await login(stack, 'calls-ben', randomIp())];
    const call = (token: string) => callProcedure(stack, 'mutation', 'account.heartbeat', undefined, { ...bearer(token), ...from(ip) });
    const statuses = await Promise.all(Array.from({ length: 21 }, () => call(ann.body.result.data.accessToken)));
    expect(statuses.filter((answer) => answer.status === 200)).toHaveLength(20);
    const refused = statuses.find((answer) => answer.status === 429)!;
    expect(refused.body.error.data).toMatchObject({ reason: 'RATE_LIMITED', limit: 'calls' });
    expect((await call(ben.body.result.data.accessToken)).status).toBe(200);
  });
});

describe('rate limits per IPv6 /64 (one subscriber holds a whole /64: a budget per address would be endless)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ TRUST_PROXY: 'true', RATE_LIMIT_LOGIN: '4/60' });
  });
  afterAll(() => stack.close());

  /** A random /64 under the documentation prefix, as four hextets of 4 digits (none 0: so it is already written as RFC 5952 would). */
  const hextet = () => (0x1000 + (randomBytes(2).readUInt16BE() % 0xf000)).toString(16);
  const randomPrefix = () => `2001:db8:${hextet()}:${hextet()}`;
  const rateLimitKeys = async () =>
    (
      await stack.database.db
        .selectFrom('rate_limit' as never)
        .select('key' as never)
        .execute()
    ).map((row) => (row as { key: string }).key);

  it('counts every address of one /64 against one budget; another /64 has its own; the session keeps the full address', async () => {
    const prefix = randomPrefix();
    const [first, second, third] = [`${prefix}::1`, `${prefix}:ffff:1:2:3`, `${prefix}:a:b:c:d`];
    const statuses: number[] = [];
    for (const [i, ip] of [first, second, third, first].entries()) statuses.push((await login(stack, `v6-a-${i}`, ip)).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
    const refused = await login(stack, 'v6-a-4', `${prefix}::beef`);
    expect(refused.status).toBe(429);
    expect(refused.body.error.data).toMatchObject({ reason: 'RATE_LIMITED', limit: 'login' });
    // The next /64 up is someone else.
    const last = prefix.lastIndexOf(':');
    const neighbour = `${prefix.slice(0, last)}:${(parseInt(prefix.slice(last + 1), 16) ^ 1).toString(16)}::1`;
    expect((await login(stack, 'v6-a-5', neighbour)).status).toBe(200);
    expect((await rateLimitKeys()).filter((key) => key.includes(prefix))).toEqual([`${stack.config.redisKeyPrefix}login:${prefix}::/64`]);
    // Only the limiter's key is the /64: the session row still names the address the login came from.
    const secondLogin = await login(stack, 'v6-a-6', `${neighbour}2`);
    const { sid } = JSON.parse(Buffer.from(secondLogin.body.result.data.accessToken.split('.')[1], 'base64url').toString()) as { sid: string };
    const row = await stack.database.db.selectFrom('accountSession').select('ip').where('sessionId', '=', Number(sid)).executeTakeFirstOrThrow();
    expect(row.ip).toBe(`${neighbour}2`);
  });

  it('keys one address alike however it is written: compressed, expanded, upper case', async () => {
    const prefix = randomPrefix();
    const [a, b, c, d] = prefix.split(':') as [string, string, string, string];
    const pad = (hextet: string) => hextet.padStart(4, '0');
    const spellings = [
      `${prefix}::42`,
      `${pad(a)}:${pad(b)}:${pad(c)}:${pad(d)}:0000:0000:0000:0042`,
      `${prefix}:0:0:0:42`.toUpperCase(),
      `${prefix}:0::42`,
    ];
    const statuses: number[] = [];
    for (const [i, ip] of spellings.entries()) statuses.push((await login(stack, `v6-b-${i}`, ip)).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect((await login(stack, 'v6-b-4', `${prefix}::42`)).status).toBe(429);
    expect((await rateLimitKeys()).filter((key) => key.toLowerCase().includes(prefix.slice(9)))).toEqual([
      `${stack.config.redisKeyPrefix}login:${prefix}::/64`,
    ]);
  });

  it('keys an IPv4-mapped IPv6 address as the IPv4 address it maps, and leaves IPv4 as it is', async () => {
    const ip = randomIp();
    const [w, x, y, z] = ip.split('.').map(Number) as [number, number, number, number];
    const hex = `${((w << 8) | x).toString(16)}:${((y << 8) | z).toString(16)}`;
    const statuses: number[] = [];
    for (const [i, spelling] of [ip, `::ffff:${ip}`, `::FFFF:${hex}`, `0:0:0:0:0:ffff:${ip}`].entries()) {
      statuses.push((await login(stack, `v4-mapped-${i}`, spelling)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect((await login(stack, 'v4-mapped-4', ip)).status).toBe(429);
    expect((await rateLimitKeys()).filter((key) => key.endsWith(`:${ip}`) || key.includes('ffff'))).toEqual([
      `${stack.config.redisKeyPrefix}login:${ip}`,
    ]);
  });
});

describe('the default limits', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ TRUST_PROXY: 'true' });
  });
  afterAll(() => stack.close());

  it('let a game burst 100 calls within a second, and 60 players log in from one NAT address within a minute', async () => {
    const ip = randomIp();
    const statuses = await Promise.all(Array.from({ length: 60 }, (_, i) => login(stack, `cgnat-${i}`, ip).then((answer) => answer.status)));
    expect(statuses.every((status) => status === 200)).toBe(true);
    const player = await login(stack, 'bursty', randomIp());
    const token = player.body.result.data.accessToken as string;
    const burst = await Promise.all(Array.from({ length: 100 }, () => callProcedure(stack, 'query', 'account.me', undefined, bearer(token))));
    expect(burst.map((answer) => answer.status).filter((status) => status !== 200)).toEqual([]);
  });
});

describe('rate limits on Redis (REDIS_URL)', () => {
  let proxy: TcpProxy;
  let stack: TestStack;
  beforeAll(async () => {
    proxy = await startTcpProxy(REDIS);
    stack = await startTestStack({
      TRUST_PROXY: 'true',
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      // This run's keys only: the shared Redis outlives the test databases.
      REDIS_KEY_PREFIX: `minigate-test-${randomBytes(4).toString('hex')}:`,
      RATE_LIMIT_LOGIN: '4/60',
      RATE_LIMIT_CALLS: '10/60',
    });
  });
  afterAll(async () => {
    await stack.close();
    await proxy.close();
  });

  it('counts logins per IP in Redis, and the limit holds with Redis cut: players are still served, limits still applied', async () => {
    const ip = randomIp();
    expect(await loginsFrom(stack, ip, 5, 'redis-a')).toEqual([200, 200, 200, 200, 429]);
    const redis = new Redis(REDIS.port, REDIS.host);
    try {
      expect(await redis.get(`${stack.config.redisKeyPrefix}login:${ip}`)).toBe('5');
    } finally {
      redis.disconnect();
    }

    await proxy.cut();
    const cutIp = randomIp();
    // The in-memory insurance limiter takes over: served, and still limited.
    expect(await loginsFrom(stack, cutIp, 5, 'redis-b')).toEqual([200, 200, 200, 200, 429]);
    const player = await login(stack, 'redis-c', randomIp());
    expect(player.status).toBe(200);
    const calls = await Promise.all(
      Array.from({ length: 11 }, () => callProcedure(stack, 'mutation', 'account.heartbeat', undefined, bearer(player.body.result.data.accessToken))),
    );
    expect(calls.filter((answer) => answer.status === 200)).toHaveLength(10);
    expect(calls.filter((answer) => answer.status === 429)).toHaveLength(1);

    // WeChat's access token lives in this Redis too: a call that needs it
    // answers a typed 503 while Redis is away, never a bare 500.
    const binder = await login(stack, 'redis-d', randomIp());
    const phoneCode = stack.simulator.issuePhoneCode(stack.config.wechat.app!.appid, 'redis-d', '13800138000');
    const bind = await callProcedure(stack, 'mutation', 'account.bindPhone', { code: phoneCode }, bearer(binder.body.result.data.accessToken));
    expect(bind.status).toBe(503);
    expect(bind.body.error.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'SHARED_STORE_UNAVAILABLE' });
    expect(bind.headers.get('retry-after')).toBe('2');
    await proxy.restore();
  });
});
