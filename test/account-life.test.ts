import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, type TestStack } from './support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface LoginData {
  accessToken: string;
  refreshToken: string;
  account: { id: number; isNew: boolean; nickName: string; avatarUrl: string };
}

async function login(player: string): Promise<{ status: number; data?: LoginData; error?: { code: string; reason: string } }> {
  const { status, body } = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor(player) });
  return status === 200 ? { status, data: body.result.data } : { status, error: body.error.data };
}

async function signedIn(player: string): Promise<LoginData> {
  const answer = await login(player);
  if (!answer.data) throw new Error(`login failed: ${JSON.stringify(answer)}`);
  return answer.data;
}

const updateProfile = (token: string, input: unknown) => callProcedure(stack, 'mutation', 'account.updateProfile', input, bearer(token));

describe('account.updateProfile', () => {
  it('stores a nickname with emoji, an https avatar, gender and birthday, and answers the account', async () => {
    const { accessToken, account } = await signedIn('life-amy');
    const nickName = '小明🎮👨‍👩‍👧';
    const answer = await updateProfile(accessToken, { nickName, avatarUrl: 'https://thirdwx.qlogo.cn/a/b/132', gender: 2, birthday: '2001-02-28' });
    expect(answer.status).toBe(200);
    expect(answer.body.result.data).toMatchObject({
      id: account.id,
      nickName,
      avatarUrl: 'https://thirdwx.qlogo.cn/a/b/132',
      profile: { gender: 2, birthday: '2001-02-28' },
    });
    const me = await callProcedure(stack, 'query', 'account.me', undefined, bearer(accessToken));
    expect(me.body.result.data.nickName).toBe(nickName);
    const rows = await stack.database.db
      .selectFrom('account')
      .innerJoin('accountProfile', 'accountProfile.accountId', 'account.accountId')
      .select(['account.nickName as accountNick', 'accountProfile.nickName as profileNick'])
      .where('account.accountId', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(rows).toEqual({ accountNick: nickName, profileNick: nickName });
    // The next login answers it too.
    expect((await signedIn('life-amy')).account).toMatchObject({ nickName, avatarUrl: 'https://thirdwx.qlogo.cn/a/b/132' });
  });

  it('counts lengths in characters: 32 emoji pass, 33 do not', async () => {
    const { accessToken } = await signedIn('life-bea');
    expect((await updateProfile(accessToken, { nickName: '😀'.repeat(32) })).status).toBe(200);
    const long = await updateProfile(accessToken, { nickName: '😀'.repeat(33) });
    expect(long.status).toBe(400);
    expect(long.body.error.data.fields).toEqual([{ path: 'nickName', message: 'nickName must be at most 32 characters' }]);
  });

  it.each([
    ['an http avatar', { avatarUrl: 'http://example.com/a.png' }, 'avatarUrl'],
    ['a javascript: avatar', { avatarUrl: 'javascript:alert(1)' }, 'avatarUrl'],
    ['an empty nickname', { nickName: '   ' }, 'nickName'],
    ['a nickname with a line break', { nickName: 'a\nb' }, 'nickName'],
    ['a gender of 3', { gender: 3 }, 'gender'],
    ['a gender as text', { gender: 'female' }, 'gender'],
    ['a birthday that does not exist', { birthday: '2001-02-30' }, 'birthday'],
    ['a birthday in the future', { birthday: '2999-01-01' }, 'birthday'],
    ['a field players may not set', { level: 99 }, '(input)'],
    ['nothing to change', {}, '(input)'],
  ])('refuses %s with BAD_REQUEST naming the field', async (_, input, field) => {
    const { accessToken } = await signedIn('life-cid');
    const answer = await updateProfile(accessToken, input);
    expect(answer.status).toBe(400);
    expect(answer.body.error.data.reason).toBe('INPUT_INVALID');
    expect(answer.body.error.data.fields.map((entry: { path: string }) => entry.path)).toContain(field);
    expect(JSON.stringify(answer.body)).not.toContain('stack');
  });
});

describe('account.heartbeat', () => {
  it('marks the player online and counts the time between heartbeats', async () => {
    const { accessToken, account } = await signedIn('life-dee');
    const first = await callProcedure(stack, 'mutation', 'account.heartbeat', undefined, bearer(accessToken));
    expect(first.body.result.data).toEqual({ onlineSeconds: 0, timeoutSeconds: 120 });
    // As if the last heartbeat was 30 seconds ago.
    await sql`UPDATE account_profile SET heartbeat_time = heartbeat_time - INTERVAL 30 SECOND WHERE account_id = ${account.id}`.execute(
      stack.database.db,
    );
    const second = await callProcedure(stack, 'mutation', 'account.heartbeat', undefined, bearer(accessToken));
    expect(second.body.result.data.onlineSeconds).toBeGreaterThanOrEqual(30);
    expect(second.body.result.data.onlineSeconds).toBeLessThan(33);
    const { rows } = await sql<{ onlineStatus: number }>`SELECT online_status FROM account_profile WHERE account_id = ${account.id}`.execute(
      stack.database.db,
    );
    expect(rows[0]!.onlineStatus).toBe(1);
  });
});

describe('account.export', () => {
  it('returns everything stored on the player, sessions included, and never a credential or token', async () => {
    const first = await signedIn('life-eli');
    await signedIn('life-eli');
    await updateProfile(first.accessToken, { nickName: 'Eli', birthday: '1990-05-17' });
    await callProcedure(stack, 'mutation', 'account.heartbeat', undefined, bearer(first.accessToken));
    const answer = await callProcedure(stack, 'mutation', 'account.export', undefined, bearer(first.accessToken));
    expect(answer.status).toBe(200);
    const data = answer.body.result.data;
    expect(data.account).toMatchObject({ id: first.account.id, nickName: 'Eli', disabled: false, phoneBound: false });
    expect(data.profile).toMatchObject({ nickName: 'Eli', birthday: '1990-05-17', registerIp: '127.0.0.1', lastLoginIp: '127.0.0.1', online: true });
    expect(data.identities).toEqual([
      expect.objectContaining({
        type: `wechat_openid:${stack.config.wechat.app!.appid}`,
        identifier: stack.simulator.openidFor(stack.config.wechat.app!.appid, 'life-eli'),
      }),
    ]);
    expect(data.sessions).toHaveLength(2);
    expect(data.sessions[0]).toMatchObject({ ip: '127.0.0.1', revokedAt: null });
    const text = JSON.stringify(data);
    expect(text).not.toMatch(/credential"|session_?key|Hash/i);
    expect(text).not.toContain(first.refreshToken.split('.')[1]);
    expect(text).not.toContain(first.accessToken);
  });
});

describe('account.delete', () => {
  it('blanks the account, ends every session, and the same WeChat user then starts a new, empty account', async () => {
    const phone = await signedIn('life-fox');
    const tablet = await signedIn('life-fox');
    await updateProfile(phone.accessToken, { nickName: 'Fox', birthday: '1999-09-09' });
    const deleted = await callProcedure(stack, 'mutation', 'account.delete', undefined, bearer(phone.accessToken));
    expect(deleted.body.result.data).toEqual({ deleted: true });

    const afterwards = await callProcedure(stack, 'query', 'account.me', undefined, bearer(phone.accessToken));
    expect(afterwards.status).toBe(401);
    expect(afterwards.body.error.data.reason).toBe('ACCOUNT_DELETED');
    await expect
      .poll(async () => (await callProcedure(stack, 'query', 'account.me', undefined, bearer(tablet.accessToken))).body.error?.data.reason, {
        timeout: 5_000,
        interval: 200,
      })
      .toBe('ACCOUNT_DELETED');
    const refreshed = await callProcedure(stack, 'mutation', 'auth.refresh', { refreshToken: tablet.refreshToken });
    expect(refreshed.body.error.data.reason).toBe('SESSION_REVOKED');

    const rows = await stack.database.db
      .selectFrom('account')
      .innerJoin('accountProfile', 'accountProfile.accountId', 'account.accountId')
      .select(['account.isDel', 'account.nickName', 'accountProfile.birthday', 'accountProfile.registerIp', 'accountProfile.loginIp'])
      .where('account.accountId', '=', phone.account.id)
      .executeTakeFirstOrThrow();
    expect(rows).toEqual({ isDel: 1, nickName: '', birthday: null, registerIp: null, loginIp: null });
    const identities = await stack.database.db
      .selectFrom('accountAuth')
      .select(['identifier', 'credential'])
      .where('accountId', '=', phone.account.id)
      .execute();
    expect(identities).toEqual([{ identifier: expect.stringMatching(/^released:/), credential: null }]);
    const sessions = await stack.database.db
      .selectFrom('accountSession')
      .select(['revokedReason', 'ip', 'userAgent'])
      .where('accountId', '=', phone.account.id)
      .execute();
    expect(sessions).toEqual([
      { revokedReason: 'account_deleted', ip: '', userAgent: '' },
      { revokedReason: 'account_deleted', ip: '', userAgent: '' },
    ]);

    const again = await signedIn('life-fox');
    expect(again.account.isNew).toBe(true);
    expect(again.account.id).not.toBe(phone.account.id);
    expect((await callProcedure(stack, 'query', 'account.me', undefined, bearer(again.accessToken))).body.result.data).toMatchObject({
      nickName: '',
      profile: { birthday: null },
    });
  });
});

describe('a ban written directly in SQL', () => {
  it('refuses the login with FORBIDDEN and a reason, and stops existing sessions within 5 s; unbanning restores them', async () => {
    const player = await signedIn('life-gil');
    expect((await callProcedure(stack, 'mutation', 'account.heartbeat', undefined, bearer(player.accessToken))).status).toBe(200);
    await sql`UPDATE account SET data_flag = 0 WHERE account_id = ${player.account.id}`.execute(stack.database.db);
    const refused = await login('life-gil');
    expect(refused).toMatchObject({ status: 403, error: { code: 'FORBIDDEN', reason: 'ACCOUNT_DISABLED' } });
    const banned = Date.now();
    // The heartbeat reads no account row: only the revocation feed can stop it.
    const heartbeat = () => callProcedure(stack, 'mutation', 'account.heartbeat', undefined, bearer(player.accessToken));
    await expect.poll(async () => (await heartbeat()).body.error?.data.reason, { timeout: 5_000, interval: 100 }).toBe('ACCOUNT_DISABLED');
    expect(Date.now() - banned).toBeLessThan(5_000);
    const refresh = await callProcedure(stack, 'mutation', 'auth.refresh', { refreshToken: player.refreshToken });
    expect(refresh).toMatchObject({ status: 403, body: { error: { data: { reason: 'ACCOUNT_DISABLED' } } } });

    await sql`UPDATE account SET data_flag = 1 WHERE account_id = ${player.account.id}`.execute(stack.database.db);
    await expect.poll(async () => (await heartbeat()).status, { timeout: 5_000, interval: 100 }).toBe(200);
  });
});
