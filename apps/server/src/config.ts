import { resolve } from 'node:path';
import { databaseUrlSchema, DEV_DATABASE_URL } from '@minigate/db';
import { WECHAT_API_BASE, WECHAT_BACKUP_API_BASES } from '@minigate/wechat';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { loadDevSecrets } from './dev-secrets.js';

/** Every setting of the server, read once from the environment at start. */
export interface Config {
  production: boolean;
  host: string;
  port: number;
  databaseUrl: string;
  wechat: {
    appid: string;
    secret: string;
    apiBase: string;
    timeoutMs: number;
    /** WECHAT_API_BACKUP_BASES: tried in order when a connection to apiBase cannot be made. */
    backupBases: string[];
    /** The circuit breaker: consecutive unreachable calls before it opens, and for how long. */
    circuit: { failureThreshold: number; openSeconds: number };
    /** WECHAT_USER_INFO_MAX_AGE: how old a user info watermark may be. */
    userInfoMaxAgeSeconds: number;
    /** WECHAT_SESSION_KEY_CHECK_AGE: a session key older than this is confirmed (checksession) before a signed write. */
    sessionKeyCheckAgeSeconds: number;
    /** CONTENT_RECHECK_INTERVAL: how often nicknames stored while WeChat could not judge them are checked again. */
    contentRecheckIntervalSeconds: number;
  };
  jwt: {
    secret: string;
    /** Older secrets, accepted for verification only, until the tokens they signed have expired. */
    previousSecrets: string[];
    issuer: string;
    /** Tokens of one mini-game are not accepted by another sharing the server code. */
    audience: string;
    accessTokenTtlSeconds: number;
  };
  sessions: {
    refreshTokenTtlSeconds: number;
    refreshReuseGraceSeconds: number;
    retentionSeconds: number;
    pruneIntervalSeconds: number;
    /** SESSION_MAX_AGE: a session ends this long after sign-in, however often it is refreshed. */
    maxAgeSeconds: number;
  };
  revocation: {
    pollIntervalMs: number;
    maxEntries: number;
  };
  /** ACCOUNT_CACHE_MAX: account.me views held in memory (see AccountViewCache); 0 holds none. */
  accountCacheMax: number;
  heartbeatTimeoutSeconds: number;
  /** Null when RATE_LIMITS=off (load tests only). */
  rateLimits: RateLimitSettings | null;
  /** REDIS_URL: rate limits shared in Redis instead of MySQL (login, refresh) and memory (calls). */
  redisUrl: string | null;
  /** REDIS_CLUSTER_NODES: the seeds of a Redis Cluster, used instead of REDIS_URL; null without one. */
  redisClusterNodes: Array<{ host: string; port: number }> | null;
  /** Every Redis key starts with it: several mini-games (or environments) can share one Redis. */
  redisKeyPrefix: string;
  /** MIGRATE_ON_START: apply pending migrations at start instead of refusing to run. */
  migrateOnStart: boolean;
  encryption: {
    key: Buffer;
    previousKeys: Buffer[];
  };
  /** Fastify's trustProxy: false (the socket's address), true (any proxy), or the proxies' addresses/CIDRs. */
  trustProxy: boolean | string[];
  bodyLimitBytes: number;
  maxBatchSize: number;
  logLevel: string;
  /** METRICS_PORT: /metrics on a listener of its own; null serves it on PORT outside production, and nowhere in production. */
  metricsPort: number | null;
  /** METRICS_HOST: the address METRICS_PORT binds; loopback unless set, so /metrics never reaches players by accident. */
  metricsHost: string;
  /** WORKERS: server processes sharing the port (node:cluster); 1 runs no cluster. */
  workers: number;
}

/** A limit: this many requests per this many seconds. */
export interface RateLimit {
  points: number;
  durationSeconds: number;
}

export interface RateLimitSettings {
  /** Per client IP on auth.wechatLogin. */
  login: RateLimit;
  /** Per client IP on auth.refresh. */
  refresh: RateLimit;
  /** Per client IP on auth.logout. */
  logout: RateLimit;
  /** Per account on protected calls. */
  calls: RateLimit;
  /** Per account on friend-ranking writes (ranking.submitScore, ranking.removeScores). */
  ranking: RateLimit;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Bad configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

const base64Key = z.string().superRefine((value, ctx) => {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== 32 || bytes.toString('base64') !== value.replace(/\s/g, '')) {
    ctx.addIssue({ code: 'custom', message: 'must be 32 random bytes in base64 (openssl rand -base64 32)' });
  }
});

function isAddressOrRange(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length > 0) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const jwtSecret = z.string().refine((value) => Buffer.byteLength(value, 'utf8') >= 32, 'must be at least 32 bytes (openssl rand -base64 48)');

