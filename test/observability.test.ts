import { createTestDatabase, type TestDatabase } from '@minigate/db/testing';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, TEST_WECHAT_SECRET, type TestStack } from './support/stack.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface LogLine {
  [field: string]: unknown;
  msg: string;
  requestId?: string;
}

const linesOf = (stack: TestStack): LogLine[] => stack.logs.map((line) => JSON.parse(line) as LogLine);

/** The access lines of one request id, once its answer has left (the line is written when the response finishes). */
async function accessLines(stack: TestStack, requestId: string): Promise<LogLine[]> {
  const find = () => linesOf(stack).filter((line) => line.msg === 'request' && line.requestId === requestId);
  for (let attempt = 0; attempt < 100 && find().length === 0; attempt++) await new Promise((done) => setTimeout(done, 20));
  // A second line would have been written by now too.
  await new Promise((done) => setTimeout(done, 50));
  return find();
}

async function get(stack: TestStack, path: string, headers: Record<string, string> = {}, method = 'GET') {
  const response = await fetch(`${stack.baseUrl}${path}`, { method, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text ? (JSON.parse(text) as any) : undefined };
}

/** Raw bytes over TCP, for what fetch refuses to send; resolves with everything the server wrote before closing. */
function rawRequest(port: number, bytes: string | Buffer): Promise<{ status: number; headers: Record<string, string>; body: any; raw: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = raw.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: body ? JSON.parse(body) : undefined, raw });
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.write(bytes);
  });
}

const portOf = (stack: TestStack) => Number(new URL(stack.baseUrl).port);

/** An IPv4 address of this machine other than loopback: where a player elsewhere would connect. */
function nonLoopbackAddress(): string {
  const found = Object.values(networkInterfaces())
    .flat()
    .find((each) => each?.family === 'IPv4' && !each.internal);
  // No skip: without one, nothing here would tell METRICS_HOST from HOST.
  if (!found) throw new Error('this machine has no IPv4 address but loopback: the METRICS_HOST test needs one (see `ip addr`)');
  return found.address;
}

/** The status a GET answers, or the code of the error that kept it from answering (ECONNREFUSED). */
async function reach(url: string): Promise<number | string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code ?? String(error);
  }
}

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

describe('request ids', () => {
  it('honours an acceptable x-request-id: echoed in the answer and on the access line', async () => {
    const id = 'edge-7f3a.9c2e:01_AB';
    const response = await get(stack, '/healthz', { 'x-request-id': id });
    expect(response.headers.get('x-request-id')).toBe(id);
    expect(await accessLines(stack, id)).toHaveLength(1);
  });

  it('generates one when the header is absent', async () => {
    const response = await get(stack, '/healthz');
    const id = response.headers.get('x-request-id') ?? '';
    expect(id).toMatch(UUID);
    expect(await accessLines(stack, id)).toHaveLength(1);
  });

  it.each([
    ['with a space', 'two words'],
    ['too long', 'x'.repeat(129)],
  ])('generates one when the header is unacceptable (%s)', async (_, sent) => {
    const response = await get(stack, '/healthz', { 'x-request-id': sent });
    expect(response.headers.get('x-request-id')).toMatch(UUID);
    expect(stack.logs.join('\n')).not.toContain(sent);
  });

  it.each([
    ['a tab', Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\nx-request-id: evil\tid\r\nConnection: close\r\n\r\n', 'latin1')],
    ['non-ASCII', Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\nx-request-id: caf\xe9\r\nConnection: close\r\n\r\n', 'latin1')],
  ])('generates one when the header holds %s', async (_, bytes) => {
    const response = await rawRequest(portOf(stack), bytes);
    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toMatch(UUID);
  });

  it('puts the id on the lines the services log for the request, too', async () => {
    const id = 'trace-wechat-busy-1';
    stack.simulator.injectFault({ kind: 'errcode', errcode: -1 });
    const response = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor('busy') }, { 'x-request-id': id });
    expect(response.body.error.data.reason).toBe('WECHAT_BUSY');
    await accessLines(stack, id);
    const lines = linesOf(stack).filter((line) => line.requestId === id);
    expect(lines.map((line) => line.msg)).toEqual(['WeChat could not log a player in', 'request']);
    // Written once, not twice, on a line of the request's own logger.
    expect(stack.logs.find((line) => line.includes('"msg":"request"') && line.includes(id))!.split('"requestId"')).toHaveLength(2);
  });
});

