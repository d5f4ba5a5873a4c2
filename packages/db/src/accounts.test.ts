import { CamelCasePlugin, CompiledQuery, Kysely, MysqlDialect, type DatabaseConnection, type Driver } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findAccountWithProfile } from './account-with-profile.js';
import { LoginCodeTakenError, signInWithIdentity, type IdentitySignIn } from './accounts.js';
import { createMysqlPool } from './mysql-pool.js';
import type { Database } from './schema.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

describe('signInWithIdentity', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());
  beforeEach(async () => {
    for (const table of ['accountSession', 'accountProfile', 'accountAuth', 'account'] as const) await database.db.deleteFrom(table).execute();
  });

  const signIn = (overrides: Partial<IdentitySignIn> = {}): IdentitySignIn => ({
    authType: 'wechat_openid:wxtest',
    identifier: 'o-player-1',
    credential: 'encrypted-1',
    ip: '203.0.113.7',
    at: new Date('2026-11-01T10:00:00.000Z'),
    ...overrides,
  });

  it('creates one account for one openid signed in twice, keeping the register IP and moving the login', async () => {
    const first = await signInWithIdentity(database.db, signIn());
    const second = await signInWithIdentity(
      database.db,
      signIn({ credential: 'encrypted-2', ip: '198.51.100.9', at: new Date('2026-11-02T10:00:00.000Z') }),
    );
    expect(first.isNew).toBe(true);
    expect(second).toMatchObject({ accountId: first.accountId, isNew: false });

    const accounts = await database.db.selectFrom('account').select('accountId').execute();
    expect(accounts).toHaveLength(1);
    const profile = await database.db.selectFrom('accountProfile').selectAll().executeTakeFirstOrThrow();
    expect(profile).toMatchObject({ registerIp: '203.0.113.7', loginIp: '198.51.100.9' });
    expect(profile.loginTime?.toISOString()).toBe('2026-11-02T10:00:00.000Z');
    const identity = await database.db.selectFrom('accountAuth').selectAll().executeTakeFirstOrThrow();
    expect(identity).toMatchObject({ credential: 'encrypted-2', authType: 'wechat_openid:wxtest', identifier: 'o-player-1' });
  });

  it("takes a returning player's login in three statements and no transaction; a first login in one transaction", async () => {
    const statements: string[] = [];
    // The same database through a Kysely that logs every statement it sends (BEGIN and COMMIT too).
    const counted = new Kysely<Database>({
      dialect: new MysqlDialect({ pool: createMysqlPool(database.url) }),
      plugins: [new CamelCasePlugin()],
      log: (event) => void statements.push(event.query.sql.split(' ')[0]!.toLowerCase()),
    });
    try {
      const first = await signInWithIdentity(
        counted,
        signIn({ session: { refreshTokenHash: 'a'.repeat(64), expiresAt: new Date('2026-12-01T00:00:00Z'), userAgent: 'test' } }),
      );
      // The key's read (no row), then the transaction: account, profile, identity, session.
      expect(statements).toEqual(['select', 'begin', 'insert', 'insert', 'insert', 'insert', 'commit']);
      statements.length = 0;
      const again = await signInWithIdentity(
        counted,
        signIn({
          credential: 'encrypted-2',
          session: { refreshTokenHash: 'b'.repeat(64), expiresAt: new Date('2026-12-01T00:00:00Z'), userAgent: 'test' },
        }),
      );
      expect(statements).toEqual(['select', 'update', 'insert']);
      expect(again).toMatchObject({ accountId: first.accountId, isNew: false });
      expect(again.sessionId).toBeGreaterThan(first.sessionId ?? 0);
      const identity = await database.db.selectFrom('accountAuth').select('credential').executeTakeFirstOrThrow();
      expect(identity.credential).toBe('encrypted-2');
    } finally {
      await counted.destroy();
    }
  });

  it('keeps one account when 50 first sign-ins of one player race', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => signInWithIdentity(database.db, signIn({ credential: `c${i}` }))));
    expect(new Set(results.map((result) => result.accountId)).size).toBe(1);
    expect(results.filter((result) => result.isNew)).toHaveLength(1);
    expect(await database.db.selectFrom('account').select('accountId').execute()).toHaveLength(1);
    expect(await database.db.selectFrom('accountAuth').select('accountAuthId').execute()).toHaveLength(1);
    expect(await database.db.selectFrom('accountProfile').select('accountProfileId').execute()).toHaveLength(1);
  });

  it('burns no auto-increment id for a returning player', async () => {
    await signInWithIdentity(database.db, signIn());
    for (let i = 0; i < 3; i++) await signInWithIdentity(database.db, signIn());
    await signInWithIdentity(database.db, signIn({ identifier: 'o-player-2' }));
    const ids = await database.db.selectFrom('accountAuth').select('accountAuthId').orderBy('accountAuthId').execute();
    expect(ids[1]!.accountAuthId).toBe(ids[0]!.accountAuthId + 1);
  });

  it('records a unionid once and joins a new openid of the same person to the same account', async () => {
    const unionid = { authType: 'wechat_unionid', identifier: 'u-person' };
    const inFirstGame = await signInWithIdentity(database.db, signIn({ linkedIdentities: [unionid] }));
    await signInWithIdentity(database.db, signIn({ linkedIdentities: [unionid] }));
    const inSecondGame = await signInWithIdentity(
      database.db,
      signIn({ authType: 'wechat_openid:wxother', identifier: 'o-other', linkedIdentities: [unionid] }),
    );
    expect(inSecondGame).toMatchObject({ accountId: inFirstGame.accountId, isNew: false });
    const identities = await database.db.selectFrom('accountAuth').select(['authType', 'identifier']).orderBy('accountAuthId').execute();
    expect(identities).toEqual([
      { authType: 'wechat_openid:wxtest', identifier: 'o-player-1' },
      { authType: 'wechat_unionid', identifier: 'u-person' },
      { authType: 'wechat_openid:wxother', identifier: 'o-other' },
    ]);
  });

  it('stores emoji nick names intact (utf8mb4)', async () => {
    const { accountId } = await signInWithIdentity(database.db, signIn());
    await database.db.updateTable('account').set({ nickName: '小明🎮' }).where('accountId', '=', accountId).execute();
    expect((await findAccountWithProfile(database.db, accountId))?.nickName).toBe('小明🎮');
  });

  it("starts a deleted account's player afresh: the old identity is released, a new account made", async () => {
    const first = await signInWithIdentity(database.db, signIn());
    await database.db.updateTable('account').set({ isDel: 1 }).where('accountId', '=', first.accountId).execute();
    const again = await signInWithIdentity(database.db, signIn());
    expect(again.isNew).toBe(true);
    expect(again.accountId).not.toBe(first.accountId);
    const identities = await database.db.selectFrom('accountAuth').select(['accountId', 'identifier', 'isDel']).orderBy('accountAuthId').execute();
    expect(identities).toEqual([
      { accountId: first.accountId, identifier: expect.stringMatching(/^released:\d+$/), isDel: 1 },
      { accountId: again.accountId, identifier: 'o-player-1', isDel: 0 },
    ]);
  });

  it('gives a created account its initial values, and ignores them for an existing one', async () => {
    const created = await signInWithIdentity(database.db, signIn({ newAccount: { nickName: 'Zoë', gender: 2, level: 5 } }));
    const existing = await signInWithIdentity(database.db, signIn({ newAccount: { nickName: 'Other' } }));
    expect(created).toMatchObject({ isNew: true, nickName: 'Zoë' });
    expect(existing).toMatchObject({ isNew: false, nickName: 'Zoë' });
    expect(await findAccountWithProfile(database.db, created.accountId)).toMatchObject({ nickName: 'Zoë', gender: 2, level: 5 });
  });

  it('finds no account for an unknown or deleted id', async () => {
    const { accountId } = await signInWithIdentity(database.db, signIn());
    expect(await findAccountWithProfile(database.db, accountId + 1000)).toBeUndefined();
    await database.db.updateTable('account').set({ isDel: 1 }).where('accountId', '=', accountId).execute();
    expect(await findAccountWithProfile(database.db, accountId)).toBeUndefined();
  });
  const session = (fill: string) => ({ refreshTokenHash: fill.repeat(64), expiresAt: new Date('2026-12-01T00:00:00Z'), userAgent: 'test' });

  it("keeps the login code's hash on the session it opens, and refuses a second session of that code, new player or returning", async () => {
    const code = 'c'.repeat(64);
    const first = await signInWithIdentity(database.db, signIn({ session: session('a'), loginCodeHash: code }));
    const row = await database.db.selectFrom('accountSession').select(['sessionId', 'loginCodeHash']).executeTakeFirstOrThrow();
    expect(row).toEqual({ sessionId: first.sessionId, loginCodeHash: code });

    // The same player again (no transaction), then a player never seen (the transaction): neither opens a session.
    await expect(signInWithIdentity(database.db, signIn({ session: session('b'), loginCodeHash: code }))).rejects.toBeInstanceOf(LoginCodeTakenError);
    await expect(
      signInWithIdentity(database.db, signIn({ identifier: 'o-player-2', session: session('c'), loginCodeHash: code })),
    ).rejects.toBeInstanceOf(LoginCodeTakenError);
    expect(await database.db.selectFrom('accountSession').select('sessionId').execute()).toHaveLength(1);
    // The new player's transaction was rolled back whole: no account half made.
    expect(await database.db.selectFrom('accountAuth').select('identifier').execute()).toEqual([{ identifier: 'o-player-1' }]);
    // Sessions without a code (other sign-ins) are many.
    await signInWithIdentity(database.db, signIn({ session: session('d') }));
    await signInWithIdentity(database.db, signIn({ session: session('e') }));
    expect(await database.db.selectFrom('accountSession').select('sessionId').execute()).toHaveLength(3);
  });

  it("runs a returning player's statement again on a write conflict (1213), and a first login's transaction whole when its COMMIT fails as on Galera", async () => {
    const failed: string[] = [];
    let failNext: RegExp | null = null;
    // The test database through a driver that fails the next statement matching `failNext` with a write conflict, once.
    class ConflictingDialect extends MysqlDialect {
      override createDriver(): Driver {
        const driver = super.createDriver();
        const conflicting = (connection: DatabaseConnection): DatabaseConnection =>
          new Proxy(connection, {
            get(target, property) {
              if (property === 'executeQuery') {
                return async (query: CompiledQuery) => {
                  if (failNext?.test(query.sql)) {
                    failNext = null;
                    failed.push(query.sql.split(' ')[0]!.toLowerCase());
                    // A certification failure at COMMIT (Galera) rolls the transaction back whole.
                    if (/^commit/i.test(query.sql)) await target.executeQuery(CompiledQuery.raw('rollback'));
                    throw Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), {
                      errno: 1213,
                      code: 'ER_LOCK_DEADLOCK',
                    });
                  }
                  return target.executeQuery(query);
                };
              }
              const value = Reflect.get(target, property, target) as unknown;
              return typeof value === 'function' ? value.bind(target) : value;
            },
          });
        return new Proxy(driver, {
          get(target, property) {
            if (property === 'acquireConnection') return async () => conflicting(await target.acquireConnection());
            const value = Reflect.get(target, property, target) as unknown;
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      }
    }
    const db = new Kysely<Database>({ dialect: new ConflictingDialect({ pool: createMysqlPool(database.url) }), plugins: [new CamelCasePlugin()] });
    try {
      const first = await signInWithIdentity(db, signIn({ session: session('a') }));
      for (const statement of [/^update/i, /^insert/i]) {
        failNext = statement;
        const again = await signInWithIdentity(db, signIn({ session: session(statement.source.includes('update') ? 'b' : 'c') }));
        expect(again).toMatchObject({ accountId: first.accountId, isNew: false });
      }
      failNext = /^commit/i;
      const other = await signInWithIdentity(db, signIn({ identifier: 'o-player-2', session: session('d') }));
      expect(other.isNew).toBe(true);
      expect(failed).toEqual(['update', 'insert', 'commit']);
      expect(await database.db.selectFrom('accountSession').select('sessionId').execute()).toHaveLength(4);
      expect(await database.db.selectFrom('account').select('accountId').execute()).toHaveLength(2);
      expect(await database.db.selectFrom('accountProfile').select('accountId').execute()).toHaveLength(2);
    } finally {
      await db.destroy();
    }
  });
});