const DAY = 24 * 3600;

/** WORKERS' bound, `auto` included: each worker keeps its own database pool. */
const MAX_WORKERS = 64;

/** `<points>/<seconds>`, e.g. `120/60`: 120 requests a minute. */
const rateLimit = z
  .string()
  .regex(/^\d{1,7}\/\d{1,6}$/, 'must be <requests>/<seconds>, e.g. 120/60')
  .transform((value): RateLimit => {
    const [points, durationSeconds] = value.split('/').map(Number) as [number, number];
    return { points, durationSeconds };
  })
  .refine((limit) => limit.points >= 1 && limit.durationSeconds >= 1, 'needs at least 1 request and 1 second');

const schema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
  HOST: z.string().min(1).optional(),
  PORT: integer(0, 65535).default(3000),
  DATABASE_URL: databaseUrlSchema,
  WECHAT_APPID: z.string().regex(/^wx[0-9a-zA-Z]{6,32}$/, 'must be a mini-game appid (wx followed by letters and digits)'),
  WECHAT_SECRET: z.string().min(8, 'must be the mini-game AppSecret'),
  WECHAT_API_BASE: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://api.weixin.qq.com'),
  WECHAT_TIMEOUT_MS: integer(100, 60_000).default(5_000),
  // WeChat's documented backup domains (接口域名说明) when WECHAT_API_BASE is WeChat's own; `none` for none.
  WECHAT_API_BACKUP_BASES: z
    .string()
    .optional()
    .transform((value) =>
      value === undefined
        ? undefined
        : value.trim() === 'none'
          ? []
          : value
              .split(',')
              .map((base) => base.trim())
              .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/, error: 'must be comma-separated http(s) URLs, or none' })).optional()),
  WECHAT_CIRCUIT_FAILURES: integer(1, 1000).default(5),
  WECHAT_CIRCUIT_OPEN_SECONDS: integer(1, 600).default(10),
  WECHAT_USER_INFO_MAX_AGE: integer(30, 24 * 3600).default(300),
  WECHAT_SESSION_KEY_CHECK_AGE: integer(60, 30 * 24 * 3600).default(24 * 3600),
  CONTENT_RECHECK_INTERVAL: integer(5, 24 * 3600).default(60),
  JWT_SECRET: jwtSecret,
  JWT_SECRETS_PREVIOUS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((secret) => secret.trim())
        .filter(Boolean),
    )
    .pipe(z.array(jwtSecret)),
  ACCESS_TOKEN_TTL: integer(60, 30 * DAY).default(2 * 3600),
  REFRESH_TOKEN_TTL: integer(3600, 365 * DAY).default(30 * DAY),
  REFRESH_REUSE_GRACE: integer(0, 300).default(10),
  SESSION_RETENTION: integer(0, 365 * DAY).default(7 * DAY),
  SESSION_PRUNE_INTERVAL: integer(10, DAY).default(3600),
  // An absolute lifetime: a stolen session cannot be kept alive forever by refreshing it.
  SESSION_MAX_AGE: integer(1, 10 * 365 * DAY).default(90 * DAY),
  // The revocation bound is 5 s: two polls must fit in it.
  REVOCATION_POLL_MS: integer(100, 2_000).default(1_000),
  REVOCATION_CACHE_MAX: integer(1_000, 100_000_000).default(2_000_000),
  // About half a kilobyte a view: 100,000 players' account.me in ~50 MB. 0: every account.me reads the database.
  ACCOUNT_CACHE_MAX: integer(0, 10_000_000).default(100_000),
  HEARTBEAT_TIMEOUT: integer(10, 3600).default(120),
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  // Generous for carrier-grade NAT: many players share one IP.
  RATE_LIMIT_LOGIN: rateLimit.default(rateLimit.parse('120/60')),
  RATE_LIMIT_REFRESH: rateLimit.default(rateLimit.parse('120/60')),
  RATE_LIMIT_LOGOUT: rateLimit.default(rateLimit.parse('120/60')),
  // A game fires bursts of 100 calls within a few seconds.
  RATE_LIMIT_CALLS: rateLimit.default(rateLimit.parse('600/60')),
  // Friend-ranking writes reach WeChat with the player's signature: a score a second is plenty.
  RATE_LIMIT_RANKING: rateLimit.default(rateLimit.parse('30/60')),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  // host:port,host:port,...: a plain redis:// URL gives ioredis a single-node client, so a cluster names its seeds.
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .transform((value) =>
      value === undefined
        ? undefined
        : value
            .split(',')
            .map((node) => node.trim())
            .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().regex(/^[^\s:/,]+:\d{1,5}$/, 'must be comma-separated host:port pairs, e.g. 10.0.0.1:7000,10.0.0.2:7000'))
        .min(1, 'must name at least one host:port')
        .optional(),
    ),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,64}$/, 'must be 1-64 letters, digits, _ : . or -')
    .optional(),
  MIGRATE_ON_START: z.enum(['true', 'false']).default('false'),
  ENCRYPTION_KEY: base64Key,
  ENCRYPTION_KEYS_PREVIOUS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((key) => key.trim())
        .filter(Boolean),
    )
    .pipe(z.array(base64Key)),
  TRUST_PROXY: z
    .string()
    .optional()
    .refine(
      (value) => value === undefined || ['', 'true', 'false'].includes(value) || value.split(',').every((entry) => isAddressOrRange(entry.trim())),
      'must be true, false, or comma-separated proxy addresses or CIDR ranges (10.0.0.1, 10.0.0.0/8)',
    ),
  BODY_LIMIT: integer(1024, 10 * 1024 * 1024).default(100 * 1024),
  MAX_BATCH_SIZE: integer(1, 1000).default(50),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  METRICS_PORT: integer(0, 65535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  // Each worker is a full instance with its own database pool.
  WORKERS: z
    .string()
    .default('1')
    .refine(
      (value) => value === 'auto' || (/^\d{1,2}$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_WORKERS),
      `must be auto (one per core) or a number from 1 to ${MAX_WORKERS}`,
    ),
});

