import { performance } from 'node:perf_hooks';
import { readRevocationFeed, type Database, type Kysely } from '@minigate/db';
import type { ServiceLogger } from './services/service-logger.js';

export type RevocationVerdict =
  /** Nothing known against the session or account: serve the call. */
  | 'live'
  | 'session_revoked'
  | 'account_disabled'
  | 'account_deleted'
  /** The cache cannot vouch (feed stale, or over its bound): read the database. */
  | 'unknown';

export interface RevocationCacheOptions {
  db: Kysely<Database>;
  /** ACCESS_TOKEN_TTL: a revocation must be remembered until the tokens it stops have expired. */
  accessTokenTtlSeconds: number;
  /** How often the feed is read; default 1000 ms. */
  pollIntervalMs?: number;
  /** Most entries kept (revoked sessions + blocked accounts); beyond it, calls read the database. */
  maxEntries: number;
  /** A feed older than this cannot promise the revocation bound: calls read the database. Default 4000 ms. */
  staleAfterMs?: number;
  logger: ServiceLogger;
  /**
   * Told of every change to an account or its profile the feed reads (a row
   * may come again in the next reads, which overlap), or 'all' when the feed
   * was read afresh and changes in between cannot be listed.
   */
  onAccountChanges?: (changes: ReadonlyArray<{ accountId: number; at: Date }> | 'all') => void;
  /**
   * The clock ages are counted on, in ms: monotonic (default performance.now),
   * so a wall clock set back or forward neither makes a stale feed look
   * fresh nor a fresh one stale.
   */
  now?: () => number;
}

export interface RevocationCacheStats {
  revokedSessions: number;
  blockedAccounts: number;
  /** Epoch ms (estimated from the monotonic clock) at which the last successful read of the feed started, or null. */
  lastReadAt: number | null;
  /** True while calls fall back to the database (feed stale or over the bound). */
  degraded: boolean;
}

export interface RevocationCache {
  /** What is known against this session and account, without I/O. */
  check(accountId: number, sessionId: number): RevocationVerdict;
  /** This instance revoked a session: effective here at once, elsewhere through the feed. */
  sessionRevoked(sessionId: number): void;
  accountBlocked(accountId: number, state: 'disabled' | 'deleted'): void;
  /** Reads the last ACCESS_TOKEN_TTL of revocations, then polls the feed until stop(). */
  start(): Promise<void>;
  /**
   * Whether a read of the feed that started within staleAfterMs succeeded, and
   * the cache holds every revocation of the window (within its bound, or
   * reloaded whole since it was over it): what it says is current.
   */
  isCurrent(): boolean;
  /** One read of the feed (start() schedules them; tests call it to skip the wait). */
  poll(): Promise<void>;
  stop(): void;
  stats(): RevocationCacheStats;
}

/** Rows committed late (a transaction that took a while) are still read: each read reaches back this far. */
const FEED_OVERLAP_MS = 5_000;
/** How often an instance over its bound tries to reload within it. */
const RELOAD_INTERVAL_MS = 30_000;
const FAILURE_LOG_INTERVAL_MS = 30_000;

/**
 * Revocation without a database read per protected call.
 *
 * A negative cache: it holds only what stops a token (sessions revoked and
 * accounts disabled or deleted within the last ACCESS_TOKEN_TTL, since a
 * token older than that has expired anyway), so every other player's call
 * is answered from memory however many players there are; nothing has to
 * warm up per player. Every instance reads one indexed query a second from
 * the database (account_session.revoked_at, account.update_time, the latter
 * maintained by MySQL itself so a ban written by hand in SQL is seen too):
 * a revocation anywhere stops its tokens everywhere within about two poll
 * intervals. When the feed cannot be read for `staleAfterMs`, or the cache
 * would grow past `maxEntries`, calls read their session's row instead
 * (verdict 'unknown'), so the bound holds in every case. Entries dropped
 * over the bound are missing until a reload of the whole window has
 * succeeded and fit: until then the verdict stays 'unknown'.
 */
