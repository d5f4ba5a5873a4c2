import { createDatabase, revokeSession, signInWithIdentity } from '@minigate/db';
import { createTestDatabase, type TestDatabase } from '@minigate/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRevocationCache, type RevocationCacheOptions } from './revocation-cache.js';
import { createSessionGuard } from './session-guard.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined };
let players = 0;

/** A player signed in with a session, as a login makes them. */
async function player(): Promise<{ accountId: number; sessionId: number }> {
  const signedIn = await signInWithIdentity(database.db, {
    authType: 'test',
    identifier: `cache-player-${++players}`,
    credential: null,
    ip: '127.0.0.1',
    at: new Date(),
    session: { refreshTokenHash: 'a'.repeat(64), expiresAt: new Date(Date.now() + 3_600_000), userAgent: 'test' },
  });
  return { accountId: signedIn.accountId, sessionId: signedIn.sessionId! };
}

function cache(options: Partial<RevocationCacheOptions> = {}) {
  return createRevocationCache({ db: database.db, accessTokenTtlSeconds: 7200, maxEntries: 1_000, logger: quiet, ...options });
}

describe('revocation cache', () => {
  it('answers live for every session nothing was said against, and sees revocations and bans through the feed', async () => {
    const [ann, ben] = [await player(), await player()];
    const revocations = cache();
    await revocations.start();
    try {
      expect(revocations.check(ann.accountId, ann.sessionId)).toBe('live');
      expect(revocations.check(999_999, 999_999)).toBe('live');
      await revokeSession(database.db, ann.accountId, ann.sessionId, 'logout');
      await database.db.updateTable('account').set({ dataFlag: 0 }).where('accountId', '=', ben.accountId).execute();
      await revocations.poll();
      expect(revocations.check(ann.accountId, ann.sessionId)).toBe('session_revoked');
      expect(revocations.check(ben.accountId, ben.sessionId)).toBe('account_disabled');
      await database.db.updateTable('account').set({ dataFlag: 1 }).where('accountId', '=', ben.accountId).execute();
      await revocations.poll();
      expect(revocations.check(ben.accountId, ben.sessionId)).toBe('live');
    } finally {
      revocations.stop();
    }
  });

  it('an instance starting late learns what was revoked within the access-token lifetime before it started', async () => {
    const [cid, dee] = [await player(), await player()];
    await revokeSession(database.db, cid.accountId, cid.sessionId, 'logout');
    await database.db.updateTable('account').set({ isDel: 1 }).where('accountId', '=', dee.accountId).execute();
    const revocations = cache();
    await revocations.start();
    revocations.stop();
    expect(revocations.check(cid.accountId, cid.sessionId)).toBe('session_revoked');
    expect(revocations.check(dee.accountId, dee.sessionId)).toBe('account_deleted');
  });

  it('forgets an entry once the access tokens it stops have expired', async () => {
    let now = Date.now();
    const revocations = cache({ accessTokenTtlSeconds: 60, now: () => now });
    await revocations.start();
    revocations.stop();
    revocations.sessionRevoked(424_242);
    revocations.accountBlocked(434_343, 'disabled');
    now += 59_000;
    await revocations.poll();
    expect(revocations.check(434_343, 777_001)).toBe('account_disabled');
    expect(revocations.check(777_002, 424_242)).toBe('session_revoked');
    now += 2_000;
    await revocations.poll();
    expect(revocations.check(434_343, 777_001)).toBe('live');
    expect(revocations.check(777_002, 424_242)).toBe('live');
  });

  it('over its bound, answers unknown (the caller reads the database) instead of growing or forgetting', async () => {
    const revocations = cache({ maxEntries: 2 });
    await revocations.start();
    revocations.stop();
    const before = revocations.stats();
    const room = 2 - before.revokedSessions - before.blockedAccounts;
    for (let i = 0; i < room + 1; i++) revocations.sessionRevoked(900_000 + i);
    expect(revocations.stats().revokedSessions + revocations.stats().blockedAccounts).toBe(2);
    expect(revocations.stats().degraded).toBe(true);
    expect(revocations.check(777_003, 777_003)).toBe('unknown');
  });

  it('answers unknown when the feed has not been read for longer than staleAfterMs, and when it cannot be read', async () => {
    let now = Date.now();
    const revocations = cache({ staleAfterMs: 4_000, now: () => now });
    await revocations.start();
    revocations.stop();
    expect(revocations.check(777_003, 777_003)).toBe('live');
    now += 4_001;
    expect(revocations.check(777_003, 777_003)).toBe('unknown');
    await revocations.poll();
    expect(revocations.check(777_003, 777_003)).toBe('live');

    const unreachable = createDatabase('mysql://root@127.0.0.1:1/nowhere');
    const warnings: string[] = [];
    const cut = createRevocationCache({
      db: unreachable,
      accessTokenTtlSeconds: 7200,
      maxEntries: 1_000,
      logger: { ...quiet, warn: (_details, message) => void warnings.push(message) },
    });
    try {
      await expect(cut.start()).rejects.toThrow();
      await cut.poll();
      await cut.poll();
      expect(cut.check(777_003, 777_003)).toBe('unknown');
      // One warning, not one per poll.
      expect(warnings).toEqual(['revocation feed unreadable: protected calls read the database until it is back']);
    } finally {
      cut.stop();
      await unreachable.destroy();
    }
  });

  it('the guard reads the session row when the cache cannot vouch', async () => {
    const [eve, fay] = [await player(), await player()];
    await revokeSession(database.db, fay.accountId, fay.sessionId, 'logout');
    const revocations = cache({ maxEntries: 1 });
    revocations.sessionRevoked(888_001);
    revocations.sessionRevoked(888_002);
    const guard = createSessionGuard({ cache: revocations, db: database.db });
    expect(revocations.check(eve.accountId, eve.sessionId)).toBe('unknown');
    expect(await guard.check(eve.accountId, eve.sessionId)).toBe('live');
    expect(await guard.check(fay.accountId, fay.sessionId)).toBe('session_revoked');
    // A token whose session was pruned, or that names another account's session.
    expect(await guard.check(eve.accountId, 987_654)).toBe('session_revoked');
    expect(await guard.check(fay.accountId, eve.sessionId)).toBe('session_revoked');
  });
});
