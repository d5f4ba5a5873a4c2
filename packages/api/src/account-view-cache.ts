import type { AccountView } from './services/views.js';

/**
 * What `account.me` answers, held in memory per account so that a player's
 * repeated `account.me` costs no database read; for every player alike
 * (bounded by `maxEntries`, the oldest forgotten first), not one hot session.
 *
 * Never staler than the change feed (ChangeFeed, one read a second):
 *
 * - a change made through this instance (a profile update, a heartbeat, a
 *   login, a deletion) forgets the account's view at once;
 * - a change anywhere else (another instance, an operator's or a game's SQL:
 *   account and account_profile rows carry an update_time the database
 *   maintains) is forgotten when the feed first shows it, within about two
 *   poll intervals;
 * - while the feed is not current (unreadable for a few seconds), nothing is
 *   served from memory;
 * - a read that was under way when its account changed is not kept (it may
 *   hold the old row), so a view once forgotten comes back only from a read
 *   that started after.
 */
export interface AccountViewCache {
  /** The account's view, when one is held and the feed is current. */
  get(accountId: number): AccountView | undefined;
  /** A database read of the account begins: the ticket lets `keep` tell whether it may have missed a change. */
  reading(accountId: number): number;
  /**
   * Keeps the view a read brought, unless the account changed since that read began; `until` (epoch ms):
   * the view holds only until then (an unread message expires).
   */
  keep(accountId: number, ticket: number, view: AccountView, until?: number | null): void;
  /** The account changed through this instance. */
  changed(accountId: number): void;
  /** What the feed read: each change is acted on the first time it is seen (reads overlap). */
  feedChanges(changes: ReadonlyArray<{ accountId: number; at: Date }> | 'all'): void;
  stats(): AccountViewCacheStats;
}

export interface AccountViewCacheStats {
  entries: number;
  hits: number;
  misses: number;
}

export interface AccountViewCacheOptions {
  /** ACCOUNT_CACHE_MAX: views held at most (about half a kilobyte each); 0 holds none. */
  maxEntries: number;
  /** Whether the change feed is current (RevocationCache.isCurrent: fed within its staleness bound). */
  feedIsCurrent: () => boolean;
  now?: () => number;
}

/** How long a change the feed showed is remembered as seen: longer than the feed's overlap (5 s), with room for a slow read. */
const SEEN_FOR_MS = 15_000;

export function createAccountViewCache(options: AccountViewCacheOptions): AccountViewCache {
  const now = options.now ?? Date.now;
  const views = new Map<number, AccountView>();
  /** When a held view stops holding (an unread message of it expires), by account. */
  const validUntil = new Map<number, number>();
  /** The ticket of the read under way per account; a change deletes it, so that read is not kept. */
  const readsUnderWay = new Map<number, number>();
  /** Feed changes already acted on (`accountId:time` → when first seen), oldest first. */
  const seen = new Map<string, number>();
  let tickets = 0;
  let hits = 0;
  let misses = 0;

  const forget = (accountId: number) => {
    views.delete(accountId);
    validUntil.delete(accountId);
    readsUnderWay.delete(accountId);
  };

  return {
    get(accountId) {
      let view = options.maxEntries > 0 && options.feedIsCurrent() ? views.get(accountId) : undefined;
      const until = view ? validUntil.get(accountId) : undefined;
      if (until !== undefined && now() >= until) {
        forget(accountId);
        view = undefined;
      }
      if (view) hits++;
      else misses++;
      return view;
    },

    reading(accountId) {
      const ticket = ++tickets;
      if (options.maxEntries > 0) readsUnderWay.set(accountId, ticket);
      return ticket;
    },

    keep(accountId, ticket, view, until) {
      if (readsUnderWay.get(accountId) !== ticket) return;
      readsUnderWay.delete(accountId);
      if (!options.feedIsCurrent()) return;
      views.delete(accountId);
      validUntil.delete(accountId);
      if (views.size >= options.maxEntries) {
        const oldest = views.keys().next();
        if (!oldest.done) {
          views.delete(oldest.value);
          validUntil.delete(oldest.value);
        }
      }
      views.set(accountId, view);
      if (until !== undefined && until !== null) validUntil.set(accountId, until);
    },

    changed: forget,

    feedChanges(changes) {
      if (changes === 'all') {
        views.clear();
        validUntil.clear();
        readsUnderWay.clear();
        return;
      }
      const at = now();
      for (const [key, seenAt] of seen) {
        if (at - seenAt < SEEN_FOR_MS) break;
        seen.delete(key);
      }
      for (const change of changes) {
        const key = `${change.accountId}:${change.at.getTime()}`;
        if (seen.has(key)) continue;
        seen.set(key, at);
        forget(change.accountId);
      }
    },

    stats: () => ({ entries: views.size, hits, misses }),
  };
}
