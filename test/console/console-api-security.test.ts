import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOperator, createOperator } from '../support/console-browser.js';
import { startPaymentsStack, type PaymentsStack } from '../support/payments-stack.js';
import { callProcedure, startTestStack, TEST_APPID, type TestStack } from '../support/stack.js';

// The console's API (/console/api) over plain HTTP, as an attacker would try it: a player's token, a forged,
// ended or expired cookie, a change without the login's CSRF token, a role that may not, a password guessed
// again and again; and /console is not there at all unless CONSOLE_ENABLED=true.
const PASSWORD = 'console-test-password-3';

let stack: PaymentsStack;
beforeAll(async () => {
  // Many logins from one IP here: the limit is tested on a server of its own, at its default.
  stack = await startPaymentsStack({ CONSOLE_ENABLED: 'true', RATE_LIMIT_CONSOLE_LOGIN: '1000/60' });
  // As operators do it, once: pnpm admin operator:create. The others in process, by what it calls.
  expect(await createOperator(stack.database.url, { name: 'ops-admin', role: 'admin', password: PASSWORD })).toMatch(
    /created operator ops-admin \(admin\)/,
  );
  for (const role of ['viewer', 'support', 'finance'] as const)
    await addOperator(stack.database.db, { name: `ops-${role}`, role, password: PASSWORD });
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

interface Answer {
  status: number;
  reason: string | undefined;
  data: any;
  error: any;
  setCookie: string | null;
}

/** One call to /console/api (of `baseUrl`): a query by GET, a mutation by POST, with `headers` (cookie, x-csrf-token, ...). */
async function consoleCall(
  kind: 'query' | 'mutation',
  path: string,
  input?: unknown,
  headers: Record<string, string> = {},
  baseUrl = stack.baseUrl,
): Promise<Answer> {
  const query = kind === 'query' && input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : '';
  const response = await fetch(`${baseUrl}/console/api/${path}${query}`, {
    method: kind === 'query' ? 'GET' : 'POST',
    headers: { ...(kind === 'mutation' ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(kind === 'mutation' ? { body: JSON.stringify(input ?? {}) } : {}),
  });
  const body = (await response.json()) as any;
  return {
    status: response.status,
    reason: body.error?.data?.reason,
    data: body.result?.data,
    error: body.error,
    setCookie: response.headers.get('set-cookie'),
  };
}

interface Login {
  cookie: string;
  token: string;
  csrfToken: string;
}

/** An operator's console login: the cookie to send back and the CSRF token. */
async function operatorLogin(name: string, password = PASSWORD): Promise<Login> {
  const answer = await consoleCall('mutation', 'auth.login', { name, password });
  expect(answer.status, JSON.stringify(answer.error)).toBe(200);
  const cookie = /^(minigate_console=([^;]+))/.exec(answer.setCookie ?? '');
  expect(cookie, answer.setCookie ?? 'no Set-Cookie').not.toBeNull();
  return { cookie: cookie![1]!, token: cookie![2]!, csrfToken: answer.data.csrfToken as string };
}

const withCookie = (login: Pick<Login, 'cookie'>, csrfToken?: string) => ({
  cookie: login.cookie,
  ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}),
});

/** A player of the game, logged in through the simulator: their token and account id. */
async function player(name: string): Promise<{ token: string; accountId: number }> {
  const answer = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor(name) });
  expect(answer.status).toBe(200);
  return { token: answer.body.result.data.accessToken as string, accountId: answer.body.result.data.account.id as number };
}

const accountState = async (login: Login, accountId: number) =>
  (await consoleCall('query', 'players.get', { accountId }, withCookie(login))).data.account.state as string;