describe('the access line', () => {
  it('is one line per request with method, procedures, status, duration, client version and IP', async () => {
    const id = 'access-login-1';
    const response = await callProcedure(
      stack,
      'mutation',
      'auth.wechatLogin',
      { code: stack.codeFor('alice') },
      { 'x-request-id': id, 'x-minigate-client': 'minigate.js/0.1.0 (wechat; ios)' },
    );
    expect(response.status).toBe(200);
    const [line, ...others] = await accessLines(stack, id);
    expect(others).toEqual([]);
    expect(line).toMatchObject({
      level: 30,
      msg: 'request',
      requestId: id,
      method: 'POST',
      procedures: 'auth.wechatLogin',
      status: 200,
      client: 'minigate.js/0.1.0 (wechat; ios)',
      ip: '127.0.0.1',
    });
    expect(typeof line!.durationMs).toBe('number');
    expect(line).not.toHaveProperty('reasons');
  });

  it('names every procedure of a batch, and the reasons of the calls that failed', async () => {
    const id = 'access-batch-1';
    const input = encodeURIComponent(JSON.stringify({}));
    const response = await get(stack, `/trpc/account.me,account.me?batch=1&input=${input}`, { 'x-request-id': id });
    expect(response.status).toBe(401);
    const [line] = await accessLines(stack, id);
    expect(line).toMatchObject({ method: 'GET', procedures: 'account.me,account.me', status: 401, reasons: 'TOKEN_MISSING' });
  });

  it('truncates the client version header and keeps it printable', async () => {
    const id = 'access-client-1';
    await get(stack, '/healthz', { 'x-request-id': id, 'x-minigate-client': `game/1.0 ${'y'.repeat(200)}` });
    const [line] = await accessLines(stack, id);
    expect(line!.client).toBe(`game/1.0 ${'y'.repeat(55)}`);
    expect(line).toMatchObject({ path: '/healthz', status: 200 });
  });

  it('never carries a token, a refresh token, a code, a secret or the query string', async () => {
    const code = stack.codeFor('bob');
    const login = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code }, { 'x-request-id': 'secrets-1' });
    const { accessToken, refreshToken } = login.body.result.data as { accessToken: string; refreshToken: string };
    await callProcedure(stack, 'query', 'account.me', undefined, { authorization: `Bearer ${accessToken}`, 'x-request-id': 'secrets-2' });
    // A query with input in the URL: the refresh token sits in the query string.
    const input = encodeURIComponent(JSON.stringify({ 0: { refreshToken } }));
    await get(stack, `/trpc/auth.refresh?batch=1&input=${input}`, { 'x-request-id': 'secrets-3' });
    await callProcedure(stack, 'mutation', 'auth.refresh', { refreshToken }, { 'x-request-id': 'secrets-4' });
    for (const id of ['secrets-1', 'secrets-2', 'secrets-3', 'secrets-4']) expect(await accessLines(stack, id)).toHaveLength(1);
    const logs = stack.logs.join('\n');
    for (const secret of [code, accessToken, refreshToken, refreshToken.split('.')[1]!, TEST_JWT_SECRET, TEST_WECHAT_SECRET, TEST_ENCRYPTION_KEY]) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toContain('input=');
    expect(logs).not.toMatch(/authorization|Bearer/i);
  });

  it('is written once for answers Fastify gives before any handler: 404, 413, a bad URL, a path too long, OPTIONS', async () => {
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['once-404', () => get(stack, '/nowhere', { 'x-request-id': 'once-404' })],
      [
        'once-413',
        () =>
          fetch(`${stack.trpcUrl}/auth.wechatLogin`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-request-id': 'once-413' },
            body: JSON.stringify({ code: 'x'.repeat(stack.config.bodyLimitBytes) }),
          }),
      ],
      ['once-bad-url', () => get(stack, '/trpc/%zz', { 'x-request-id': 'once-bad-url' })],
      ['once-414', () => get(stack, `/trpc/${'account.me,'.repeat(600)}account.me`, { 'x-request-id': 'once-414' })],
      ['once-options', () => get(stack, '/trpc/account.me', { 'x-request-id': 'once-options' }, 'OPTIONS')],
    ];
    for (const [id, send] of cases) {
      await send();
      const lines = await accessLines(stack, id);
      expect(lines, id).toHaveLength(1);
      expect(lines[0]!.status, id).toBeGreaterThanOrEqual(400);
      expect(lines[0]!.reasons, id).toMatch(/^[A-Z_]+$/);
    }
  });
});

