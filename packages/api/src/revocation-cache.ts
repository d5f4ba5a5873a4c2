import { performance } from 'node:perf_hooks';
import type { RevocationFeedPage } from '@minigate/db';
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
  /** ACCESS_TOKEN_TTL: a revocation must be remembered until the tokens it stops have expired. */
  accessTokenTtlSeconds: number;
  /** Most entries kept (revoked sessions + blocked accounts); beyond it, calls read the database. */
  maxEntries: number;
  /** A feed older than this cannot promise the revocation bound: calls read the database. Default 4000 ms. */
  staleAfterMs?: number;
  logger: ServiceLogger;
  /**
   * The clock ages are counted on, in ms: monotonic (default performance.now),
   * so a wall clock set back or forward neither makes a stale feed look
   * fresh nor a fresh one stale. The change feed that fills the cache counts on the same clock.
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
  /**
   * Before each read of the change feed: forgets what has expired, and says
   * whether the read must cover the whole window (a reload, once entries were
   * dropped over the bound); `fed()` is called once that read has been received.
   */
  planRead(): { whole: boolean; fed(): void };
  /** A page of the change feed, read by a query that started at `startedAt` (on the cache's clock). */
  received(page: RevocationFeedPage, startedAt: number): void;
  /** The first read of the whole window is in (start of the change feed). */
  loaded(): void;
  /**
   * Whether a read of the feed that started within staleAfterMs succeeded, and
   * the cache holds every revocation of the window (within its bound, or
   * reloaded whole since it was over it): what it says is current.
   */
  isCurrent(): boolean;
  stats(): RevocationCacheStats;
}

/** How often an instance over its bound tries to reload within it. */
const RELOAD_INTERVAL_MS = 30_000;

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
 * succeeded and fit: until then the verdict stays 'unknown'. The change
 * feed (change-feed.ts) reads the database and hands the cache its pages.
 */
export function createRevocationCache(options: RevocationCacheOptions): RevocationCache {
  const now = options.now ?? (() => performance.now());
  const ttlMs = options.accessTokenTtlSeconds * 1000;
  const staleAfterMs = options.staleAfterMs ?? 4_000;
  // Insertion order is forget order (each entry is forgotten ttl after it
  // was added), so expiry walks from the oldest and stops at the first live one.
  const revokedSessions = new Map<number, number>();
  const blockedAccounts = new Map<number, { state: 'disabled' | 'deleted'; forgetAt: number }>();
  /** When (on `now`) the last read of the feed received started. */
  let lastReadAt: number | null = null;
  /** An entry was dropped over the bound: what the cache holds is incomplete until a reload succeeds and fits. */
  let overflowed = false;
  /** Entries dropped so far: a reload during which one more was dropped did not make the cache whole. */
  let drops = 0;
  let lastReloadAt = Number.NEGATIVE_INFINITY;

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
    planRead() {
      forgetExpired();
      if (!(overflowed && now() - lastReloadAt >= RELOAD_INTERVAL_MS && size() < options.maxEntries * 0.9)) {
        return { whole: false, fed: () => undefined };
      }
      // Entries were dropped while over the bound: read the whole window again.
      // The cache is whole again only once that read has succeeded with
      // nothing dropped meanwhile; until then (a reload held back by a lock,
      // or failing) calls keep reading the database.
      lastReloadAt = now();
      const dropsBefore = drops;
      return {
        whole: true,
        fed() {
          if (drops === dropsBefore) overflowed = false;
          else options.logger.warn({ maxEntries: options.maxEntries }, 'revocation cache still over its bound: protected calls read the database');
        },
      };
    },
    received(page, startedAt) {
      for (const sessionId of page.revokedSessionIds) addSession(sessionId);
      for (const { accountId, state } of page.accounts) {
        if (state === 'active') blockedAccounts.delete(accountId);
        else addAccount(accountId, state);
      }
      lastReadAt = startedAt;
    },
    loaded() {
      if (overflowed)
        options.logger.warn({ maxEntries: options.maxEntries }, 'revocation cache over its bound at start: protected calls read the database');
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
