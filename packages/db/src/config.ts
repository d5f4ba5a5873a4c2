import { z } from 'zod';
import { parseDatabaseUrl } from './database-url.js';

/** Where `pnpm dev` and the db:* scripts look when DATABASE_URL is unset outside production. */
export const DEV_DATABASE_URL = 'mysql://root@127.0.0.1:3306/minigate_dev';

/** DATABASE_URL, checked to be a usable mysql:// URL. The server's config schema embeds it. */
export const databaseUrlSchema = z.string().superRefine((value, ctx) => {
  try {
    parseDatabaseUrl(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

export const databaseConfigSchema = z.object({
  NODE_ENV: z.string().optional(),
  DATABASE_URL: databaseUrlSchema.optional(),
});

export interface DatabaseConfig {
  databaseUrl: string;
  production: boolean;
}

/** The db:* scripts' configuration: DATABASE_URL, defaulting to the dev database outside production. */
export function loadDatabaseConfig(env: Record<string, string | undefined> = process.env): DatabaseConfig {
  const parsed = databaseConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Bad configuration: ${problems.join('; ')}`);
  }
  const { NODE_ENV, DATABASE_URL } = parsed.data;
  if (!DATABASE_URL && NODE_ENV === 'production') throw new Error('Bad configuration: DATABASE_URL is required in production');
  return { databaseUrl: DATABASE_URL ?? DEV_DATABASE_URL, production: NODE_ENV === 'production' };
}
