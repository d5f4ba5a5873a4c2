import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, type TestStack } from './support/stack.js';

// account.me answers from memory (AccountViewCache): a repeated account.me
// reads no row, a change through this instance is seen at once, and one made
// anywhere else (here: SQL, as a game's own code or another instance would
// write) when the change feed shows it. The feed's timer is stopped so that
// each step below decides when the feed is read.
let stack: TestStack;
let uncached: TestStack;
beforeAll(async () => {
  [stack, uncached] = await Promise.all([startTestStack(), startTestStack({ ACCOUNT_CACHE_MAX: '0' })]);
  stack.application.changeFeed.stop();
  await stack.application.changeFeed.poll();
});
afterAll(() => Promise.all([stack.close(), uncached.close()]));

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function signedIn(on: TestStack, player: string): Promise<{ accessToken: string; id: number }> {
  const { status, body } = await callProcedure(on, 'mutation', 'auth.wechatLogin', { code: on.codeFor(player) });
  expect(status).toBe(200);
  return { accessToken: body.result.data.accessToken, id: body.result.data.account.id };
}

async function me(on: TestStack, token: string): Promise<{ nickName: string; profile: { level: number; experience: number } }> {
  const { status, body } = await callProcedure(on, 'query', 'account.me', undefined, bearer(token));
  expect(status).toBe(200);
  return body.result.data;
}

const setLevel = (on: TestStack, accountId: number, level: number) =>
  sql`UPDATE account_profile SET level = ${level} WHERE account_id = ${accountId}`.execute(on.database.db);

describe('account.me from memory', () => {
  it('serves a repeated account.me without reading the row, and forgets it when the feed shows the row changed', async () => {
    const player = await signedIn(stack, 'views-amy');
    // The login's own change reaches the feed: read it, so what follows starts from a quiet feed.
    await stack.application.changeFeed.poll();
    expect((await me(stack, player.accessToken)).profile.level).toBe(1);
    await setLevel(stack, player.id, 5);
    // Not read again: the view held in memory answers until the feed has been read.
    expect((await me(stack, player.accessToken)).profile.level).toBe(1);
    await stack.application.changeFeed.poll();
    expect((await me(stack, player.accessToken)).profile.level).toBe(5);
  });

  it("sees this instance's own changes at once: a profile update, a heartbeat, a new login", async () => {
    const player = await signedIn(stack, 'views-bob');
    await stack.application.changeFeed.poll();
    expect((await me(stack, player.accessToken)).nickName).toBe('');
    const updated = await callProcedure(stack, 'mutation', 'account.updateProfile', { nickName: 'Bob' }, bearer(player.accessToken));
    expect(updated.status).toBe(200);
    expect((await me(stack, player.accessToken)).nickName).toBe('Bob');

    // Each of these forgets the view, so the level written meanwhile in SQL (not yet in the feed) shows.
    await setLevel(stack, player.id, 3);
    expect((await callProcedure(stack, 'mutation', 'account.heartbeat', {}, bearer(player.accessToken))).status).toBe(200);
    expect((await me(stack, player.accessToken)).profile.level).toBe(3);
    await setLevel(stack, player.id, 4);
    const again = await signedIn(stack, 'views-bob');
    expect((await me(stack, again.accessToken)).profile.level).toBe(4);
  });

  it('reads the row for every account.me with ACCOUNT_CACHE_MAX=0', async () => {
    const player = await signedIn(uncached, 'views-cat');
    expect((await me(uncached, player.accessToken)).profile.level).toBe(1);
    await setLevel(uncached, player.id, 6);
    expect((await me(uncached, player.accessToken)).profile.level).toBe(6);
  });
});
