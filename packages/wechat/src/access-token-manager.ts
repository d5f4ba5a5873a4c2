import { AccessTokenInvalidError } from './errors.js';
import type { GetStableToken } from './stable-token.js';

/**
 * One app's cached access token as the store keeps it, under the appid
 * (never under the secret, which must not become a cache key).
 */
export interface StoredAccessToken {
  /** The token itself: a credential (WeChat says to reserve 512 characters for it). */
  token: string;
  /** Epoch milliseconds at which WeChat stops accepting it (our clock at its answer + expires_in); 0 once invalidated. */
  expiresAt: number;
  /** Epoch milliseconds of the latest stable_token call with force_refresh: true for this appid, or null. Kept across invalidations. */
  forceRefreshedAt: number | null;
}

/**
 * Where AccessTokenManagers keep the token, shared by every server instance
 * of one deployment (a MySQL table by default, Redis when REDIS_URL is set;
 * MemoryAccessTokenStore below for tests and a single process). Each method
 * is keyed by the appid, so several mini-games can share one store.
 *
 * Implementing it:
 *
 * - `read(appid)`: the record, or null when there is none. Return it as
 *   stored, expired or invalidated ones included: the manager judges.
 * - `write(appid, record)`: insert or replace the whole record
 *   (MySQL: INSERT … ON DUPLICATE KEY UPDATE with each column given as a
 *   parameter; Redis: one HSET or SET of the JSON). Only called while the
 *   manager holds `withLock(appid)`.
 * - `compareAndInvalidate(appid, token)`: atomically, if the stored token
 *   is still `token`, set its expiresAt to 0 (keep the row and its
 *   forceRefreshedAt) and return true; otherwise change nothing and return
 *   false. It must never touch a newer token another instance has written
 *   meanwhile. (MySQL: `UPDATE … SET expires_at = 0 WHERE appid = ? AND
 *   token = ?`; Redis: a Lua script that compares the token field before it
 *   sets expires_at.) Called without the lock.
 * - `withLock(appid, work)`: run `work` while holding a lock for the appid
 *   that excludes every other instance (MySQL: GET_LOCK('…:<appid>', timeout)
 *   and RELEASE_LOCK on one connection held for the duration, the reads and
 *   writes inside may use others; Redis: SET lock-key random NX PX lease,
 *   released by a compare-and-delete script). Give up with an error after a
 *   bounded wait (10 s or so), and make a lease outlast the work: one or two
 *   stable_token calls, each bounded by the WeChat transport's timeout
 *   (30 s is a safe lease). Release it however `work` ends, and pass on
 *   `work`'s result or error.
 */
export interface AccessTokenStore {
  read(appid: string): Promise<StoredAccessToken | null>;
  write(appid: string, record: StoredAccessToken): Promise<void>;
  compareAndInvalidate(appid: string, token: string): Promise<boolean>;
  withLock<T>(appid: string, work: () => Promise<T>): Promise<T>;
}

/** An AccessTokenStore in this process's memory: for tests, and for a single server instance. */
export class MemoryAccessTokenStore implements AccessTokenStore {
  private readonly records = new Map<string, StoredAccessToken>();
  private readonly locks = new Map<string, Promise<void>>();

  read(appid: string): Promise<StoredAccessToken | null> {
    const record = this.records.get(appid);
    return Promise.resolve(record ? { ...record } : null);
  }

  write(appid: string, record: StoredAccessToken): Promise<void> {
    this.records.set(appid, { ...record });
    return Promise.resolve();
  }

  compareAndInvalidate(appid: string, token: string): Promise<boolean> {
    const record = this.records.get(appid);
    if (!record || record.token !== token) return Promise.resolve(false);
    record.expiresAt = 0;
    return Promise.resolve(true);
  }

  async withLock<T>(appid: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(appid) ?? Promise.resolve();
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const queue = previous.then(() => held);
    this.locks.set(appid, queue);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.locks.get(appid) === queue) this.locks.delete(appid);
    }
  }
}

export interface AccessTokenManagerOptions {
  appid: string;
  /** createGetStableToken(...) for this appid. */
  getStableToken: GetStableToken;
  store: AccessTokenStore;
  /**
   * Refresh once fewer than this many seconds are left; default 240. WeChat
   * hands out the next token only in the last 300 s of the current one, so a
   * margin above 300 just gets the same token back (the manager then waits
   * 30 s before asking again).
   */
  refreshMarginSeconds?: number;
  /**
   * At most one stable_token call with force_refresh: true per this many
   * seconds for the appid, counted across instances through the store;
   * default 7200 (WeChat allows 20 a day, 30 s apart).
   */
  minForceRefreshIntervalSeconds?: number;
  /** The clock; default Date.now. */
  now?: () => number;
}

const DEFAULT_REFRESH_MARGIN_SECONDS = 240;
const DEFAULT_MIN_FORCE_REFRESH_INTERVAL_SECONDS = 7200;
/** A token is not handed out for a call in its last seconds, whatever the margin. */
const MIN_REMAINING_MS = 10_000;
/** After WeChat answered a refresh ahead of expiry with the same token, wait this long before asking again. */
const UNCHANGED_RETRY_MS = 30_000;