export function createRevocationCache(options: RevocationCacheOptions): RevocationCache {
  const now = options.now ?? (() => performance.now());
  const ttlMs = options.accessTokenTtlSeconds * 1000;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const staleAfterMs = options.staleAfterMs ?? 4_000;
  // Insertion order is forget order (each entry is forgotten ttl after it
  // was added), so expiry walks from the oldest and stops at the first live one.
  const revokedSessions = new Map<number, number>();
  const blockedAccounts = new Map<number, { state: 'disabled' | 'deleted'; forgetAt: number }>();
  let databaseCursor: Date | null = null;
  /** When (on `now`) the last successful read of the feed started. */
  let lastReadAt: number | null = null;
  /** An entry was dropped over the bound: what the cache holds is incomplete until a reload succeeds and fits. */
  let overflowed = false;
  /** Entries dropped so far: a reload during which one more was dropped did not make the cache whole. */
  let drops = 0;
  let lastReloadAt = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setInterval> | undefined;
  let polling: Promise<void> | null = null;
  let failingSince: number | null = null;
  let lastFailureLogAt = Number.NEGATIVE_INFINITY;

  const size = () => revokedSessions.size + blockedAccounts.size;

  function addSession(sessionId: number): void {
    if (revokedSessions.has(sessionId)) return;
    if (size() >= options.maxEntries) {
      overflowed = true;
      drops++;
      return;
    }
    revokedSessions.set(sessionId, now() + ttlMs);
  }

  function addAccount(accountId: number, state: 'disabled' | 'deleted'): void {
    const known = blockedAccounts.get(accountId);
    if (known?.state === state) return;
    blockedAccounts.delete(accountId);
    if (size() >= options.maxEntries) {
      overflowed = true;
      drops++;
      return;
    }
    blockedAccounts.set(accountId, { state, forgetAt: now() + ttlMs });
  }

  function forgetExpired(): void {
    const at = now();
    for (const [sessionId, forgetAt] of revokedSessions) {
      if (forgetAt > at) break;
      revokedSessions.delete(sessionId);
    }
    for (const [accountId, entry] of blockedAccounts) {
      if (entry.forgetAt > at) break;
      blockedAccounts.delete(accountId);
    }
  }

  async function read(from: Date | null): Promise<void> {
    // What the read answers is the database as it was when the query started:
    // the feed is as fresh as that, however long the answer took.
    const startedAt = now();
    // Profile rows only for someone listening: every login and heartbeat moves one.
    const page = await readRevocationFeed(options.db, from, options.accessTokenTtlSeconds, {
      profileChanges: options.onAccountChanges !== undefined,
    });
    for (const sessionId of page.revokedSessionIds) addSession(sessionId);
    for (const { accountId, state } of page.accounts) {
      if (state === 'active') blockedAccounts.delete(accountId);
      else addAccount(accountId, state);
    }
    databaseCursor = new Date(page.databaseNow.getTime() - FEED_OVERLAP_MS);
    lastReadAt = startedAt;
    options.onAccountChanges?.(from ? page.changes : 'all');
  }

  async function pollOnce(): Promise<void> {
    try {
      forgetExpired();
      if (overflowed && now() - lastReloadAt >= RELOAD_INTERVAL_MS && size() < options.maxEntries * 0.9) {
        // Entries were dropped while over the bound: read the whole window again.
        // The cache is whole again only once that read has succeeded with
        // nothing dropped meanwhile; until then (a reload held back by a lock,
        // or failing) calls keep reading the database.
        lastReloadAt = now();
        const dropsBefore = drops;
        await read(null);
        if (drops === dropsBefore) overflowed = false;
        else options.logger.warn({ maxEntries: options.maxEntries }, 'revocation cache still over its bound: protected calls read the database');
      } else {
        await read(databaseCursor);
      }
      if (failingSince !== null) {
        options.logger.warn({ downForMs: now() - failingSince }, 'revocation feed readable again');
        failingSince = null;
      }
    } catch (error) {
      failingSince ??= now();
      if (now() - lastFailureLogAt >= FAILURE_LOG_INTERVAL_MS) {
        lastFailureLogAt = now();
        options.logger.warn(
          { error: (error as Error).message, downForMs: now() - failingSince },
          'revocation feed unreadable: protected calls read the database until it is back',
        );
      }
    }
  }

  const degraded = () => overflowed || lastReadAt === null || now() - lastReadAt > staleAfterMs;

  return {
    check(accountId, sessionId) {
      const blocked = blockedAccounts.get(accountId);
      if (blocked) return blocked.state === 'deleted' ? 'account_deleted' : 'account_disabled';
      if (revokedSessions.has(sessionId)) return 'session_revoked';
      return degraded() ? 'unknown' : 'live';
    },
    isCurrent: () => !degraded(),
    sessionRevoked: addSession,
    accountBlocked: addAccount,
    async start() {
      await read(null);
      if (overflowed)
        options.logger.warn({ maxEntries: options.maxEntries }, 'revocation cache over its bound at start: protected calls read the database');
      timer = setInterval(() => {
        polling ??= pollOnce().finally(() => {
          polling = null;
        });
      }, pollIntervalMs);
      timer.unref();
    },
    poll() {
      polling ??= pollOnce().finally(() => {
        polling = null;
      });
      return polling;
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    stats() {
      return {
        revokedSessions: revokedSessions.size,
        blockedAccounts: blockedAccounts.size,
        lastReadAt: lastReadAt === null ? null : Date.now() - (now() - lastReadAt),
        degraded: degraded(),
      };
    },
  };
}