function trustProxyOf(value: string | undefined): Config['trustProxy'] {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  return value
    .split(',')
    .map((address) => address.trim())
    .filter(Boolean);
}

/**
 * Reads and checks the configuration. Throws one ConfigError naming every
 * bad or missing variable, never echoing a secret's value.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        return `${name}: ${env[name] === undefined ? 'is required' : issue.message}`;
      }),
    );
  }
  const values = parsed.data;
  const production = values.NODE_ENV === 'production';
  const conflicts: string[] = [];
  if (values.SESSION_RETENTION < values.ACCESS_TOKEN_TTL) {
    conflicts.push(
      `SESSION_RETENTION (${values.SESSION_RETENTION} s) must be at least ACCESS_TOKEN_TTL (${values.ACCESS_TOKEN_TTL} s): a revocation pruned before the access tokens it stops have expired would let them in again after a restart`,
    );
  }
  if (values.REDIS_URL !== undefined && values.REDIS_CLUSTER_NODES !== undefined) {
    conflicts.push('REDIS_URL and REDIS_CLUSTER_NODES: set one of them (a single Redis, or the seeds of a Redis Cluster), not both');
  }
  if (conflicts.length > 0) throw new ConfigError(conflicts);
  return {
    production,
    host: values.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    port: values.PORT,
    databaseUrl: values.DATABASE_URL,
    wechat: {
      appid: values.WECHAT_APPID,
      secret: values.WECHAT_SECRET,
      apiBase: values.WECHAT_API_BASE,
      timeoutMs: values.WECHAT_TIMEOUT_MS,
      backupBases:
        values.WECHAT_API_BACKUP_BASES ?? (values.WECHAT_API_BASE.replace(/\/+$/, '') === WECHAT_API_BASE ? [...WECHAT_BACKUP_API_BASES] : []),
      circuit: { failureThreshold: values.WECHAT_CIRCUIT_FAILURES, openSeconds: values.WECHAT_CIRCUIT_OPEN_SECONDS },
      userInfoMaxAgeSeconds: values.WECHAT_USER_INFO_MAX_AGE,
      sessionKeyCheckAgeSeconds: values.WECHAT_SESSION_KEY_CHECK_AGE,
      contentRecheckIntervalSeconds: values.CONTENT_RECHECK_INTERVAL,
    },
    jwt: {
      secret: values.JWT_SECRET,
      previousSecrets: values.JWT_SECRETS_PREVIOUS,
      issuer: 'minigate',
      audience: `minigate:${values.WECHAT_APPID}`,
      accessTokenTtlSeconds: values.ACCESS_TOKEN_TTL,
    },
    sessions: {
      refreshTokenTtlSeconds: values.REFRESH_TOKEN_TTL,
      refreshReuseGraceSeconds: values.REFRESH_REUSE_GRACE,
      retentionSeconds: values.SESSION_RETENTION,
      pruneIntervalSeconds: values.SESSION_PRUNE_INTERVAL,
      maxAgeSeconds: values.SESSION_MAX_AGE,
    },
    revocation: {
      pollIntervalMs: values.REVOCATION_POLL_MS,
      maxEntries: values.REVOCATION_CACHE_MAX,
    },
    accountCacheMax: values.ACCOUNT_CACHE_MAX,
    heartbeatTimeoutSeconds: values.HEARTBEAT_TIMEOUT,
    rateLimits:
      values.RATE_LIMITS === 'off'
        ? null
        : {
            login: values.RATE_LIMIT_LOGIN,
            refresh: values.RATE_LIMIT_REFRESH,
            logout: values.RATE_LIMIT_LOGOUT,
            calls: values.RATE_LIMIT_CALLS,
            ranking: values.RATE_LIMIT_RANKING,
          },
    redisUrl: values.REDIS_URL ?? null,
    redisClusterNodes:
      values.REDIS_CLUSTER_NODES?.map((node) => {
        const at = node.lastIndexOf(':');
        return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
      }) ?? null,
    redisKeyPrefix: values.REDIS_KEY_PREFIX ?? `minigate:${values.WECHAT_APPID}:`,
    migrateOnStart: values.MIGRATE_ON_START === 'true',
    encryption: {
      key: Buffer.from(values.ENCRYPTION_KEY, 'base64'),
      previousKeys: values.ENCRYPTION_KEYS_PREVIOUS.map((key) => Buffer.from(key, 'base64')),
    },
    trustProxy: trustProxyOf(values.TRUST_PROXY),
    bodyLimitBytes: values.BODY_LIMIT,
    maxBatchSize: values.MAX_BATCH_SIZE,
    logLevel: values.LOG_LEVEL,
    metricsPort: values.METRICS_PORT ?? null,
    metricsHost: values.METRICS_HOST,
    workers: values.WORKERS === 'auto' ? Math.min(MAX_WORKERS, availableParallelism()) : Number(values.WORKERS),
  };
}

/** The process environment, with `defaults` under it (development mode fills in its own). */
export function loadConfigFromEnvironment(defaults: Record<string, string> = {}): Config {
  return loadConfig({ ...defaults, ...process.env });
}

