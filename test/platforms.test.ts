import { createHttpServer, wireApplication } from '@minigate/server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, TEST_GAMES, type TestStack } from './support/stack.js';

// Several games on one deployment (APPS_FILE): two WeChat games of one
// studio, a Douyin game and a QQ game, each played by the simulator over
// HTTP, against a real server and MariaDB.
const { wechat, wechat2, douyin, douyin2, qq } = TEST_GAMES;

let stack: TestStack;
beforeAll(async () => {
  // Every login here comes from 127.0.0.1: the login limit is raised out of the way (test/rate-limits.test.ts tries it).
  stack = await startTestStack({ RATE_LIMIT_LOGIN: '100000/60', RATE_LIMIT_CALLS: '100000/60' }, { apps: Object.values(TEST_GAMES) });
});
afterAll(async () => {
  await stack?.close();
});

const login = (input: Record<string, unknown>, headers: Record<string, string> = {}) =>
  callProcedure(stack, 'mutation', 'auth.login', input, headers);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const me = async (token: string) => (await callProcedure(stack, 'query', 'account.me', undefined, bearer(token))).body.result.data;
const code = (appid: string, player: string) => stack.simulator.issueCode(appid, player);

/** Logs the player in to the game: its answer's data (the call must succeed). */
async function signIn(appid: string, player: string) {
  const answer = await login({ appid, code: code(appid, player) });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.result.data as { accessToken: string; refreshToken: string; account: { id: number; isNew: boolean }; guestAccountId?: number };
}

/** The account's live identities as the database holds them. */
async function authTypesOf(accountId: number): Promise<string[]> {
  const rows = await stack.database.db
    .selectFrom('accountAuth')
    .select('authType')
    .where('accountId', '=', accountId)
    .where('isDel', '=', 0)
    .orderBy('accountAuthId')
    .execute();
  return rows.map((row) => row.authType);
}

describe('a login on each platform', () => {
  it.each([
    ['wechat', wechat.appid],
    ['douyin', douyin.appid],
    ['qq', qq.appid],
  ] as const)('%s: auth.login opens a session of that game; account.me says which, and lists the identities', async (platform, appid) => {
    const answer = await signIn(appid, `first-${platform}`);
    expect(answer.account.isNew).toBe(true);
    const view = await me(answer.accessToken);
    expect(view.app).toEqual({ appid, platform });
    expect(view.identities).toEqual([
      { platform, appid, kind: 'openid' },
      { platform, appid: null, kind: 'unionid' },
    ]);
    expect(JSON.stringify(view)).not.toContain(stack.simulator.openidFor(appid, `first-${platform}`));
    expect(await authTypesOf(answer.account.id)).toEqual([`${platform}_openid:${appid}`, `${platform}_unionid`]);
    // The token names the game, and a refresh keeps it.
    const claims = JSON.parse(Buffer.from(answer.accessToken.split('.')[1]!, 'base64url').toString()) as { app: string };
    expect(claims.app).toBe(appid);
    const refreshed = await callProcedure(stack, 'mutation', 'auth.refresh', { refreshToken: answer.refreshToken });
    expect((await me(refreshed.body.result.data.accessToken)).app).toEqual({ appid, platform });
  });

  it('auth.wechatLogin logs in to the first WeChat game, as before', async () => {
    const answer = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: code(wechat.appid, 'classic') });
    expect(answer.status).toBe(200);
    expect((await me(answer.body.result.data.accessToken)).app).toEqual({ appid: wechat.appid, platform: 'wechat' });
  });

  it('the same person on two platforms is two accounts: unionids of different platforms never join', async () => {
    const onWeChat = await signIn(wechat.appid, 'two-platforms');
    const onQQ = await signIn(qq.appid, 'two-platforms');
    expect(onQQ.account.id).not.toBe(onWeChat.account.id);
  });

  it('two WeChat games with one unionid are one account', async () => {
    const first = await signIn(wechat.appid, 'both-games');
    const second = await signIn(wechat2.appid, 'both-games');
    expect(second.account.id).toBe(first.account.id);
    expect(second.account.isNew).toBe(false);
    expect(await authTypesOf(first.account.id)).toEqual([`wechat_openid:${wechat.appid}`, 'wechat_unionid', `wechat_openid:${wechat2.appid}`]);
    expect((await me(second.accessToken)).app).toEqual({ appid: wechat2.appid, platform: 'wechat' });
  });
});

