import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, type TestStack } from './support/stack.js';

// A one-second grace window, so the test can step past it.
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ REFRESH_REUSE_GRACE: '1' });
});
afterAll(() => stack.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function login(player: string, headers: Record<string, string> = {}) {
  const { status, body } = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor(player) }, headers);
  expect(status).toBe(200);
  return body.result.data as { accessToken: string; refreshToken: string; account: { id: number } };
}

const refresh = (refreshToken: string) => callProcedure(stack, 'mutation', 'auth.refresh', { refreshToken });
const me = (accessToken: string) => callProcedure(stack, 'query', 'account.me', undefined, bearer(accessToken));

describe('sessions: one per login, over HTTP against MariaDB', () => {
  it('opens a session row per login with IP and user agent, storing only a hash of the refresh token', async () => {
    const phone = await login('sessions-ann', { 'user-agent': 'WeChat/8.0 (iPhone)' });
    const tablet = await login('sessions-ann', { 'user-agent': 'WeChat/8.0 (iPad)' });
    expect(phone.refreshToken).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
    const rows = await stack.database.db
      .selectFrom('accountSession')
      .selectAll()
      .where('accountId', '=', phone.account.id)
      .orderBy('sessionId')
      .execute();
    expect(rows.map((row) => row.userAgent)).toEqual(['WeChat/8.0 (iPhone)', 'WeChat/8.0 (iPad)']);
    expect(rows.every((row) => row.ip === '127.0.0.1' && row.revokedAt === null)).toBe(true);
    const stored = JSON.stringify(rows);
    for (const token of [phone.refreshToken, tablet.refreshToken]) expect(stored).not.toContain(token.split('.')[1]);
    // 30 days by default.
    const lifetime = rows[0]!.expiresAt.getTime() - rows[0]!.createTime.getTime();
    expect(lifetime).toBe(30 * 24 * 3600 * 1000);
  });

  it('rotates: a refresh answers a new pair that works, and spends the old refresh token', async () => {
    const first = await login('sessions-ben');
    const rotated = await refresh(first.refreshToken);
    expect(rotated.status).toBe(200);
    const pair = rotated.body.result.data;
    expect(pair).toMatchObject({ expiresIn: 7200, account: { id: first.account.id, isNew: false } });
    expect(pair.refreshToken).not.toBe(first.refreshToken);
    expect(pair.refreshToken.split('.')[0]).toBe(first.refreshToken.split('.')[0]);
    expect((await me(pair.accessToken)).body.result.data.id).toBe(first.account.id);
    // The next rotation works from the new token.
    expect((await refresh(pair.refreshToken)).status).toBe(200);
  });

  it('accepts a spent token again within the grace window (a lost answer retried), and revokes the session after it', async () => {
    const first = await login('sessions-cat');
    const answered = (await refresh(first.refreshToken)).body.result.data;
    // The client lost that answer and retries with the same token: served, not logged out.
    const retried = await refresh(first.refreshToken);
    expect(retried.status).toBe(200);
    const live = retried.body.result.data;
    // Only the latest token is live: the answer the client lost is dead.
    expect((await refresh(answered.refreshToken)).body.error.data.reason).toBe('REFRESH_TOKEN_INVALID');

    await sleep(1_300);
    const reused = await refresh(first.refreshToken);
    expect(reused.status).toBe(401);
    expect(reused.body.error.data.reason).toBe('REFRESH_TOKEN_REUSED');
    // The whole session is gone: its live refresh token and its access tokens.
    expect((await refresh(live.refreshToken)).body.error.data.reason).toBe('SESSION_REVOKED');
    const call = await me(live.accessToken);
    expect(call.status).toBe(401);
    expect(call.body.error.data.reason).toBe('SESSION_REVOKED');
    const row = await stack.database.db
      .selectFrom('accountSession')
      .select(['revokedReason'])
      .where('sessionId', '=', Number(first.refreshToken.split('.')[0]))
      .executeTakeFirstOrThrow();
    expect(row.revokedReason).toBe('refresh_token_reused');
  });

  it('50 parallel refreshes of one token leave one live refresh token, or (past the grace window) a revoked session: never two', async () => {
    const first = await login('sessions-dan');
    const answers = await Promise.all(Array.from({ length: 50 }, () => refresh(first.refreshToken)));
    const served = answers.filter((answer) => answer.status === 200).map((answer) => answer.body.result.data.refreshToken as string);
    expect(served.length).toBeGreaterThan(0);
    const stillLive = [];
    for (const token of served) {
      // Trading each in turn: a live one rotates (and so spends itself), every other is refused.
      const traded = await refresh(token);
      if (traded.status === 200) stillLive.push(token);
    }
    // This suite's grace window is 1 s: on a slow machine the last of the 50
    // arrive after it and count as reuse, which ends the session. Either
    // way, never two live tokens.
    expect(stillLive.length).toBeLessThanOrEqual(1);
    if (stillLive.length === 0) {
      const row = await stack.database.db
        .selectFrom('accountSession')
        .select('revokedReason')
        .where('sessionId', '=', Number(first.refreshToken.split('.')[0]))
        .executeTakeFirstOrThrow();
      expect(row.revokedReason).toBe('refresh_token_reused');
    }
  });

  it('refuses garbage, unknown and forged refresh tokens with a reason, never a 500', async () => {
    const { refreshToken } = await login('sessions-eve');
    const [sessionId] = refreshToken.split('.');
    for (const token of ['garbage', `${sessionId}.${'A'.repeat(43)}`, `999999.${'B'.repeat(43)}`, `${sessionId}.`]) {
      const answer = await refresh(token);
      expect(answer.status).toBe(401);
      expect(answer.body.error.data.reason).toBe('REFRESH_TOKEN_INVALID');
    }
    // A forged token for a real session id did not end that session.
    expect((await refresh(refreshToken)).status).toBe(200);
    const missing = await callProcedure(stack, 'mutation', 'auth.refresh', {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.data).toMatchObject({ reason: 'INPUT_INVALID', fields: [{ path: 'refreshToken' }] });
  });

  it('logout ends this session only; its tokens stop at once, the other device keeps working', async () => {
    const phone = await login('sessions-fay');
    const tablet = await login('sessions-fay');
    const out = await callProcedure(stack, 'mutation', 'auth.logout', undefined, bearer(phone.accessToken));
    expect(out.body.result.data).toEqual({ loggedOut: true });
    expect((await me(phone.accessToken)).body.error.data.reason).toBe('SESSION_REVOKED');
    expect((await refresh(phone.refreshToken)).body.error.data.reason).toBe('SESSION_REVOKED');
    expect((await me(tablet.accessToken)).status).toBe(200);
  });

  it('logout with only the refresh token works (an expired access token), and a wrong one ends nothing', async () => {
    const device = await login('sessions-gus');
    const [sessionId] = device.refreshToken.split('.');
    const wrong = await callProcedure(stack, 'mutation', 'auth.logout', { refreshToken: `${sessionId}.${'C'.repeat(43)}` });
    expect(wrong.body.result.data).toEqual({ loggedOut: false });
    expect((await me(device.accessToken)).status).toBe(200);
    const out = await callProcedure(stack, 'mutation', 'auth.logout', { refreshToken: device.refreshToken });
    expect(out.body.result.data).toEqual({ loggedOut: true });
    expect((await me(device.accessToken)).body.error.data.reason).toBe('SESSION_REVOKED');
    const nothing = await callProcedure(stack, 'mutation', 'auth.logout', {});
    expect(nothing.status).toBe(401);
    expect(nothing.body.error.data.reason).toBe('TOKEN_MISSING');
  });

  it('logoutAll ends every session of the account, and a new login still works', async () => {
    const devices = [await login('sessions-hal'), await login('sessions-hal'), await login('sessions-hal')];
    const all = await callProcedure(stack, 'mutation', 'auth.logoutAll', undefined, bearer(devices[1]!.accessToken));
    expect(all.body.result.data).toEqual({ sessionsEnded: 3 });
    // The other devices' tokens stop within the revocation bound (this instance reads the feed each second).
    await expect
      .poll(async () => (await me(devices[2]!.accessToken)).body.error?.data.reason, { timeout: 5_000, interval: 200 })
      .toBe('SESSION_REVOKED');
    for (const device of devices) {
      expect((await me(device.accessToken)).body.error.data.reason).toBe('SESSION_REVOKED');
      expect((await refresh(device.refreshToken)).body.error.data.reason).toBe('SESSION_REVOKED');
    }
    const again = await login('sessions-hal');
    expect((await me(again.accessToken)).status).toBe(200);
  });

  it('prunes sessions that ended longer ago than the retention', async () => {
    const device = await login('sessions-ida');
    await callProcedure(stack, 'mutation', 'auth.logout', undefined, bearer(device.accessToken));
    const sessionId = Number(device.refreshToken.split('.')[0]);
    const { pruneSessions } = await import('@minigate/db');
    expect(await pruneSessions(stack.database.db, new Date(Date.now() - 60_000))).toBe(0);
    const pruned = await pruneSessions(stack.database.db, new Date(Date.now() + 60_000));
    expect(pruned).toBeGreaterThanOrEqual(1);
    expect(
      await stack.database.db.selectFrom('accountSession').select('sessionId').where('sessionId', '=', sessionId).executeTakeFirst(),
    ).toBeUndefined();
  });
});