/**
 * The app's access token for every call that needs one:
 *
 * - cached in this process and in the shared store, namespaced by appid;
 * - refreshed ahead of expiry, single-flight: one refresh at a time in this
 *   process, and one across instances through the store's lock, inside
 *   which the store is read again so that the instances that waited use the
 *   token the first one got instead of calling WeChat again;
 * - a refresh ahead of expiry that fails leaves the still-valid token in use;
 * - withAccessToken(call): when WeChat answers 40001/42001/40014, the token
 *   that failed is invalidated only if it is still the cached one, a new one
 *   is fetched, and the call is retried once;
 * - force_refresh only when a normal stable_token call hands back the very
 *   token that just failed, at most once per invalidation and once per
 *   minForceRefreshIntervalSeconds across instances: never in a loop.
 */
export class AccessTokenManager {
  readonly appid: string;
  private readonly getStableToken: GetStableToken;
  private readonly store: AccessTokenStore;
  private readonly marginMs: number;
  private readonly minForceIntervalMs: number;
  private readonly now: () => number;
  private memo: StoredAccessToken | null = null;
  /** In-flight refreshes: null for one ahead of expiry, else keyed by the token that failed. */
  private readonly inflight = new Map<string | null, Promise<string>>();
  private unchanged: { token: string; until: number } | null = null;

  constructor(options: AccessTokenManagerOptions) {
    this.appid = options.appid;
    this.getStableToken = options.getStableToken;
    this.store = options.store;
    this.marginMs = (options.refreshMarginSeconds ?? DEFAULT_REFRESH_MARGIN_SECONDS) * 1000;
    this.minForceIntervalMs = (options.minForceRefreshIntervalSeconds ?? DEFAULT_MIN_FORCE_REFRESH_INTERVAL_SECONDS) * 1000;
    this.now = options.now ?? Date.now;
  }

  /** Whether a call may still use the token at all. */
  private valid(record: StoredAccessToken): boolean {
    return record.expiresAt - this.now() > MIN_REMAINING_MS;
  }

  /** Whether the token needs no refresh yet. */
  private fresh(record: StoredAccessToken): boolean {
    if (!this.valid(record)) return false;
    if (record.expiresAt - this.now() > this.marginMs) return true;
    return this.unchanged?.token === record.token && this.now() < this.unchanged.until;
  }

  /** The current access token: from memory, else from the store, else from WeChat. */
  async getAccessToken(): Promise<string> {
    if (this.memo && this.fresh(this.memo)) return this.memo.token;
    const stored = await this.store.read(this.appid);
    if (stored && this.fresh(stored)) {
      this.memo = stored;
      return stored.token;
    }
    try {
      return await this.refresh(null);
    } catch (error) {
      // Ahead of expiry, WeChat being down must not fail calls a valid token can still serve.
      if (stored && this.valid(stored)) return stored.token;
      throw error;
    }
  }

  /**
   * Runs `call` with the access token. If it fails with
   * AccessTokenInvalidError, the token is replaced (see the class comment)
   * and `call` runs once more; a second failure goes to the caller.
   */
  async withAccessToken<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.getAccessToken();
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof AccessTokenInvalidError)) throw error;
      return call(await this.replace(token));
    }
  }

  /** Invalidates `token` in this process and in the store, if it is still the cached one there. Returns whether the store's was. */
  async invalidate(token: string): Promise<boolean> {
    if (this.memo?.token === token) this.memo = null;
    return this.store.compareAndInvalidate(this.appid, token);
  }

  /** A token other than `failed`: another instance's newer one if there is one, else a refresh. */
  private async replace(failed: string): Promise<string> {
    await this.invalidate(failed);
    const stored = await this.store.read(this.appid);
    if (stored && this.fresh(stored) && stored.token !== failed) {
      this.memo = stored;
      return stored.token;
    }
    return this.refresh(failed);
  }

  private refresh(failed: string | null): Promise<string> {
    const running = this.inflight.get(failed);
    if (running) return running;
    const work = this.store.withLock(this.appid, () => this.refreshLocked(failed)).finally(() => this.inflight.delete(failed));
    this.inflight.set(failed, work);
    return work;
  }

  private async refreshLocked(failed: string | null): Promise<string> {
    const stored = await this.store.read(this.appid);
    // Another instance (or an earlier refresh here) got a token while this one waited for the lock.
    if (stored && this.fresh(stored) && stored.token !== failed) {
      this.memo = stored;
      return stored.token;
    }
    let forceRefreshedAt = stored?.forceRefreshedAt ?? null;
    let answer = await this.getStableToken({ forceRefresh: false });
    const mayForce = forceRefreshedAt === null || this.now() - forceRefreshedAt >= this.minForceIntervalMs;
    if (failed !== null && answer.accessToken === failed && mayForce) {
      // WeChat hands back the token it just refused: force a new one, once. The attempt is
      // recorded first, so that a failing force refresh still counts against the interval.
      forceRefreshedAt = this.now();
      await this.store.write(this.appid, { token: failed, expiresAt: 0, forceRefreshedAt });
      answer = await this.getStableToken({ forceRefresh: true });
    }
    const record: StoredAccessToken = { token: answer.accessToken, expiresAt: this.now() + answer.expiresInSeconds * 1000, forceRefreshedAt };
    await this.store.write(this.appid, record);
    this.memo = record;
    if (failed === null && stored?.token === record.token) this.unchanged = { token: record.token, until: this.now() + UNCHANGED_RETRY_MS };
    return record.token;
  }
}