describe('logging in to the console', () => {
  it('sets an HttpOnly, Secure, SameSite=Strict cookie under /console and answers the operator and a CSRF token', async () => {
    const answer = await consoleCall('mutation', 'auth.login', { name: 'ops-viewer', password: PASSWORD });
    expect(answer.status).toBe(200);
    expect(answer.data).toEqual({ operator: { name: 'ops-viewer', role: 'viewer' }, csrfToken: expect.any(String) });
    const attributes = (answer.setCookie ?? '').split(';').map((part) => part.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['httponly', 'secure', 'samesite=strict', 'path=/console']));
    const login = await operatorLogin('ops-viewer');
    expect(await consoleCall('query', 'auth.me', undefined, withCookie(login))).toMatchObject({
      status: 200,
      data: { operator: { name: 'ops-viewer', role: 'viewer' }, csrfToken: login.csrfToken },
    });
  });

  it.each([
    ['a wrong password', 'ops-viewer', 'not-the-password-at-all'],
    ['an unknown name', 'ops-nobody', PASSWORD],
  ])('refuses %s with 401 OPERATOR_LOGIN_FAILED and sets no cookie', async (_, name, password) => {
    const answer = await consoleCall('mutation', 'auth.login', { name, password });
    expect(answer).toMatchObject({ status: 401, reason: 'OPERATOR_LOGIN_FAILED', setCookie: null });
  });
});

describe('what does not open the console API', () => {
  it("a player's Bearer token (in the Authorization header or as the cookie) is refused with 401, and changes nothing", async () => {
    const victim = await player('console-bearer');
    const bearer = { authorization: `Bearer ${victim.token}` };
    const attempts: Record<string, string>[] = [bearer, { ...bearer, 'x-csrf-token': 'anything' }, { cookie: `minigate_console=${victim.token}` }];
    for (const headers of attempts) {
      expect(await consoleCall('query', 'auth.me', undefined, headers)).toMatchObject({ status: 401, reason: 'OPERATOR_SESSION_INVALID' });
      expect(await consoleCall('query', 'players.find', { query: String(victim.accountId) }, headers)).toMatchObject({ status: 401 });
      const ban = await consoleCall('mutation', 'actions.ban', { accountId: victim.accountId, reason: 'self-ban' }, headers);
      expect(ban).toMatchObject({ status: 401, reason: 'OPERATOR_SESSION_INVALID' });
    }
    const heartbeat = await callProcedure(stack, 'mutation', 'account.heartbeat', undefined, bearer);
    expect(heartbeat.status).toBe(200);
  });

  it('no cookie, a forged cookie, an ended login (logout) and an expired one are each refused with 401 OPERATOR_SESSION_INVALID', async () => {
    const login = await operatorLogin('ops-admin');
    const flipped = `${login.token.slice(0, -1)}${login.token.endsWith('A') ? 'B' : 'A'}`;
    for (const cookie of [
      undefined,
      `minigate_console=${randomBytes(32).toString('base64url')}`,
      `minigate_console=${flipped}`,
      'minigate_console=',
    ]) {
      const headers: Record<string, string> = cookie ? { cookie, 'x-csrf-token': login.csrfToken } : { 'x-csrf-token': login.csrfToken };
      expect(await consoleCall('query', 'auth.me', undefined, headers), String(cookie)).toMatchObject({
        status: 401,
        reason: 'OPERATOR_SESSION_INVALID',
      });
      const grant = await consoleCall('mutation', 'actions.grant', { accountId: 1, currencies: { gem: 1 }, reason: 'forged' }, headers);
      expect(grant, String(cookie)).toMatchObject({ status: 401, reason: 'OPERATOR_SESSION_INVALID' });
    }
    expect((await consoleCall('query', 'auth.me', undefined, withCookie(login))).status).toBe(200);

    // Logged out: the cookie is cleared, and the old one no longer opens anything.
    const logout = await consoleCall('mutation', 'auth.logout', {}, withCookie(login, login.csrfToken));
    expect(logout).toMatchObject({ status: 200, data: { loggedOut: true } });
    expect(logout.setCookie).toMatch(/^minigate_console=;.*Max-Age=0/i);
    expect(await consoleCall('query', 'auth.me', undefined, withCookie(login))).toMatchObject({ status: 401, reason: 'OPERATOR_SESSION_INVALID' });

    // Expired: its end moved into the past in the database.
    const expiring = await operatorLogin('ops-admin');
    const tokenHash = createHash('sha256').update(expiring.token).digest();
    await sql`UPDATE operator_session SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE token_hash = ${tokenHash}`.execute(stack.database.db);
    expect(await consoleCall('query', 'auth.me', undefined, withCookie(expiring))).toMatchObject({ status: 401, reason: 'OPERATOR_SESSION_INVALID' });
  });

  it("a change without the login's x-csrf-token, or with a wrong one, is refused with 403 CSRF_TOKEN_INVALID and changes nothing", async () => {
    const victim = await player('console-csrf');
    const login = await operatorLogin('ops-support');
    const other = await operatorLogin('ops-support');
    expect(other.csrfToken).not.toBe(login.csrfToken);
    const ban = { accountId: victim.accountId, reason: 'csrf attempt' };
    for (const csrfToken of [undefined, '', 'x'.repeat(login.csrfToken.length), other.csrfToken, login.csrfToken.toUpperCase()]) {
      if (csrfToken === login.csrfToken) continue;
      const answer = await consoleCall('mutation', 'actions.ban', ban, {
        ...withCookie(login),
        ...(csrfToken === undefined ? {} : { 'x-csrf-token': csrfToken }),
      });
      expect(answer, String(csrfToken)).toMatchObject({ status: 403, reason: 'CSRF_TOKEN_INVALID' });
    }
    // Logging out is a change too.
    expect(await consoleCall('mutation', 'auth.logout', {}, withCookie(login))).toMatchObject({ status: 403, reason: 'CSRF_TOKEN_INVALID' });
    // Reads need no CSRF token; nothing was banned; with the right token the ban goes through.
    expect(await accountState(login, victim.accountId)).toBe('active');
    expect(await consoleCall('mutation', 'actions.ban', ban, withCookie(login, login.csrfToken))).toMatchObject({ status: 200, data: { ok: true } });
    expect(await accountState(login, victim.accountId)).toBe('banned');
  });
});