describe('errors answered before tRPC, in the tRPC error shape with a reason', () => {
  const expectShape = (body: any, status: number, reason: string) => {
    expect(body).toMatchObject({
      error: { message: expect.any(String), code: expect.any(Number), data: { code: expect.any(String), httpStatus: status, reason } },
    });
  };

  it('431 HEADERS_TOO_LARGE for request headers over Node’s limit', async () => {
    const response = await rawRequest(portOf(stack), `GET /healthz HTTP/1.1\r\nHost: x\r\nx-padding: ${'p'.repeat(20_000)}\r\n\r\n`);
    expect(response.status).toBe(431);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['x-request-id']).toMatch(UUID);
    expectShape(response.body, 431, 'HEADERS_TOO_LARGE');
    expect(await accessLines(stack, response.headers['x-request-id']!)).toMatchObject([{ status: 431, reasons: 'HEADERS_TOO_LARGE' }]);
  });

  it.each([
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n'],
    ['an unknown method', 'BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a header line without a colon', 'GET /healthz HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n'],
    ['a bad Content-Length', 'POST /trpc/auth.wechatLogin HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'],
  ])('400 REQUEST_MALFORMED for %s', async (_, bytes) => {
    const response = await rawRequest(portOf(stack), bytes);
    expect(response.status).toBe(400);
    expectShape(response.body, 400, 'REQUEST_MALFORMED');
  });

  it('405 METHOD_NOT_SUPPORTED for OPTIONS, a CORS preflight included, without any CORS header', async () => {
    const response = await get(
      stack,
      '/trpc/account.me',
      { origin: 'https://example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      'OPTIONS',
    );
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expectShape(response.body, 405, 'METHOD_NOT_SUPPORTED');
    expectShape((await get(stack, '/healthz', {}, 'OPTIONS')).body, 405, 'METHOD_NOT_SUPPORTED');
  });

  it.each(['PUT', 'DELETE', 'PATCH'])('%s to a procedure is 405 METHOD_NOT_SUPPORTED', async (method) => {
    const response = await get(stack, '/trpc/account.me', {}, method);
    expect(response.status).toBe(405);
    expectShape(response.body, 405, 'METHOD_NOT_SUPPORTED');
  });

  it.each([
    ['/nowhere', 404, 'ROUTE_NOT_FOUND'],
    ['/trpc/%zz', 400, 'REQUEST_INVALID'],
    [`/trpc/${'account.me,'.repeat(600)}account.me`, 400, 'BATCH_TOO_LARGE'],
    [`/trpc/${'a'.repeat(6_000)}`, 414, 'REQUEST_INVALID'],
  ])('GET %s is %i %s', async (path, status, reason) => {
    const response = await get(stack, path);
    expect(response.status).toBe(status);
    expectShape(response.body, status, reason);
    expect(response.headers.get('x-request-id')).toMatch(UUID);
  });
});