/** The simulated mini-game that development mode serves. */
export const DEV_APPID = 'wxminigatedev0001';

const devSchema = z.object({ WECHAT_SIM_PORT: integer(0, 65535).default(3001) });

export interface DevelopmentSetup {
  /** Values under the environment for loadConfig: the environment wins. */
  defaults: Record<string, string>;
  /** Where to start the WeChat simulator, or null when WECHAT_API_BASE points elsewhere. */
  simulator: { host: string; port: number } | null;
}

/**
 * Development defaults (ARCHITECTURE.md): local database, the simulator
 * standing in for WeChat, secrets kept in .minigate/. Refuses production:
 * the simulator is never started there.
 */
export function loadDevelopmentSetup(): DevelopmentSetup {
  if (process.env.NODE_ENV === 'production') {
    throw new ConfigError(['NODE_ENV: pnpm dev is development mode (it starts the WeChat simulator); run pnpm start in production']);
  }
  const dev = devSchema.safeParse(process.env);
  if (!dev.success) throw new ConfigError(dev.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`));
  const host = process.env.HOST ?? '127.0.0.1';
  const simulator = process.env.WECHAT_API_BASE ? null : { host, port: dev.data.WECHAT_SIM_PORT };
  return {
    defaults: {
      NODE_ENV: 'development',
      HOST: host,
      PORT: '3000',
      DATABASE_URL: DEV_DATABASE_URL,
      WECHAT_APPID: DEV_APPID,
      ...loadDevSecrets(resolve(process.cwd(), '.minigate/dev-secrets.json')),
      ...(simulator ? { WECHAT_API_BASE: `http://${host}:${simulator.port}` } : {}),
    },
    simulator,
  };
}

/** What `pnpm admin` needs: the database, the online window, and who is acting. */
export interface AdminConfig {
  databaseUrl: string;
  heartbeatTimeoutSeconds: number;
  /** The operator recorded in the audit table when --by is not given: the shell's user. */
  defaultOperator: string | null;
}

const adminSchema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
  DATABASE_URL: databaseUrlSchema.optional(),
  HEARTBEAT_TIMEOUT: integer(10, 3600).default(120),
  USER: z.string().optional(),
});

export function loadAdminConfig(env: Record<string, string | undefined> = process.env): AdminConfig {
  const parsed = adminSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`));
  const values = parsed.data;
  if (!values.DATABASE_URL && values.NODE_ENV === 'production') throw new ConfigError(['DATABASE_URL: is required']);
  return {
    databaseUrl: values.DATABASE_URL ?? DEV_DATABASE_URL,
    heartbeatTimeoutSeconds: values.HEARTBEAT_TIMEOUT,
    defaultOperator: values.USER || null,
  };
}
