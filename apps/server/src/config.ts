// The configuration, read once from the environment: the only file of the
// server that reads it. Each setting is named once, in its section's schema
// (apps/server/src/config/*.ts), with its default, its production rule and
// its description; `pnpm docs:config` writes docs/configuration.md and
// .env.example from them.
import { z } from 'zod';
import { accounts, accountsConfig } from './config/accounts.js';
import { databaseConfig } from './config/database.js';
import { developmentSetup, type DevelopmentSetup } from './config/development.js';
import { limitsConfig } from './config/limits.js';
import { observabilityConfig } from './config/observability.js';
import { redisConfig, redisConflicts } from './config/redis.js';
import { serverSettings } from './config/sections.js';
import { serverConfig } from './config/server.js';
import { sessionsConfig, sessionsConflicts } from './config/sessions.js';
import { ConfigError, databaseToolSettings, problemsOf, toolDatabaseUrl } from './config/settings.js';
import { wechatConfig, wechatConflicts } from './config/wechat.js';
import { storageConfig, storageConflicts } from './config/storage.js';
import { leaderboardsConfig, leaderboardsConflicts } from './config/leaderboards.js';
import { consoleConfig } from './config/console.js';

export { ConfigError, type RateLimit } from './config/settings.js';
export { DEV_APPID, type WeChatApp } from './config/wechat.js';
export type { GameApp, Platform } from './config/apps.js';
export type { DevelopmentSetup } from './config/development.js';

type Env = Record<string, string | undefined>;

/** The environment, checked, shaped into the server's configuration. */
const configSchema = serverSettings.transform((values, ctx) => {
  const conflicts = [
    ...wechatConflicts(values),
    ...sessionsConflicts(values),
    ...redisConflicts(values),
    ...storageConflicts(values),
    ...leaderboardsConflicts(values),
  ];
  for (const message of conflicts) ctx.addIssue({ code: 'custom', input: values, message });
  if (conflicts.length > 0) return z.NEVER;
  const { apps, deploymentAppid, wechat } = wechatConfig(values);
  return {
    ...serverConfig(values),
    ...databaseConfig(values),
    apps,
    /** PLATFORM_TIMEOUT_MS: how long a call to Douyin or QQ may take. */
    platformTimeoutMs: values.PLATFORM_TIMEOUT_MS,
    wechat,
    ...sessionsConfig(values, deploymentAppid),
    ...accountsConfig(values),
    ...limitsConfig(values),
    ...redisConfig(values, deploymentAppid),
    ...observabilityConfig(values),
    ...storageConfig(values, apps),
    ...leaderboardsConfig(values, apps),
    ...consoleConfig(values),
  };
});

/** Every setting of the server, read once from the environment at start. */
export type Config = z.output<typeof configSchema>;

export type RateLimitSettings = NonNullable<Config['rateLimits']>;

/**
 * Reads and checks the configuration. Throws one ConfigError naming every
 * bad or missing variable, never echoing a secret's value.
 */
export function loadConfig(env: Env): Config {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = problemsOf(parsed.error, env);
  // The checks across variables run once every variable parsed: name the games' missing source too, in the same message.
  const named = new Set(problems.map((problem) => problem.split(':')[0]));
  const presence = { APPS_FILE: env.APPS_FILE === undefined ? undefined : [], WECHAT_APPID: env.WECHAT_APPID, WECHAT_SECRET: env.WECHAT_SECRET };
  const missing = wechatConflicts(presence as Parameters<typeof wechatConflicts>[0]).filter((problem) => !named.has(problem.split(':')[0]));
  throw new ConfigError([...problems, ...missing]);
}

/** The process environment, with `defaults` under it (development mode fills in its own). */
export function loadConfigFromEnvironment(defaults: Record<string, string> = {}): Config {
  return loadConfig({ ...defaults, ...process.env });
}

/** `pnpm dev`'s defaults and simulator; refuses production. */
export function loadDevelopmentSetup(env: Env = process.env): DevelopmentSetup {
  return developmentSetup(env);
}

/** What `pnpm admin` reads: the database, the online window, and who is acting. */
const adminSettings = databaseToolSettings.extend({
  HEARTBEAT_TIMEOUT: accounts.settings.shape.HEARTBEAT_TIMEOUT,
  // Not a setting of ours: the shell's user.
  USER: z.string().optional(),
});

export interface AdminConfig {
  databaseUrl: string;
  heartbeatTimeoutSeconds: number;
  /** The operator recorded in the audit table when --by is not given: the shell's user. */
  defaultOperator: string | null;
}

export function loadAdminConfig(env: Env = process.env): AdminConfig {
  const parsed = adminSettings.safeParse(env);
  if (!parsed.success) throw new ConfigError(problemsOf(parsed.error, env));
  const databaseUrl = toolDatabaseUrl(parsed.data);
  if (databaseUrl === null) throw new ConfigError(['DATABASE_URL: is required']);
  return { databaseUrl, heartbeatTimeoutSeconds: parsed.data.HEARTBEAT_TIMEOUT, defaultOperator: parsed.data.USER || null };
}
