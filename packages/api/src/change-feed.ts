import { performance } from 'node:perf_hooks';
import { readRevocationFeed, type Database, type Kysely } from '@minigate/db';
import type { RevocationCache } from './revocation-cache.js';
import type { ServiceLogger } from './services/service-logger.js';

/** One change to an account or its profile, as the feed reads it. */
export type AccountChanges = ReadonlyArray<{ accountId: number; at: Date }> | 'all';

export interface ChangeFeedOptions {
  db: Kysely<Database>;
  /** ACCESS_TOKEN_TTL: how far back the feed reads when it reads the whole window. */
  accessTokenTtlSeconds: number;
  /** How often the feed is read; default 1000 ms. */
  pollIntervalMs?: number;
  logger: ServiceLogger;
  /** Told of every revoked session and blocked account (and when to read the whole window again). */
  revocations: RevocationCache;
  /**
   * Told of every change to an account or its profile the feed reads (a row
   * may come again in the next reads, which overlap), or 'all' when the feed
   * was read afresh and changes in between cannot be listed.
   */
  onAccountChanges?: (changes: AccountChanges) => void;
  /** The revocation cache's clock (default performance.now): when each read started is counted on it. */
  now?: () => number;
}

export interface ChangeFeed {
  /** Reads the last ACCESS_TOKEN_TTL of changes, then polls the feed until stop(). */
  start(): Promise<void>;
  /** One read of the feed (start() schedules them; tests call it to skip the wait). */
  poll(): Promise<void>;
  stop(): void;
}

/** Rows committed late (a transaction that took a while) are still read: each read reaches back this far. */
const FEED_OVERLAP_MS = 5_000;
const FAILURE_LOG_INTERVAL_MS = 30_000;

/**
 * The poller of the database's change feed (account_session.revoked_at,
 * account.update_time, the latter maintained by MySQL itself so a ban
 * written by hand in SQL is seen too, and profile changes when someone
 * listens): one indexed query a second, whose pages go to the revocation
 * cache and, as account changes, to the account-view cache. A read that
 * fails is logged once every 30 s while it keeps failing; the caches, no
 * longer fed, fall back to the database by themselves.
 */
export function createChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const now = options.now ?? (() => performance.now());
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const { revocations } = options;
  let databaseCursor: Date | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  let polling: Promise<void> | null = null;
  let failingSince: number | null = null;
  let lastFailureLogAt = Number.NEGATIVE_INFINITY;
  /** Broadcast mail already acted on (reads overlap, so one comes several times). */
  const seenBroadcasts = new Set<number>();

  async function read(from: Date | null): Promise<void> {
    // What the read answers is the database as it was when the query started:
    // the feed is as fresh as that, however long the answer took.
    const startedAt = now();
    // Profile rows only for someone listening: every login and heartbeat moves one.
    const page = await readRevocationFeed(options.db, from, options.accessTokenTtlSeconds, {
      profileChanges: options.onAccountChanges !== undefined,
    });
    revocations.received(page, startedAt);
    databaseCursor = new Date(page.databaseNow.getTime() - FEED_OVERLAP_MS);
    // A new broadcast moves the unread count of every player of its game: views forget them all (broadcasts are rare).
    const newBroadcast = page.broadcasts.some((id) => !seenBroadcasts.has(id));
    if (seenBroadcasts.size > 10_000) seenBroadcasts.clear();
    for (const id of page.broadcasts) seenBroadcasts.add(id);
    options.onAccountChanges?.(from && !newBroadcast ? page.changes : 'all');
  }

  async function pollOnce(): Promise<void> {
    try {
      const plan = revocations.planRead();
      await read(plan.whole ? null : databaseCursor);
      plan.fed();
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

  const poll = (): Promise<void> =>
    (polling ??= pollOnce().finally(() => {
      polling = null;
    }));

  return {
    async start() {
      await read(null);
      revocations.loaded();
      timer = setInterval(() => void poll(), pollIntervalMs);
      timer.unref();
    },
    poll,
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
