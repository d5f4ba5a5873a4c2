import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteAccount, exportAccount } from './account-lifecycle.js';
import { signInWithIdentity } from './accounts.js';
import { clearNicknameIf, dueContentRechecks, finishContentRecheck, postponeContentRecheck, queueContentRecheck } from './content-rechecks.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';
import { NamedLockTimeoutError, withNamedLock } from './named-lock.js';
import { invalidateAccessToken, readAccessToken, writeAccessToken } from './wechat-access-tokens.js';
import { applyWeChatUserInfo, bindPhoneIdentity, findIdentityCredential } from './wechat-identities.js';
import { findLoginCode, pruneLoginCodes, rememberLoginCode } from './wechat-login-codes.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

const signIn = (identifier: string, credential = 'enc-key', at = new Date()) =>
  signInWithIdentity(database.db, { authType: 'wechat_openid:wxtest', identifier, credential, ip: '127.0.0.1', at });

describe('the shared access token row', () => {
  it('is written whole, read back, and invalidated only while it holds the token that failed', async () => {
    expect(await readAccessToken(database.db, 'wxa')).toBeNull();
    await writeAccessToken(database.db, 'wxa', { token: 't1', expiresAt: 1_700_000_000_000, forceRefreshedAt: null });
    await writeAccessToken(database.db, 'wxa', { token: 't2', expiresAt: 1_700_000_500_000, forceRefreshedAt: 5 });
    expect(await readAccessToken(database.db, 'wxa')).toEqual({ token: 't2', expiresAt: 1_700_000_500_000, forceRefreshedAt: 5 });
    expect(await invalidateAccessToken(database.db, 'wxa', 't1')).toBe(false);
    expect((await readAccessToken(database.db, 'wxa'))?.expiresAt).toBe(1_700_000_500_000);
    expect(await invalidateAccessToken(database.db, 'wxa', 't2')).toBe(true);
    expect(await readAccessToken(database.db, 'wxa')).toEqual({ token: 't2', expiresAt: 0, forceRefreshedAt: 5 });
    expect(await readAccessToken(database.db, 'wxb')).toBeNull();
  });

  it('a named lease lets one holder in at a time, gives up after its timeout, and lapses when its holder died', async () => {
    const order: string[] = [];
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = withNamedLock(database.db, 'minigate-test:lock', 5, async () => {
      order.push('first in');
      await held;
      order.push('first out');
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const timedOut = withNamedLock(database.db, 'minigate-test:lock', 0, async () => order.push('never'));
    await expect(timedOut).rejects.toBeInstanceOf(NamedLockTimeoutError);
    const second = withNamedLock(database.db, 'minigate-test:lock', 5, async () => void order.push('second in'));
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second in']);
    expect(await database.db.selectFrom('namedLease').selectAll().execute()).toEqual([]);

    // A holder that died (its row left behind, its lease running): refused until the lease lapses, then taken.
    await sql`INSERT INTO named_lease (name, holder, expires_at) VALUES ('minigate-test:dead', ${'d'.repeat(32)}, NOW(3) + INTERVAL 1 SECOND)`.execute(
      database.db,
    );
    await expect(withNamedLock(database.db, 'minigate-test:dead', 0, async () => 'never')).rejects.toBeInstanceOf(NamedLockTimeoutError);
    expect(await withNamedLock(database.db, 'minigate-test:dead', 5, async () => 'taken after the lapse')).toBe('taken after the lapse');
  });
});

describe('remembered login codes', () => {
  it('keep the first outcome until they expire, and are pruned after', async () => {
    const now = new Date();
    const later = new Date(now.getTime() + 300_000);
    await rememberLoginCode(
      database.db,
      'a'.repeat(64),
      { outcome: 'session', openid: 'o1', unionid: null, sessionKey: 'enc', answeredAt: now },
      later,
    );
    await rememberLoginCode(database.db, 'a'.repeat(64), { outcome: 'failed', failure: 'busy', answeredAt: now }, later);
    expect(await findLoginCode(database.db, 'a'.repeat(64), now)).toMatchObject({ outcome: 'session', openid: 'o1', sessionKey: 'enc' });
    await rememberLoginCode(database.db, 'b'.repeat(64), { outcome: 'failed', failure: 'timeout', answeredAt: now }, later);
    expect(await findLoginCode(database.db, 'b'.repeat(64), now)).toMatchObject({ outcome: 'failed', failure: 'timeout' });
    expect(await findLoginCode(database.db, 'b'.repeat(64), new Date(later.getTime() + 1))).toBeNull();
    expect(await pruneLoginCodes(database.db, new Date(later.getTime() + 1))).toBeGreaterThanOrEqual(2);
  });
});

describe('credentials and phones', () => {
  it('keeps the session key time when the same key comes again, and moves it for a new one', async () => {
    const first = new Date(Date.now() - 60_000);
    const account = await signIn('o-same', 'enc-1', first);
    await signInWithIdentity(database.db, {
      authType: 'wechat_openid:wxtest',
      identifier: 'o-same',
      credential: 'enc-1b',
      ip: '127.0.0.1',
      at: new Date(),
      isSameCredential: (stored) => stored === 'enc-1',
    });
    expect((await findIdentityCredential(database.db, account.accountId, 'wechat_openid:wxtest'))?.timeStamp?.getTime()).toBe(first.getTime());
    const third = new Date();
    await signInWithIdentity(database.db, {
      authType: 'wechat_openid:wxtest',
      identifier: 'o-same',
      credential: 'enc-2',
      ip: '127.0.0.1',
      at: third,
    });
    expect(await findIdentityCredential(database.db, account.accountId, 'wechat_openid:wxtest')).toEqual({
      identifier: 'o-same',
      credential: 'enc-2',
      timeStamp: third,
    });
  });

  it('binds a phone to one account only, rebinds, and frees it when the account is deleted', async () => {
    const ann = await signIn('o-ann');
    const bob = await signIn('o-bob');
    const bind = (accountId: number, phone: string) => bindPhoneIdentity(database.db, { accountId, authType: 'phone', phone, at: new Date() });
    expect(await bind(ann.accountId, '+8613800000001')).toBe('bound');
    expect(await bind(ann.accountId, '+8613800000001')).toBe('unchanged');
    expect(await bind(bob.accountId, '+8613800000001')).toBe('taken');
    const [raced1, raced2] = await Promise.all([bind(ann.accountId, '+8613800000002'), bind(bob.accountId, '+8613800000002')]);
    expect([raced1, raced2].sort()).toEqual(['bound', 'taken']);
    const annExport = await exportAccount(database.db, ann.accountId);
    expect(annExport?.account.phoneBind).toBe(1);
    const annPhones = annExport?.identities.filter((identity) => identity.authType === 'phone').map((identity) => identity.identifier);
    expect(annPhones).toHaveLength(1);
    expect(annExport?.profile?.phone).toBe(annPhones?.[0]);

    const holder = raced1 === 'bound' ? ann.accountId : bob.accountId;
    const other = holder === ann.accountId ? bob.accountId : ann.accountId;
    await deleteAccount(database.db, holder);
    expect(await bind(other, '+8613800000002')).toBe('bound');
    expect(await bind(holder, '+8613800000003')).toBe('account_gone');
  });

  it('stores WeChat user info on account and profile; a recheck blanks a nickname only while it is unchanged', async () => {
    const cat = await signIn('o-cat');
    expect(
      await applyWeChatUserInfo(database.db, cat.accountId, {
        nickName: 'Cat',
        avatar: 'https://a.example/c',
        gender: 2,
        city: 'Shenzhen',
        language: 'zh_CN',
        at: new Date(),
      }),
    ).toBe(true);
    const exported = await exportAccount(database.db, cat.accountId);
    expect(exported?.account).toMatchObject({ nickName: 'Cat', avatar: 'https://a.example/c' });
    expect(exported?.profile).toMatchObject({ nickName: 'Cat', gender: 2, city: 'Shenzhen', language: 'zh_CN', country: null });

    await queueContentRecheck(database.db, { accountId: cat.accountId, field: 'nickName', content: 'Cat', at: new Date(Date.now() - 1000) });
    const [due] = await dueContentRechecks(database.db, new Date(), 10);
    expect(due).toMatchObject({ accountId: cat.accountId, field: 'nickName', content: 'Cat', attempts: 0 });
    await postponeContentRecheck(database.db, due!.recheckId, new Date(Date.now() + 60_000));
    expect(await dueContentRechecks(database.db, new Date(), 10)).toEqual([]);
    expect(await clearNicknameIf(database.db, cat.accountId, 'Dog')).toBe(false);
    expect(await clearNicknameIf(database.db, cat.accountId, 'Cat')).toBe(true);
    expect((await exportAccount(database.db, cat.accountId))?.profile?.nickName).toBe('');
    await finishContentRecheck(database.db, due!.recheckId);
  });
});
