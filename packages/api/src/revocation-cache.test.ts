import { createDatabase, revokeSession, signInWithIdentity, type Database, type Kysely } from '@minigate/db';
import { createMysqlPool } from '@minigate/db/mysql-pool';
import { createTestDatabase, type TestDatabase } from '@minigate/db/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createChangeFeed, type ChangeFeedOptions } from './change-feed.js';
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
async function player(db: Kysely<Database> = database.db): Promise<{ accountId: number; sessionId: number }> {
  const signedIn = await signInWithIdentity(db, {
    authType: 'test',
    identifier: `cache-player-${++players}`,
    credential: null,
    ip: '127.0.0.1',
    at: new Date(),
    session: { refreshTokenHash: 'a'.repeat(64), expiresAt: new Date(Date.now() + 3_600_000), userAgent: 'test' },
  });
  return { accountId: signedIn.accountId, sessionId: signedIn.sessionId! };
}

/** A revocation cache and the change feed that fills it (start, poll and stop are the feed's), on one clock. */
function fed(options: RevocationCacheOptions & Omit<ChangeFeedOptions, 'revocations'>) {
  const revocations = createRevocationCache(options);
  const feed = createChangeFeed({ ...options, revocations });
  return { ...revocations, start: feed.start, poll: feed.poll, stop: feed.stop };
}

function cache(options: Partial<RevocationCacheOptions & ChangeFeedOptions> = {}) {
  return fed({ db: database.db, accessTokenTtlSeconds: 7200, maxEntries: 1_000, logger: quiet, ...options });
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
    const cut = fed({
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

/** Connections of the test's own, beside the pool the cache reads through. */
function rawConnections(url: string) {
  const pool = createMysqlPool(url, { connectionLimit: 3 }).promise();
  return {
    /** Holds a write lock on account_session (the feed's query waits for it) until the returned function is called. */
    async lockSessions(): Promise<() => Promise<void>> {
      const connection = await pool.getConnection();
      await connection.query('LOCK TABLES account_session WRITE');
      return async () => {
        await connection.query('UNLOCK TABLES');
        connection.release();
      };
    },
    /** The connection id of the feed's query once it waits for the table lock. */
    async feedQueryWaitingForLock(): Promise<number> {
      for (let attempt = 0; attempt < 400; attempt++) {
        const [rows] = await pool.query(
          "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND STATE LIKE 'Waiting for table%' AND INFO LIKE '%revoked_at >%'",
        );
        const waiting = (rows as Array<{ id: number }>)[0];
        if (waiting) return Number(waiting.id);
        await new Promise((done) => setTimeout(done, 25));
      }
      throw new Error('the feed query never waited for the table lock');
    },
    kill: (connectionId: number) => pool.query('KILL ?', [connectionId]),
    close: () => pool.end(),
  };
}

describe('revocation cache over its bound (REVOCATION_CACHE_MAX), reloading', () => {
  let own: TestDatabase;
  let raw: ReturnType<typeof rawConnections>;
  beforeAll(async () => {
    own = await createTestDatabase();
    raw = rawConnections(own.url);
  });
  afterAll(async () => {
    await raw.close();
    await own.drop();
  });

  const MAX = 3;

  /**
   * A cache of MAX entries on a clock the test moves, filled to its bound by
   * revocations only it knows (as this instance's own logouts would), that
   * starts over its bound: the revocations in the database are dropped. The
   * player's was written half a minute ago: inside the access-token lifetime,
   * so a reload reads it, but outside the feed's overlap, so an ordinary read
   * of the feed never brings it back. Once the clock has moved past the TTL,
   * the entries only the cache knew are forgotten, and the next poll reloads
   * the window from the database.
   */
  async function overflowedCache() {
    const dropped = await player(own.db);
    await own.db
      .updateTable('accountSession')
      .set({ revokedAt: new Date(Date.now() - 30_000), revokedReason: 'logout' })
      .where('sessionId', '=', dropped.sessionId)
      .execute();
    let clock = 1_000_000;
    const revocations = fed({
      db: own.db,
      accessTokenTtlSeconds: 600,
      maxEntries: MAX,
      // Never stale in these tests: what they show is the bound alone.
      staleAfterMs: 3_600_000,
      logger: quiet,
      now: () => clock,
    });
    for (let fake = 0; fake < MAX; fake++) revocations.sessionRevoked(970_000 + fake);
    await revocations.start();
    revocations.stop();
    await revocations.poll();
    expect(revocations.check(dropped.accountId, dropped.sessionId)).toBe('unknown');
    // The entries only this cache knew are forgotten: the reload fits in the bound.
    clock += 601_000;
    return { dropped, revocations, advance: (ms: number) => (clock += ms) };
  }

  it('stays unknown for a dropped revocation while the reload waits on a table lock, and current once it has run', async () => {
    const { dropped, revocations } = await overflowedCache();
    const unlock = await raw.lockSessions();
    let reload: Promise<void>;
    try {
      reload = revocations.poll();
      await raw.feedQueryWaitingForLock();
      expect(revocations.check(dropped.accountId, dropped.sessionId)).toBe('unknown');
      expect(revocations.isCurrent()).toBe(false);
    } finally {
      await unlock();
    }
    await reload;
    expect(revocations.check(dropped.accountId, dropped.sessionId)).toBe('session_revoked');
    expect(revocations.isCurrent()).toBe(true);
  });

  it('stays unknown after a reload that failed (its connection broken), until a reload succeeds', async () => {
    const { dropped, revocations, advance } = await overflowedCache();
    const unlock = await raw.lockSessions();
    try {
      const reload = revocations.poll();
      const feedConnection = await raw.feedQueryWaitingForLock();
      await raw.kill(feedConnection);
      await reload;
    } finally {
      await unlock();
    }
    expect(revocations.check(dropped.accountId, dropped.sessionId)).toBe('unknown');
    // The feed is readable again, but what the failed reload should have brought back is still missing.
    await revocations.poll();
    expect(revocations.stats().degraded).toBe(true);
    expect(revocations.check(dropped.accountId, dropped.sessionId)).toBe('unknown');
    advance(30_000);
    await revocations.poll();
    expect(revocations.check(dropped.accountId, dropped.sessionId)).toBe('session_revoked');
    expect(revocations.isCurrent()).toBe(true);
  });
});

describe("the feed's freshness", () => {
  it('is counted from when the feed query started, not from when it answered', async () => {
    let clock = 5_000_000;
    const revocations = cache({ staleAfterMs: 4_000, now: () => clock });
    await revocations.start();
    revocations.stop();
    const raw = rawConnections(database.url);
    const unlock = await raw.lockSessions();
    let read: Promise<void>;
    try {
      read = revocations.poll();
      await raw.feedQueryWaitingForLock();
      // The query waits 3 s: what it answers is the database as it was when it started.
      clock += 3_000;
    } finally {
      await unlock();
      await raw.close();
    }
    await read;
    expect(revocations.check(777_004, 777_004)).toBe('live');
    clock += 1_500;
    expect(revocations.check(777_004, 777_004)).toBe('unknown');
  });

  it('is kept on a monotonic clock: the wall clock set back does not make a stale feed look fresh', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const revocations = cache({ staleAfterMs: 50 });
      await revocations.start();
      revocations.stop();
      vi.setSystemTime(Date.now() - 3_600_000);
      await new Promise((done) => setTimeout(done, 200));
      expect(revocations.check(777_005, 777_005)).toBe('unknown');
    } finally {
      vi.useRealTimers();
    }
  });
});
