import { z } from 'zod';
import { commaList, DAY, integer, section, setting } from './settings.js';

const jwtSecret = z.string().refine((value) => Buffer.byteLength(value, 'utf8') >= 32, 'must be at least 32 bytes (openssl rand -base64 48)');

const base64Key = z.string().superRefine((value, ctx) => {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== 32 || bytes.toString('base64') !== value.replace(/\s/g, '')) {
    ctx.addIssue({ code: 'custom', message: 'must be 32 random bytes in base64 (openssl rand -base64 32)' });
  }
});

const toKey = (value: string) => Buffer.from(value, 'base64');

export const sessions = section(
  'Sessions',
  'Access tokens (JWT), the refresh tokens of sessions, how revocations reach every instance, and the key of the session keys kept at rest.',
  {
    JWT_SECRET: setting(jwtSecret, {
      dev: 'generated',
      production: 'required',
      secret: true,
      description: 'HS256 key for access tokens, at least 32 bytes (`openssl rand -base64 48`)',
    }),
    JWT_SECRETS_PREVIOUS: setting(commaList(jwtSecret), {
      default: '',
      secret: true,
      description:
        'comma-separated older `JWT_SECRET`s, accepted for verification only (each token names its key by `kid`); keep one listed for `ACCESS_TOKEN_TTL` after a rotation, then drop it',
    }),
    ACCESS_TOKEN_TTL: setting(integer(60, 30 * DAY), { default: String(2 * 3600), unit: 'seconds', description: 'access token lifetime, seconds' }),
    REFRESH_TOKEN_TTL: setting(integer(3600, 365 * DAY), {
      default: String(30 * DAY),
      unit: 'seconds',
      description: 'a session unused this long ends; each refresh extends it',
    }),
    REFRESH_REUSE_GRACE: setting(integer(0, 300), {
      default: '10',
      unit: 'seconds',
      description:
        'seconds during which a spent refresh token is served again (a retry whose answer was lost) before it counts as reuse and ends the session',
    }),
    SESSION_RETENTION: setting(integer(0, 365 * DAY), {
      default: String(7 * DAY),
      unit: 'seconds',
      description:
        'how long an ended (expired or revoked) session is kept for `account.export` and operators before pruning; at least `ACCESS_TOKEN_TTL` (a shorter one is refused at start: a revocation pruned before its tokens expire would let them in again after a restart)',
    }),
    // An absolute lifetime: a stolen session cannot be kept alive forever by refreshing it.
    SESSION_MAX_AGE: setting(integer(1, 10 * 365 * DAY), {
      default: String(90 * DAY),
      unit: 'seconds',
      description: "a session's absolute lifetime from its sign-in: refreshing never keeps it open longer (any value of at least 1 s)",
    }),
    SESSION_PRUNE_INTERVAL: setting(integer(10, DAY), {
      default: '3600',
      unit: 'seconds',
      description: 'seconds between prunings of ended sessions',
    }),
    // The revocation bound is 5 s: two polls must fit in it.
    REVOCATION_POLL_MS: setting(integer(100, 2_000), {
      default: '1000',
      description: 'how often each instance reads the revocation feed, milliseconds (100–2000)',
    }),
    REVOCATION_CACHE_MAX: setting(integer(1_000, 100_000_000), {
      default: '2000000',
      description:
        'most revocations an instance keeps in memory (~45 bytes each: 90 MB at the bound); beyond it, protected calls read their session row',
    }),
    ENCRYPTION_KEY: setting(base64Key.transform(toKey), {
      dev: 'generated',
      production: 'required',
      secret: true,
      description: '32 random bytes, base64 (`openssl rand -base64 32`): encrypts session keys at rest (AES-256-GCM)',
    }),
    ENCRYPTION_KEYS_PREVIOUS: setting(
      commaList(base64Key).transform((keys) => keys.map(toKey)),
      {
        default: '',
        secret: true,
        description: 'comma-separated older keys, still used to decrypt rows written before a rotation',
      },
    ),
  },
);

type Values = z.output<typeof sessions.settings>;

/** Problems of several variables together, once each is valid on its own. */
export function sessionsConflicts(values: Values): string[] {
  if (values.SESSION_RETENTION >= values.ACCESS_TOKEN_TTL) return [];
  return [
    `SESSION_RETENTION (${values.SESSION_RETENTION} s) must be at least ACCESS_TOKEN_TTL (${values.ACCESS_TOKEN_TTL} s): a revocation pruned before the access tokens it stops have expired would let them in again after a restart`,
  ];
}

/** `appid`: tokens of one mini-game are not accepted by another sharing the server code. */
export function sessionsConfig(values: Values, appid: string) {
  return {
    jwt: {
      secret: values.JWT_SECRET,
      /** Older secrets, accepted for verification only, until the tokens they signed have expired. */
      previousSecrets: values.JWT_SECRETS_PREVIOUS,
      issuer: 'minigate',
      /** Tokens of one mini-game are not accepted by another sharing the server code. */
      audience: `minigate:${appid}`,
      accessTokenTtlSeconds: values.ACCESS_TOKEN_TTL,
    },
    sessions: {
      refreshTokenTtlSeconds: values.REFRESH_TOKEN_TTL,
      refreshReuseGraceSeconds: values.REFRESH_REUSE_GRACE,
      retentionSeconds: values.SESSION_RETENTION,
      pruneIntervalSeconds: values.SESSION_PRUNE_INTERVAL,
      /** SESSION_MAX_AGE: a session ends this long after sign-in, however often it is refreshed. */
      maxAgeSeconds: values.SESSION_MAX_AGE,
    },
    revocation: { pollIntervalMs: values.REVOCATION_POLL_MS, maxEntries: values.REVOCATION_CACHE_MAX },
    encryption: { key: values.ENCRYPTION_KEY, previousKeys: values.ENCRYPTION_KEYS_PREVIOUS },
  };
}