describe('bad logins answer a reason, never a 500 from our side', () => {
  it.each([
    [{ appid: 'wxnotservedhere', code: 'some-code' }, 400, 'APP_UNKNOWN', 'appid'],
    [{ appid: wechat.appid, code: 'some-code', anonymousCode: 'guest' }, 400, 'ANONYMOUS_CODE_UNSUPPORTED', 'anonymousCode'],
    [{ appid: douyin.appid }, 400, 'INPUT_INVALID', 'code'],
    [{ appid: 'bad appid!', code: 'some-code' }, 400, 'INPUT_INVALID', 'appid'],
    [{ code: 'some-code' }, 400, 'INPUT_INVALID', 'appid'],
  ])('%j → %i %s', async (input, status, reason, field) => {
    const answer = await login(input);
    expect(answer.status).toBe(status);
    expect(answer.body.error.data.reason).toBe(reason);
    expect(JSON.stringify(answer.body.error.data.fields ?? [])).toContain(field);
  });

  it.each([
    ['douyin_jscode2session', douyin.appid, -1, 503, 'DOUYIN_BUSY'],
    ['douyin_jscode2session', douyin.appid, 40014, 500, 'DOUYIN_PARAMETER_MISSING'],
    ['douyin_jscode2session', douyin.appid, 40015, 500, 'DOUYIN_APPID_INVALID'],
    ['douyin_jscode2session', douyin.appid, 40017, 500, 'DOUYIN_SECRET_INVALID'],
    ['douyin_jscode2session', douyin.appid, 40018, 400, 'CODE_INVALID'],
    ['douyin_jscode2session', douyin.appid, 40019, 400, 'ANONYMOUS_CODE_INVALID'],
    ['qq_jscode2session', qq.appid, 40029, 400, 'CODE_INVALID'],
    ['qq_jscode2session', qq.appid, 45011, 429, 'QQ_RATE_LIMITED'],
    ['qq_jscode2session', qq.appid, -1, 503, 'QQ_BUSY'],
  ] as const)('%s errcode %i → %i %s', async (endpoint, appid, errcode, status, reason) => {
    stack.simulator.injectFault({ kind: 'errcode', errcode, endpoint });
    const answer = await login({ appid, code: code(appid, `fault-${endpoint}-${errcode}`) });
    expect(answer.status).toBe(status);
    expect(answer.body.error.data.reason).toBe(reason);
    expect(JSON.stringify(answer.body)).not.toContain(douyin.secret);
    expect(JSON.stringify(answer.body)).not.toContain(qq.secret);
  });

  it("a code of one game is refused by another game's platform, and a made-up one by its own", async () => {
    expect((await login({ appid: douyin.appid, code: code(wechat.appid, 'crossed') })).body.error.data.reason).toBe('CODE_INVALID');
    expect((await login({ appid: qq.appid, code: 'made-up-code' })).body.error.data.reason).toBe('CODE_INVALID');
    expect((await login({ appid: douyin.appid, anonymousCode: 'made-up-anonymous-code' })).body.error.data.reason).toBe('ANONYMOUS_CODE_INVALID');
  });

  it('Douyin or QQ not answering in time is 504 PLATFORM_TIMEOUT; a broken gateway is 502 PLATFORM_UNAVAILABLE', async () => {
    stack.simulator.injectFault({ kind: 'http', status: 502, body: '<html>bad gateway</html>', endpoint: 'qq_jscode2session' });
    const broken = await login({ appid: qq.appid, code: code(qq.appid, 'gateway') });
    expect([broken.status, broken.body.error.data.reason]).toEqual([502, 'PLATFORM_UNAVAILABLE']);
  });
});

describe('Douyin guests', () => {
  it('an anonymous code alone signs a guest in; code plus anonymous code upgrades it into the same account', async () => {
    const guest = await login({ appid: douyin.appid, anonymousCode: stack.simulator.issueAnonymousCode(douyin.appid, 'device-1') });
    expect(guest.status).toBe(200);
    const guestId = guest.body.result.data.account.id as number;
    expect(guest.body.result.data.account.isNew).toBe(true);
    expect((await me(guest.body.result.data.accessToken)).identities).toEqual([{ platform: 'douyin', appid: douyin.appid, kind: 'anonymous' }]);

    const upgrade = await login({
      appid: douyin.appid,
      code: code(douyin.appid, 'guest-who-signs-up'),
      anonymousCode: stack.simulator.issueAnonymousCode(douyin.appid, 'device-1'),
    });
    expect(upgrade.status).toBe(200);
    expect(upgrade.body.result.data.account.id).toBe(guestId);
    expect(upgrade.body.result.data).not.toHaveProperty('guestAccountId');
    expect(await authTypesOf(guestId)).toEqual([`douyin_anonymous:${douyin.appid}`, `douyin_openid:${douyin.appid}`, 'douyin_unionid']);
  });

  it('an upgrade whose openid has an account already signs in to it; the guest stays apart and the answer says so', async () => {
    const member = await signIn(douyin.appid, 'member-on-new-phone');
    const guest = await login({ appid: douyin.appid, anonymousCode: stack.simulator.issueAnonymousCode(douyin.appid, 'device-2') });
    const guestId = guest.body.result.data.account.id as number;
    expect(guestId).not.toBe(member.account.id);
    const upgrade = await login({
      appid: douyin.appid,
      code: code(douyin.appid, 'member-on-new-phone'),
      anonymousCode: stack.simulator.issueAnonymousCode(douyin.appid, 'device-2'),
    });
    expect(upgrade.body.result.data.account.id).toBe(member.account.id);
    expect(upgrade.body.result.data.guestAccountId).toBe(guestId);
    expect(await authTypesOf(guestId)).toEqual([`douyin_anonymous:${douyin.appid}`]);
  });
});

