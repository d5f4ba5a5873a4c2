// The settings toolkit (one wrapper, one registry, one issue formatter) and
// the database's section: NODE_ENV and DATABASE_URL, read here by the db:*
// scripts and reused by the server's schema (apps/server/src/config/), which
// imports this file, never the other way round.
import { z } from 'zod';
import { parseDatabaseUrl } from './database-url.js';

/** A setting's documentation, kept beside its schema: docs/configuration.md and .env.example are generated from it. */
export interface SettingDoc {
  /** One line: what it is and does. */
  description: string;
  /** The value taken when it is unset, as written in the environment: the schema applies it. */
  default?: string;
  /** What leaving it unset means, when no single value says it: the setting is then optional. */
  unset?: string;
  /** Optional only when another setting stands in for it (say which): .env.example lists it as required. */
  requiredUnless?: string;
  /** What `pnpm dev` puts in when it is unset. */
  dev?: string;
  /** How production treats it, where that differs. */
  production?: string;
  /** A credential: .env.example leaves it empty, never a sample that would start. */
  secret?: boolean;
  /** Its number counts these (the docs show days beside a default of seconds). */
  unit?: 'seconds';
}

/** Every setting's documentation, by its schema. */
export const settingDocs = z.registry<SettingDoc>();

type Env = Record<string, string | undefined>;

/**
 * One environment variable: its schema, made optional (`unset`) or given its
 * default (`default`, parsed like a value from the environment), with its
 * documentation registered. Neither: the variable is required.
 */
export function setting<S extends z.ZodType>(schema: S, doc: SettingDoc & { default: z.input<S> & string; unset?: undefined }): z.ZodPrefault<S>;
export function setting<S extends z.ZodType>(schema: S, doc: SettingDoc & { default?: undefined; unset: string }): z.ZodOptional<S>;
export function setting<S extends z.ZodType>(schema: S, doc: SettingDoc & { default?: undefined; unset?: undefined }): S;
export function setting(schema: z.ZodType, doc: SettingDoc): z.ZodType {
  const wrapped = doc.default !== undefined ? schema.prefault(doc.default) : doc.unset !== undefined ? schema.optional() : schema;
  return wrapped.register(settingDocs, doc);
}

/**
 * One line per problem, naming its variable: `NAME: is required` when it is
 * unset, `NAME: <message>` otherwise (never the value: it may be a secret).
 * A problem of several variables (path-less) is its message alone.
 */
export function problemsOf(error: z.ZodError, env: Env): string[] {
  return error.issues.map((issue) => {
    if (issue.path.length === 0) return issue.message;
    const name = String(issue.path[0]);
    return `${name}: ${env[name] === undefined ? 'is required' : issue.message}`;
  });
}

/** Where `pnpm dev` and the db:* scripts look when DATABASE_URL is unset outside production. */
export const DEV_DATABASE_URL = 'mysql://root@127.0.0.1:3306/minigate_dev';

/** DATABASE_URL, checked to be a usable mysql:// URL. */
export const databaseUrlSchema = z.string().superRefine((value, ctx) => {
  try {
    parseDatabaseUrl(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/** The mode and the database: every part of minigate reads these two. */
export const databaseSettings = z.object({
  NODE_ENV: setting(z.enum(['production', 'development', 'test']), {
    default: 'development',
    description: '`production` (what `pnpm start` and the image set), `development` or `test`',
    production: 'no development defaults: every credential must be given; `db:reset` refuses to run unless given `--drop <database>`',
  }),
  DATABASE_URL: setting(databaseUrlSchema, {
    description:
      '`mysql://user:pass@host:port/db`; outside production, `pnpm admin` and the `db:*` scripts use the development database when it is unset',
    dev: `\`${DEV_DATABASE_URL}\``,
    production: 'required, by `pnpm admin` and the `db:*` scripts too',
    secret: true,
  }),
});

/** The tools' view (db:* scripts, pnpm admin): DATABASE_URL may be unset outside production. */
export const databaseToolSettings = databaseSettings.extend({ DATABASE_URL: databaseSettings.shape.DATABASE_URL.optional() });

/** A tool's database: DATABASE_URL, else the development database outside production; null when production leaves it unset. */
export function toolDatabaseUrl(values: z.output<typeof databaseToolSettings>): string | null {
  return values.DATABASE_URL ?? (values.NODE_ENV === 'production' ? null : DEV_DATABASE_URL);
}

export interface DatabaseConfig {
  databaseUrl: string;
  production: boolean;
}

/** The db:* scripts' configuration: DATABASE_URL, defaulting to the dev database outside production. */
export function loadDatabaseConfig(env: Env = process.env): DatabaseConfig {
  const parsed = databaseToolSettings.safeParse(env);
  if (!parsed.success) throw new Error(`Bad configuration: ${problemsOf(parsed.error, env).join('; ')}`);
  const databaseUrl = toolDatabaseUrl(parsed.data);
  if (databaseUrl === null) throw new Error('Bad configuration: DATABASE_URL is required in production');
  return { databaseUrl, production: parsed.data.NODE_ENV === 'production' };
}
