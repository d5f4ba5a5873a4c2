/** The limits procedures apply; their sizes and stores are the server's configuration. */
/**
 * `login`, `refresh`, `logout`: the public auth procedures, per client IP.
 * `calls`: every protected call, per account. `ranking`: friend-ranking
 * writes (ranking.*) per account, on top of `calls`.
 */
export type RateLimitName = 'login' | 'refresh' | 'logout' | 'calls' | 'ranking' | 'leaderboard' | 'consoleLogin';

export interface RateLimits {
  /**
   * Counts one request against limit `name` for `key` (an IP, an account
   * id). Resolves null when it is allowed, else the seconds until it will be.
   */
  consume(name: RateLimitName, key: string): Promise<number | null>;
}

/** RATE_LIMITS=off: for benchmarks and load tests only. */
export const unlimited: RateLimits = { consume: async () => null };
