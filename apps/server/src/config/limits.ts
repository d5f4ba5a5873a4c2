import { isIP } from 'node:net';
import { z } from 'zod';
import { integer, rateLimit, section, setting, splitCommaList } from './settings.js';

function isAddressOrRange(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length > 0) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/** Fastify's trustProxy: false (the socket's address), true (any proxy), or the proxies' addresses/CIDRs. */
const trustProxy = z.string().transform((value, ctx): boolean | string[] => {
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  const proxies = splitCommaList(value);
  if (proxies.length > 0 && proxies.every(isAddressOrRange)) return proxies;
  ctx.addIssue({
    code: 'custom',
    input: value,
    message: 'must be true, false, or comma-separated proxy addresses or CIDR ranges (10.0.0.1, 10.0.0.0/8)',
  });
  return z.NEVER;
});

export const limits = section(
  'Requests and rate limits',
  'Who the client is behind a proxy, how big a request may be, and how often a client may call.',
  {
    TRUST_PROXY: setting(trustProxy, {
      unset: "the socket's address is the client IP",
      description: "`true` to trust any proxy's `X-Forwarded-For`, or the proxies' addresses/CIDRs, comma-separated",
    }),
    BODY_LIMIT: setting(integer(1024, 10 * 1024 * 1024), {
      default: String(100 * 1024),
      description: 'largest request body, bytes (413 `BODY_TOO_LARGE` beyond)',
    }),
    MAX_BATCH_SIZE: setting(integer(1, 1000), { default: '50', description: 'most calls in one batched request (400 `BATCH_TOO_LARGE` beyond)' }),
    RATE_LIMITS: setting(z.enum(['on', 'off']), {
      default: 'on',
      description: '`off` turns every rate limit off, for benchmarks and load tests only (logged as a warning)',
    }),
    // Generous for carrier-grade NAT: many players share one IP.
    RATE_LIMIT_LOGIN: setting(rateLimit(), {
      default: '120/60',
      description: '`auth.wechatLogin` per client IP: requests/seconds (generous: carrier-grade NAT puts many players behind one IP)',
    }),
    RATE_LIMIT_REFRESH: setting(rateLimit(), { default: '120/60', description: '`auth.refresh` per client IP' }),
    RATE_LIMIT_LOGOUT: setting(rateLimit(), { default: '120/60', description: '`auth.logout` per client IP' }),
    // A game fires bursts of 100 calls within a few seconds.
    RATE_LIMIT_CALLS: setting(rateLimit(), { default: '600/60', description: "protected calls per account (a game's burst of 100 calls passes)" }),
    // Friend-ranking writes reach WeChat with the player's signature: a score a second is plenty.
    RATE_LIMIT_RANKING: setting(rateLimit(), {
      default: '30/60',
      description: 'friend-ranking writes (`ranking.*`) per account, on top of `RATE_LIMIT_CALLS`',
    }),
    // A run ends every few seconds at most; a client retrying in a loop is refused.
    RATE_LIMIT_LEADERBOARD: setting(rateLimit(), {
      default: '30/10',
      description: 'leaderboard submissions (`leaderboards.submit`) per account, on top of `RATE_LIMIT_CALLS`',
    }),
    // Passwords are guessed slowly: per client IP and per operator name, each.
    RATE_LIMIT_CONSOLE_LOGIN: setting(rateLimit(), {
      default: '10/300',
      description: 'operator logins to the console, per client IP and per operator name (each counted)',
    }),
  },
);

export function limitsConfig(values: z.output<typeof limits.settings>) {
  return {
    /** Fastify's trustProxy: false (the socket's address), true (any proxy), or the proxies' addresses/CIDRs. */
    trustProxy: values.TRUST_PROXY ?? false,
    bodyLimitBytes: values.BODY_LIMIT,
    maxBatchSize: values.MAX_BATCH_SIZE,
    /** Null when RATE_LIMITS=off (load tests only). */
    rateLimits:
      values.RATE_LIMITS === 'off'
        ? null
        : {
            /** Per client IP on auth.wechatLogin. */
            login: values.RATE_LIMIT_LOGIN,
            /** Per client IP on auth.refresh. */
            refresh: values.RATE_LIMIT_REFRESH,
            /** Per client IP on auth.logout. */
            logout: values.RATE_LIMIT_LOGOUT,
            /** Per account on protected calls. */
            calls: values.RATE_LIMIT_CALLS,
            /** Per account on friend-ranking writes (ranking.submitScore, ranking.removeScores). */
            ranking: values.RATE_LIMIT_RANKING,
            /** Per account on leaderboards.submit. */
            leaderboard: values.RATE_LIMIT_LEADERBOARD,
            /** Per client IP and per operator name on the console's login. */
            consoleLogin: values.RATE_LIMIT_CONSOLE_LOGIN,
          },
  };
}