describe('/metrics', () => {
  const scrape = async (url = `${stack.baseUrl}/metrics`) => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    return response.text();
  };
  const valueOf = (text: string, series: string): number => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };

  it('counts requests per procedure and status, logins by outcome, and WeChat calls by endpoint', async () => {
    const before = await scrape();
    const login = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor('carol') });
    await callProcedure(stack, 'query', 'account.me', undefined, { authorization: `Bearer ${login.body.result.data.accessToken}` });
    await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: 'NotACodeWeChatEverIssued0000000' });
    await callProcedure(stack, 'query', 'account.nothing');
    const after = await scrape();
    const grew = (series: string) => valueOf(after, series) - valueOf(before, series);

    expect(grew('minigate_http_request_duration_seconds_count{route="/trpc",procedure="auth.wechatLogin",status="200"}')).toBe(1);
    expect(grew('minigate_http_request_duration_seconds_count{route="/trpc",procedure="account.me",status="200"}')).toBe(1);
    expect(grew('minigate_http_request_duration_seconds_count{route="/trpc",procedure="auth.wechatLogin",status="400"}')).toBe(1);
    expect(grew('minigate_http_request_duration_seconds_count{route="/trpc",procedure="unknown",status="404"}')).toBe(1);
    expect(grew('minigate_logins_total{outcome="success"}')).toBe(1);
    expect(grew('minigate_logins_total{outcome="CODE_INVALID"}')).toBe(1);
    expect(grew('minigate_wechat_request_duration_seconds_count{endpoint="/sns/jscode2session",outcome="ok"}')).toBe(1);
    expect(grew('minigate_wechat_request_duration_seconds_count{endpoint="/sns/jscode2session",outcome="errcode"}')).toBe(1);
    expect(grew('minigate_wechat_errors_total{endpoint="/sns/jscode2session",error="errcode_40029"}')).toBe(1);
    expect(valueOf(after, 'minigate_db_pool_max_connections')).toBeGreaterThanOrEqual(10);
    expect(valueOf(after, 'minigate_db_pool_connections{state="idle"}')).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(/^minigate_db_pool_connections\{state="in_use"\} \d+$/m);
    expect(after).toMatch(/^minigate_db_pool_queued_requests 0$/m);
    // The account.me above read the database (a miss). Whether its view is still held depends on whether the
    // feed has meanwhile shown the login's own profile change (which forgets it), so only the series is checked.
    expect(grew('minigate_account_view_lookups_total{result="miss"}')).toBe(1);
    expect(after).toMatch(/^minigate_account_views \d+$/m);
    expect(valueOf(after, 'minigate_change_feed_current')).toBe(1);
    expect(after).toMatch(/^minigate_revocations\{kind="session"\} \d+$/m);
    expect(after).toMatch(/^process_cpu_user_seconds_total /m);
    expect(after).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(after).not.toContain('account.nothing');
  });

  it('counts rate-limit refusals (429) by procedure and limit, and each call of a batch on its own', async () => {
    const before = await scrape();
    stack.simulator.injectFault({ kind: 'errcode', errcode: 45011 });
    expect((await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor('dave') })).status).toBe(429);
    const input = encodeURIComponent(JSON.stringify({}));
    await get(stack, `/trpc/account.me,account.me,account.me?batch=1&input=${input}`);
    const after = await scrape();
    const grew = (series: string) => valueOf(after, series) - valueOf(before, series);
    expect(grew('minigate_rate_limited_total{procedure="auth.wechatLogin",limit="wechat"}')).toBe(1);
    expect(grew('minigate_logins_total{outcome="WECHAT_RATE_LIMITED"}')).toBe(1);
    expect(grew('minigate_http_request_duration_seconds_count{route="/trpc",procedure="account.me",status="401"}')).toBe(3);
  });

  it('counts connections refused by the HTTP parser, and requests outside tRPC by route', async () => {
    const before = await scrape();
    await rawRequest(portOf(stack), 'GARBAGE\r\n\r\n');
    await get(stack, '/healthz');
    await get(stack, '/nowhere');
    const after = await scrape();
    const grew = (series: string) => valueOf(after, series) - valueOf(before, series);
    expect(grew('minigate_http_refused_connections_total{status="400",reason="REQUEST_MALFORMED"}')).toBe(1);
    expect(grew('minigate_http_request_duration_seconds_count{route="/healthz",procedure="",status="200"}')).toBe(1);
    expect(grew('minigate_http_request_duration_seconds_count{route="unmatched",procedure="",status="404"}')).toBe(1);
  });

  it('moves to a listener of its own with METRICS_PORT, and is not served in production without one', async () => {
    const separate = await startTestStack({ METRICS_PORT: '0' });
    try {
      const listening = linesOf(separate).find((line) => line.msg === 'metrics listening');
      expect(listening?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(await scrape(String(listening!.url))).toContain('minigate_http_request_duration_seconds');
      expect((await get(separate, '/metrics')).body.error.data.reason).toBe('ROUTE_NOT_FOUND');
      const other = await fetch(String(listening!.url).replace('/metrics', '/trpc/account.me'));
      expect(other.status).toBe(404);
    } finally {
      await separate.close();
    }
    const production = await startTestStack({ NODE_ENV: 'production' });
    try {
      const response = await get(production, '/metrics');
      expect(response.status).toBe(404);
      expect(response.body.error.data.reason).toBe('ROUTE_NOT_FOUND');
    } finally {
      await production.close();
    }
  });

  it('binds METRICS_PORT on METRICS_HOST, loopback unless told otherwise, while HOST is 0.0.0.0', async () => {
    const elsewhere = nonLoopbackAddress();
    const metricsUrl = (target: TestStack) => new URL(String(linesOf(target).find((line) => line.msg === 'metrics listening')?.url));
    const loopback = await startTestStack({ HOST: '0.0.0.0', METRICS_PORT: '0' });
    try {
      const url = metricsUrl(loopback);
      // The API port answers there (HOST=0.0.0.0): the address is reachable from this process.
      expect(await reach(`http://${elsewhere}:${portOf(loopback)}/healthz`)).toBe(200);
      expect(await reach(`http://127.0.0.1:${url.port}/metrics`)).toBe(200);
      expect(await reach(`http://${elsewhere}:${url.port}/metrics`)).toBe('ECONNREFUSED');
      expect(url.hostname).toBe('127.0.0.1');
    } finally {
      await loopback.close();
    }
    const everywhere = await startTestStack({ HOST: '0.0.0.0', METRICS_PORT: '0', METRICS_HOST: '0.0.0.0' });
    try {
      const url = metricsUrl(everywhere);
      expect(url.hostname).toBe('0.0.0.0');
      expect(await reach(`http://127.0.0.1:${url.port}/metrics`)).toBe(200);
      expect(await reach(`http://${elsewhere}:${url.port}/metrics`)).toBe(200);
    } finally {
      await everywhere.close();
    }
  });
});

