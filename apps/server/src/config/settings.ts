// The toolkit every section of the configuration is written with: a setting
// is named once, in its section's schema, with its documentation beside it
// (see packages/db/src/config.ts for the wrapper and the registry).
import { z } from 'zod';

export { databaseSettings, databaseToolSettings, problemsOf, setting, settingDocs, toolDatabaseUrl, type SettingDoc } from '@minigate/db';

/** A bad configuration: every problem found, one line each, never a secret's value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Bad configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** One part of the configuration: its variables, and the words docs/configuration.md gives them. */
export interface Section<Shape extends z.ZodRawShape = z.ZodRawShape> {
  title: string;
  /** A sentence or two under the section's heading. */
  intro: string;
  settings: z.ZodObject<Shape>;
}

export function section<Shape extends z.ZodRawShape>(title: string, intro: string, shape: Shape): Section<Shape> {
  return { title, intro, settings: z.object(shape) };
}

export const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const port = () => integer(0, 65535);

export const DAY = 24 * 3600;

/** The one reading of a comma-separated value: entries trimmed, empty ones dropped. */
export function splitCommaList(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** A comma-separated list, each entry checked by `entry`; with `none`, the word `none` is the empty list. */
export function commaList<T extends z.ZodType<unknown, string>>(entry: T, options: { none?: boolean } = {}) {
  return z
    .string()
    .transform((value) => (options.none && value.trim() === 'none' ? [] : splitCommaList(value)))
    .pipe(z.array(entry));
}

/** A limit: this many requests per this many seconds. */
export interface RateLimit {
  points: number;
  durationSeconds: number;
}

/** `<points>/<seconds>`, e.g. `120/60`: 120 requests a minute. */
export const rateLimit = () =>
  z
    .string()
    .regex(/^\d{1,7}\/\d{1,6}$/, 'must be <requests>/<seconds>, e.g. 120/60')
    .transform((value): RateLimit => {
      const [points, durationSeconds] = value.split('/').map(Number) as [number, number];
      return { points, durationSeconds };
    })
    .refine((limit) => limit.points >= 1 && limit.durationSeconds >= 1, 'needs at least 1 request and 1 second');