describe('linking identities', () => {
  it("links the player's identity in another game; refuses one that belongs to another account; refuses unlinking the last", async () => {
    const eve = await signIn(wechat.appid, 'eve');
    const linked = await callProcedure(
      stack,
      'mutation',
      'account.linkIdentity',
      { appid: douyin.appid, code: code(douyin.appid, 'eve') },
      bearer(eve.accessToken),
    );
    expect(linked.status).toBe(200);
    expect(linked.body.result.data.identities).toContainEqual({ platform: 'douyin', appid: douyin.appid, kind: 'openid' });
    expect(linked.body.result.data.app).toEqual({ appid: wechat.appid, platform: 'wechat' });
    // Eve on Douyin now signs in to the same account.
    expect((await signIn(douyin.appid, 'eve')).account.id).toBe(eve.account.id);

    const fay = await signIn(qq.appid, 'fay');
    const before = await authTypesOf(eve.account.id);
    const taken = await callProcedure(
      stack,
      'mutation',
      'account.linkIdentity',
      { appid: qq.appid, code: code(qq.appid, 'fay') },
      bearer(eve.accessToken),
    );
    expect([taken.status, taken.body.error.data.reason]).toEqual([409, 'IDENTITY_TAKEN']);
    expect(await authTypesOf(eve.account.id)).toEqual(before);
    expect(await authTypesOf(fay.account.id)).toEqual([`qq_openid:${qq.appid}`, 'qq_unionid']);

    const unlink = (appid: string) => callProcedure(stack, 'mutation', 'account.unlinkIdentity', { appid }, bearer(eve.accessToken));
    const notLinked = await unlink(qq.appid);
    expect([notLinked.status, notLinked.body.error.data.reason]).toEqual([404, 'IDENTITY_NOT_LINKED']);
    const unlinked = await unlink(douyin.appid);
    expect(unlinked.status).toBe(200);
    expect(unlinked.body.result.data.identities).toEqual([
      { platform: 'wechat', appid: wechat.appid, kind: 'openid' },
      { platform: 'wechat', appid: null, kind: 'unionid' },
    ]);
    const last = await unlink(wechat.appid);
    expect([last.status, last.body.error.data.reason]).toEqual([409, 'LAST_IDENTITY']);
    expect(await authTypesOf(eve.account.id)).toEqual([`wechat_openid:${wechat.appid}`, 'wechat_unionid']);
    // Unlinked, Eve on Douyin is somebody new.
    const again = await signIn(douyin.appid, 'eve');
    expect(again.account.id).not.toBe(eve.account.id);
  });

  it('export lists every identity, and deleting the account releases them all', async () => {
    const gus = await signIn(qq.appid, 'gus');
    await callProcedure(stack, 'mutation', 'account.linkIdentity', { appid: douyin.appid, code: code(douyin.appid, 'gus') }, bearer(gus.accessToken));
    const exported = await callProcedure(stack, 'mutation', 'account.export', undefined, bearer(gus.accessToken));
    expect(exported.body.result.data.identities.map((identity: { type: string }) => identity.type).sort()).toEqual(
      [`douyin_openid:${douyin.appid}`, 'douyin_unionid', `qq_openid:${qq.appid}`, 'qq_unionid'].sort(),
    );
    expect((await callProcedure(stack, 'mutation', 'account.delete', undefined, bearer(gus.accessToken))).status).toBe(200);
    const onQQ = await signIn(qq.appid, 'gus');
    const onDouyin = await signIn(douyin.appid, 'gus');
    expect(onQQ.account.isNew).toBe(true);
    expect(onDouyin.account.isNew).toBe(true);
    expect(onQQ.account.id).not.toBe(gus.account.id);
  });
});