describe('/healthz and /readyz', () => {
  async function waitForStatus(target: TestStack, status: number, withinMs: number) {
    const started = Date.now();
    let last: Awaited<ReturnType<typeof get>> | undefined;
    while (Date.now() - started < withinMs) {
      last = await get(target, '/readyz');
      if (last.status === status) return { ...last, afterMs: Date.now() - started };
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error(`/readyz never answered ${status} within ${withinMs} ms; last: ${last?.status} ${last?.text}`);
  }

  it('/readyz is 503 DATABASE_UNAVAILABLE while the database is cut off, and 200 again once it is back, without a restart', async () => {
    // A TCP proxy between the server and MariaDB, cut as a network fault would: the shared MariaDB keeps running.
    const proxied = await startTestStack({}, { databaseProxy: true });
    try {
      const ready = await get(proxied, '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready' });
      expect(ready.headers.get('cache-control')).toBe('no-store');

      await proxied.databaseProxy!.cut();
      const down = await waitForStatus(proxied, 503, 5_000);
      expect(down.body.error.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503, reason: 'DATABASE_UNAVAILABLE' });
      expect((await get(proxied, '/healthz')).status).toBe(200);

      await proxied.databaseProxy!.restore();
      const back = await waitForStatus(proxied, 200, 15_000);
      expect(back.body).toEqual({ status: 'ready' });
    } finally {
      await proxied.close();
    }
  });

  it('/readyz is 503 MIGRATIONS_PENDING on a database behind the code, and ready once migrated', async () => {
    const database: TestDatabase = await createTestDatabase();
    const [last] = await database.db
      .selectFrom('minigate_migration' as any)
      .select('name')
      .orderBy('name', 'desc')
      .limit(1)
      .execute();
    await database.db
      .deleteFrom('minigate_migration' as any)
      .where('name', '=', (last as { name: string }).name)
      .execute();
    const behind = await startTestStack({ DATABASE_URL: database.url });
    try {
      const response = await get(behind, '/readyz');
      expect(response.status).toBe(503);
      expect(response.body.error.data).toMatchObject({ httpStatus: 503, reason: 'MIGRATIONS_PENDING' });
      expect(response.body.error.message).toContain((last as { name: string }).name);
      await database.db
        .insertInto('minigate_migration' as any)
        .values({ name: (last as { name: string }).name, timestamp: new Date().toISOString() })
        .execute();
      expect((await get(behind, '/readyz')).status).toBe(200);
    } finally {
      await behind.close();
      await database.drop();
    }
  });
});

describe('while shutting down', () => {
  it('a request that arrives on a busy kept-alive connection after the close began is 503 SERVER_CLOSING in our shape', async () => {
    const closing = await startTestStack();
    try {
      closing.simulator.injectFault({ kind: 'delay', ms: 1_000 });
      const body = JSON.stringify({ code: closing.codeFor('last') });
      const login = `POST /trpc/auth.wechatLogin HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      const late = 'GET /healthz HTTP/1.1\r\nHost: x\r\nx-request-id: after-close\r\n\r\n';
      const socket = connect(portOf(closing), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => (received += chunk));
      const ended = new Promise((resolve) => socket.on('close', resolve));
      socket.write(login);
      await expect.poll(() => closing.simulator.callCount('jscode2session'), { timeout: 5_000 }).toBe(1);
      const closed = closing.server.close();
      socket.write(late);
      await ended;
      await closed;
      const [first, second] = received.split(/(?=HTTP\/1\.1 )/);
      expect(first).toMatch(/^HTTP\/1\.1 200 /);
      expect(second).toMatch(/^HTTP\/1\.1 503 /);
      expect(second).toMatch(/\r\nretry-after: 1\r\n/i);
      expect(JSON.parse(second!.split('\r\n\r\n')[1]!).error.data).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        httpStatus: 503,
        reason: 'SERVER_CLOSING',
      });
      expect(await accessLines(closing, 'after-close')).toMatchObject([{ status: 503, reasons: 'SERVER_CLOSING' }]);
    } finally {
      await closing.simulator.close();
      await closing.database.drop();
    }
  });
});