describe('roles', () => {
  it("a viewer's (or support's) refund is refused with 403 OPERATOR_FORBIDDEN, changing nothing; finance's goes through", async () => {
    const buyer = await player('console-refund');
    const bearer = { authorization: `Bearer ${buyer.token}` };
    const created = await callProcedure(stack, 'mutation', 'payments.createItemOrder', { productId: 'gem60', quantity: 1 }, bearer);
    const order = created.body.result.data as { outTradeNo: string; signData: string; paySig: string; signature: string };
    expect((await stack.simulator.payItemOrder(TEST_APPID, 'console-refund', order)).ok).toBe(true);
    const orderStatus = async () =>
      (await callProcedure(stack, 'query', 'payments.order', { outTradeNo: order.outTradeNo }, bearer)).body.result.data.status as string;
    expect(await orderStatus()).toBe('delivered');

    const refund = { outTradeNo: order.outTradeNo, reason: 'asked for it' };
    for (const role of ['viewer', 'support']) {
      const login = await operatorLogin(`ops-${role}`);
      // A viewer reads the player's page all the same.
      expect((await consoleCall('query', 'players.get', { accountId: buyer.accountId }, withCookie(login))).status).toBe(200);
      const answer = await consoleCall('mutation', 'actions.refundOrder', refund, withCookie(login, login.csrfToken));
      expect(answer, role).toMatchObject({ status: 403, reason: 'OPERATOR_FORBIDDEN' });
    }
    expect(await orderStatus()).toBe('delivered');
    expect((await callProcedure(stack, 'query', 'wallet.get', undefined, bearer)).body.result.data).toEqual({ currencies: { gem: 60 }, items: {} });

    const finance = await operatorLogin('ops-finance');
    const ban = await consoleCall('mutation', 'actions.ban', { accountId: buyer.accountId, reason: 'x' }, withCookie(finance, finance.csrfToken));
    expect(ban).toMatchObject({ status: 403, reason: 'OPERATOR_FORBIDDEN' });
    expect(await consoleCall('mutation', 'actions.refundOrder', refund, withCookie(finance, finance.csrfToken))).toMatchObject({
      status: 200,
      data: { ok: true },
    });
    expect(await orderStatus()).toBe('refunded');
    const audit = (await consoleCall('query', 'players.get', { accountId: buyer.accountId }, withCookie(finance))).data.audit;
    expect(audit).toContainEqual(expect.objectContaining({ reason: expect.stringContaining('asked for it'), by: 'ops-finance' }));
  });
});