describe('what a session of each platform can call', () => {
  it("Douyin's friend ranking is written with Douyin's signed set_user_storage; QQ offers none to servers", async () => {
    const onDouyin = await signIn(douyin.appid, 'ranked');
    const written = await callProcedure(stack, 'mutation', 'ranking.submitScore', { key: 'score', score: 77 }, bearer(onDouyin.accessToken));
    expect(written.status, JSON.stringify(written.body)).toBe(200);
    expect(JSON.parse(stack.simulator.userStorage(douyin.appid, 'ranked').score!)).toMatchObject({ ttgame: { score: 77 } });

    const onQQ = await signIn(qq.appid, 'ranked');
    const refused = await callProcedure(stack, 'mutation', 'ranking.submitScore', { key: 'score', score: 1 }, bearer(onQQ.accessToken));
    expect([refused.status, refused.body.error.data.reason]).toEqual([400, 'PLATFORM_UNSUPPORTED']);
  });

  it("user info sent from Douyin opens with the session key of the session's game", async () => {
    const answer = await signIn(douyin.appid, 'profiled');
    const info = stack.simulator.userInfoFor(douyin.appid, 'profiled', { nickName: 'Dou Player' });
    const synced = await callProcedure(
      stack,
      'mutation',
      'account.syncWeChatUserInfo',
      { encryptedData: info.encryptedData, iv: info.iv, rawData: info.rawData, signature: info.signature },
      bearer(answer.accessToken),
    );
    expect(synced.status, JSON.stringify(synced.body)).toBe(200);
    expect(synced.body.result.data.nickName).toBe('Dou Player');
  });

  it("two instances refreshing a Douyin game's access token at once make one fetch (a second would cut the first to 5 minutes)", async () => {
    const second = createHttpServer(stack.config, (log) => wireApplication(stack.config, log), { logStream: { write: () => undefined } });
    await second.application.start();
    await second.server.listen({ host: '127.0.0.1', port: 0 });
    try {
      const secondUrl = `http://127.0.0.1:${(second.server.server.address() as AddressInfo).port}/trpc`;
      // A game whose token nobody has fetched yet: every instance must get one now.
      const [a, b] = [await signIn(douyin2.appid, 'token-a'), await signIn(douyin2.appid, 'token-b')];
      const fetchesBefore = stack.simulator.callCount('douyin_token');
      const submit = (url: string, token: string) =>
        fetch(`${url}/ranking.submitScore`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(token) },
          body: JSON.stringify({ key: 'score', score: 5 }),
        });
      const answers = await Promise.all([submit(stack.trpcUrl, a.accessToken), submit(secondUrl, b.accessToken), submit(secondUrl, a.accessToken)]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect(stack.simulator.callCount('douyin_token') - fetchesBefore).toBe(1);
      expect(JSON.parse(stack.simulator.userStorage(douyin2.appid, 'token-b').score!)).toMatchObject({ ttgame: { score: 5 } });
    } finally {
      await second.server.close();
    }
  });
});

describe('first logins racing', () => {
  it('200 parallel first logins of 20 players over three platforms give exactly 20 accounts per platform', async () => {
    const games = [wechat, douyin, qq];
    const logins = Array.from({ length: 200 }, (_, i) => {
      const game = games[Math.floor(i / 20) % 3]!;
      return login({ appid: game.appid, code: code(game.appid, `crowd-${i % 20}`) });
    });
    const answers = await Promise.all(logins);
    expect(answers.filter((answer) => answer.status !== 200).map((answer) => answer.body)).toEqual([]);
    for (const game of games) {
      const owners = await stack.database.db
        .selectFrom('accountAuth')
        .innerJoin('account', 'account.accountId', 'accountAuth.accountId')
        .select('accountAuth.accountId')
        .distinct()
        .where('accountAuth.authType', '=', `${game.platform}_openid:${game.appid}`)
        .where(
          'accountAuth.identifier',
          'in',
          Array.from({ length: 20 }, (_, i) => stack.simulator.openidFor(game.appid, `crowd-${i}`)),
        )
        .where('accountAuth.isDel', '=', 0)
        .execute();
      expect(owners).toHaveLength(20);
      // Each answer of a player on a platform names that one account.
      const ids = new Set(
        answers.filter((_, i) => games[Math.floor(i / 20) % 3] === game).map((answer) => answer.body.result.data.account.id as number),
      );
      expect(ids.size).toBe(20);
    }
  });
});
