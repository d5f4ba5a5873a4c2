import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, type TestStack } from './support/stack.js';

// SESSION_MAX_AGE=3: a session ends three seconds after its sign-in, however
// often it is refreshed. The refresh token's own lifetime stays 30 days.
const MAX_AGE_SECONDS = 3;
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ SESSION_MAX_AGE: String(MAX_AGE_SECONDS), REFRESH_REUSE_GRACE: '10' });
});
afterAll(() => stack.close());

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const refresh = (refreshToken: string) => callProcedure(stack, 'mutation', 'auth.refresh', { refreshToken });

async function login(player: string) {
  const { status, body } = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor(player) });
  expect(status).toBe(200);
  return body.result.data as { accessToken: string; refreshToken: string };
}

const sessionRow = (refreshToken: string) =>
  stack.database.db
    .selectFrom('accountSession')
    .select(['createTime', 'expiresAt', 'revokedAt'])
    .where('sessionId', '=', Number(refreshToken.split('.')[0]))
    .executeTakeFirstOrThrow();

/** Waits until `ms` after the session's sign-in (its createTime), plus a margin. */
async function untilAfterSignIn(refreshToken: string, ms: number): Promise<void> {
  const { createTime } = await sessionRow(refreshToken);
  await sleep(Math.max(0, createTime.getTime() + ms + 250 - Date.now()));
}

describe('SESSION_MAX_AGE: an absolute lifetime from sign-in', () => {
  it('a refresh never moves expiresAt past sign-in + max age, and a refresh after it is refused as expired', async () => {
    const first = await login('max-age-ann');
    const pair = (await refresh(first.refreshToken)).body.result.data as { refreshToken: string };
    const row = await sessionRow(first.refreshToken);
    expect(row.expiresAt.getTime() - row.createTime.getTime()).toBe(MAX_AGE_SECONDS * 1000);

    // Refreshed once a second: still capped, the session ends on time.
    let parent = first.refreshToken;
    let live = pair.refreshToken;
    for (let i = 0; i < 2; i++) {
      await sleep(900);
      const answer = await refresh(live);
      if (answer.status !== 200) break;
      [parent, live] = [live, answer.body.result.data.refreshToken];
      const capped = await sessionRow(live);
      expect(capped.expiresAt.getTime()).toBeLessThanOrEqual(capped.createTime.getTime() + MAX_AGE_SECONDS * 1000);
    }
    await untilAfterSignIn(first.refreshToken, MAX_AGE_SECONDS * 1000);
    const expired = await refresh(live);
    expect(expired.status).toBe(401);
    expect(expired.body.error.data.reason).toBe('REFRESH_TOKEN_EXPIRED');
    // Its direct parent inside the grace window (a retry) is refused the same way: nothing outlives the max age.
    const retried = await refresh(parent);
    expect(retried.status).toBe(401);
    expect(retried.body.error.data.reason).toBe('REFRESH_TOKEN_EXPIRED');
    expect((await sessionRow(first.refreshToken)).revokedAt).toBeNull();
  });

  it('a session never refreshed is refused after max age too', async () => {
    const first = await login('max-age-ben');
    await untilAfterSignIn(first.refreshToken, MAX_AGE_SECONDS * 1000);
    const expired = await refresh(first.refreshToken);
    expect(expired.status).toBe(401);
    expect(expired.body.error.data.reason).toBe('REFRESH_TOKEN_EXPIRED');
  });
});