describe('guessing a password', () => {
  it('the login is limited per IP and name (10 tries in 5 minutes by default): then 429 RATE_LIMITED, even for the right password', async () => {
    const limited: TestStack = await startTestStack({ CONSOLE_ENABLED: 'true' });
    try {
      await addOperator(limited.database.db, { name: 'ops-guessed', role: 'admin', password: PASSWORD });
      const login = (name: string, password: string) => consoleCall('mutation', 'auth.login', { name, password }, {}, limited.baseUrl);
      const answers: Answer[] = [];
      for (let attempt = 0; attempt < 10; attempt++) answers.push(await login('ops-guessed', `guess-number-${attempt}`));
      expect(answers.map((answer) => answer.reason)).toEqual(Array.from({ length: 10 }, () => 'OPERATOR_LOGIN_FAILED'));
      const refused = await login('ops-guessed', `guess-number-10`);
      expect(refused).toMatchObject({ status: 429, reason: 'RATE_LIMITED', setCookie: null });
      expect(refused.error.data.retryAfterSeconds).toBeGreaterThan(0);
      // The right password now, and another name from the same IP: refused all the same.
      expect(await login('ops-guessed', PASSWORD)).toMatchObject({ status: 429, reason: 'RATE_LIMITED', setCookie: null });
      expect(await login('ops-other', PASSWORD)).toMatchObject({ status: 429, reason: 'RATE_LIMITED' });
    } finally {
      await limited.close();
    }
  });
});

describe('serving the console', () => {
  it('CONSOLE_ENABLED=true: /console redirects to /console/, which is the page; its assets are served', async () => {
    const redirect = await fetch(`${stack.baseUrl}/console`, { redirect: 'manual' });
    expect([301, 302, 308]).toContain(redirect.status);
    expect(redirect.headers.get('location')).toMatch(/\/console\/$/);
    const page = await fetch(`${stack.baseUrl}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    // Not to be framed by another site (clickjacking an operator's click on "Ban").
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await page.text();
    const script = /<script[^>]+src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(`${stack.baseUrl}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    // Nothing outside the built page: an escaped ../ answers the page, never the file.
    for (const path of ['/console/..%2F..%2F..%2Fpackage.json', '/console/assets/..%2F..%2F..%2F..%2F.env.example']) {
      const escaped = await fetch(`${stack.baseUrl}${path}`);
      expect(await escaped.text(), path).not.toMatch(/"name": "minigate"|JWT_SECRET/);
    }
  });

  it('unset, /console, /console/, its assets and /console/api are all 404', async () => {
    const plain: TestStack = await startTestStack();
    try {
      for (const path of ['/console', '/console/', '/console/index.html', '/console/api/auth.me']) {
        expect((await fetch(`${plain.baseUrl}${path}`, { redirect: 'manual' })).status, path).toBe(404);
      }
      const login = await fetch(`${plain.baseUrl}/console/api/auth.login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'ops-admin', password: PASSWORD }),
      });
      expect(login.status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
