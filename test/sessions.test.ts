import { createHash, randomBytes } from 'node:crypto';
import { restartSessionRefresh } from '@minigate/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, type TestStack } from './support/stack.js';

// A five-second grace window: every step meant to land inside it does, even
// on a loaded machine; stepping past it either waits it out (once) or moves
// the session's last rotation back in the database (what time would do).
const GRACE_SECONDS = 5;
let stack: TestStack;
beforeAll(async () => {
  // The refresh limit out of the way: these tests refresh one session dozens of times.
  stack = await startTestStack({ REFRESH_REUSE_GRACE: String(GRACE_SECONDS), RATE_LIMIT_REFRESH: '100000/60' });
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
const sessionIdOf = (refreshToken: string) => Number(refreshToken.split('.')[0]);
const sessionRow = (refreshToken: string) =>
  stack.database.db.selectFrom('accountSession').selectAll().where('sessionId', '=', sessionIdOf(refreshToken)).executeTakeFirstOrThrow();

/** A successful refresh's new pair. */
async function rotated(refreshToken: string): Promise<{ accessToken: string; refreshToken: string }> {
  const answer = await refresh(refreshToken);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.result.data;
}

/** As if the grace window had passed since the session's last rotation. */
async function pastTheGraceWindow(refreshToken: string): Promise<void> {
  await stack.database.db
    .updateTable('accountSession')
    .set({ rotatedAt: sql<Date>`rotated_at - INTERVAL ${GRACE_SECONDS + 1} SECOND` })
    .where('sessionId', '=', sessionIdOf(refreshToken))
    .execute();
}

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

  it('answers a spent token within the grace window with the same child: the thief gets the R1 the victim holds, and R1 keeps working', async () => {
    const victim = await login('sessions-cat');
    const r1 = await rotated(victim.refreshToken);
    // A thief (or the client retrying a lost answer) presents R0 again inside the window: the same R1, not a new pair.
    const thief = await rotated(victim.refreshToken);
    expect(thief.refreshToken).toBe(r1.refreshToken);
    expect((await me(thief.accessToken)).status).toBe(200);
    // The victim's R1 is not refused: it rotates, and the session lives on.
    const r2 = await rotated(r1.refreshToken);
    expect(r2.refreshToken).not.toBe(r1.refreshToken);
    expect((await me(r2.accessToken)).status).toBe(200);
    expect((await sessionRow(victim.refreshToken)).revokedAt).toBeNull();
  });

  it('the direct parent presented after the grace window ends the session: its live refresh token and access tokens', async () => {
    const first = await login('sessions-cal');
    const live = await rotated(first.refreshToken);
    await sleep(GRACE_SECONDS * 1000 + 300);
    const reused = await refresh(first.refreshToken);
    expect(reused.status).toBe(401);
    expect(reused.body.error.data.reason).toBe('REFRESH_TOKEN_REUSED');
    expect((await refresh(live.refreshToken)).body.error.data.reason).toBe('SESSION_REVOKED');
    const call = await me(live.accessToken);
    expect(call.status).toBe(401);
    expect(call.body.error.data.reason).toBe('SESSION_REVOKED');
    expect((await sessionRow(first.refreshToken)).revokedReason).toBe('refresh_token_reused');
  });

  it('R0 after R0 → R1 → R2 ends the session even inside the grace window: only the direct parent is a retry', async () => {
    const first = await login('sessions-cid');
    const r1 = await rotated(first.refreshToken);
    const r2 = await rotated(r1.refreshToken);
    const reused = await refresh(first.refreshToken);
    expect(reused.status).toBe(401);
    expect(reused.body.error.data.reason).toBe('REFRESH_TOKEN_REUSED');
    expect((await refresh(r2.refreshToken)).body.error.data.reason).toBe('SESSION_REVOKED');
    expect((await me(r2.accessToken)).body.error.data.reason).toBe('SESSION_REVOKED');
    expect((await sessionRow(first.refreshToken)).revokedReason).toBe('refresh_token_reused');
  });

  it('any spent token of the session ends it: one spent 20 rotations ago, and the thief racing ahead of the victim', async () => {
    const first = await login('sessions-cox');
    const chain = [first.refreshToken];
    for (let i = 0; i < 20; i++) chain.push((await rotated(chain.at(-1)!)).refreshToken);
    await pastTheGraceWindow(first.refreshToken);
    const reused = await refresh(chain[3]!);
    expect(reused.body.error.data.reason).toBe('REFRESH_TOKEN_REUSED');
    expect((await refresh(chain.at(-1)!)).body.error.data.reason).toBe('SESSION_REVOKED');

    // The thief takes R1 (the same one the victim holds) and rotates it twice; the victim's R1 then ends the session.
    const victim = await login('sessions-cox');
    const r1 = await rotated(victim.refreshToken);
    expect((await rotated(victim.refreshToken)).refreshToken).toBe(r1.refreshToken);
    const thief = await rotated(await rotated(r1.refreshToken).then((pair) => pair.refreshToken));
    expect((await refresh(r1.refreshToken)).body.error.data.reason).toBe('REFRESH_TOKEN_REUSED');
    expect((await me(thief.accessToken)).body.error.data.reason).toBe('SESSION_REVOKED');
  });

  it("a forged secret with a real session id is refused and ends nothing, however long the session's chain", async () => {
    const first = await login('sessions-cyd');
    let live = first.refreshToken;
    for (let i = 0; i < 30; i++) live = (await rotated(live)).refreshToken;
    for (const secret of [
      randomBytes(32).toString('base64url'),
      'A'.repeat(43),
      first.refreshToken.split('.')[1]!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
    ]) {
      const forged = await refresh(`${sessionIdOf(first.refreshToken)}.${secret}`);
      expect(forged.status).toBe(401);
      expect(forged.body.error.data.reason).toBe('REFRESH_TOKEN_INVALID');
    }
    expect((await sessionRow(first.refreshToken)).revokedAt).toBeNull();
    expect((await refresh(live)).status).toBe(200);
  });

  it('a session whose refresh token is restarted (a retried login) lives on its new token; its old chain is refused and ends nothing', async () => {
    const first = await login('sessions-cyn');
    const r1 = await rotated(first.refreshToken);
    const r2 = await rotated(r1.refreshToken);
    const secret = randomBytes(32).toString('base64url');
    const hash = createHash('sha256').update(secret, 'utf8').digest('hex');
    expect(await restartSessionRefresh(stack.database.db, sessionIdOf(first.refreshToken), hash, new Date())).toBe(true);
    const restarted = `${sessionIdOf(first.refreshToken)}.${secret}`;
    expect((await sessionRow(first.refreshToken)).refreshRotations).toBe(0);
    for (const old of [first.refreshToken, r1.refreshToken, r2.refreshToken]) {
      expect((await refresh(old)).body.error.data.reason).toBe('REFRESH_TOKEN_INVALID');
    }
    const next = await rotated(restarted);
    // Its chain is the new one: the restarted token is now the direct parent (a retry inside the window)...
    expect((await rotated(restarted)).refreshToken).toBe(next.refreshToken);
    // ...and the old chain still ends nothing.
    expect((await refresh(r2.refreshToken)).body.error.data.reason).toBe('REFRESH_TOKEN_INVALID');
    expect((await sessionRow(first.refreshToken)).revokedAt).toBeNull();
    const later = await rotated(next.refreshToken);
    expect((await me(later.accessToken)).status).toBe(200);
    // A restart of an ended session does nothing.
    await callProcedure(stack, 'mutation', 'auth.logout', undefined, bearer(later.accessToken));
    expect(await restartSessionRefresh(stack.database.db, sessionIdOf(first.refreshToken), hash, new Date())).toBe(false);
  });

  it('50 parallel refreshes of one token inside the grace window all get the same child; trading it leaves one live refresh token', async () => {
    const first = await login('sessions-dan');
    const answers = await Promise.all(Array.from({ length: 50 }, () => refresh(first.refreshToken)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    const served = new Set(answers.map((answer) => answer.body.result.data.refreshToken as string));
    expect(served.size).toBe(1);
    const [child] = served;
    expect(createHash('sha256').update(child!.split('.')[1]!, 'utf8').digest('hex')).toBe((await sessionRow(child!)).refreshTokenHash);
    // Traded 10 times at once (inside the window): one grandchild for all, and the session lives.
    const traded = await Promise.all(Array.from({ length: 10 }, () => refresh(child!)));
    expect(new Set(traded.map((answer) => answer.body.result?.data.refreshToken)).size).toBe(1);
    const [grandchild] = traded.map((answer) => answer.body.result.data.refreshToken as string);
    expect((await rotated(grandchild!)).refreshToken).not.toBe(grandchild);
    expect((await sessionRow(child!)).revokedAt).toBeNull();
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
