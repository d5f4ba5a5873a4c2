import { readFileSync } from 'node:fs';
import { leaderboardListSchema, type LeaderboardDefinition } from '@minigate/api';
import { z } from 'zod';
import type { GameApp } from './apps.js';
import { section, setting } from './settings.js';

/** A game's boards as the configuration declares them, each problem named by board and field, never a value. */
export function leaderboardProblems(content: unknown): { boards: LeaderboardDefinition[]; problems: string[] } {
  const parsed = leaderboardListSchema.safeParse(content);
  if (parsed.success) return { boards: parsed.data, problems: [] };
  return {
    boards: [],
    problems: parsed.error.issues.map((issue) => {
      const [index, ...field] = issue.path;
      const where = index === undefined ? '' : `[${String(index)}]${field.length > 0 ? `.${field.join('.')}` : ''}: `;
      return `${where}${issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue.message}`;
    }),
  };
}

/** LEADERBOARDS_FILE read and checked. */
const leaderboardsFile = z.string().transform((path, ctx): LeaderboardDefinition[] => {
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    ctx.addIssue({ code: 'custom', message: code ? `cannot be read (${code})` : 'is not JSON' });
    return z.NEVER;
  }
  const { boards, problems } = leaderboardProblems(content);
  if (problems.length > 0) {
    ctx.addIssue({ code: 'custom', message: `has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}: ${problems.join('; ')}` });
    return z.NEVER;
  }
  return boards;
});

export const leaderboards = section(
  'Leaderboards',
  "Each game's server-side leaderboards (`leaderboards.*`). With `APPS_FILE`, each game's entry declares its own (`leaderboards: [...]`).",
  {
    LEADERBOARDS_FILE: setting(leaderboardsFile, {
      unset: 'none: the `WECHAT_*` game has no leaderboard',
      description:
        'a JSON file listing the boards of the `WECHAT_*` game: `[{ "id", "sort"?: "desc" | "asc", "operator"?: "best" | "set" | "incr", "reset"?: "never" | "daily" | "weekly" | "monthly" | "<cron>", "timezone"?, "minScore"?, "maxScore"? }]` (defaults desc, best, never, Asia/Shanghai, 0, 2147483647); with `APPS_FILE` each game\'s entry carries `leaderboards` instead (docs/api.md: Leaderboards)',
    }),
  },
);

type Values = z.output<typeof leaderboards.settings> & { APPS_FILE?: GameApp[] | undefined };

export function leaderboardsConflicts(values: Values): string[] {
  return values.APPS_FILE !== undefined && values.LEADERBOARDS_FILE !== undefined
    ? ["APPS_FILE and LEADERBOARDS_FILE: with APPS_FILE, each game's entry declares its leaderboards (leaderboards: [...]); unset LEADERBOARDS_FILE"]
    : [];
}

/** Each game's boards, by appid: APPS_FILE's entries' own, else LEADERBOARDS_FILE's for the one WeChat game. */
export function leaderboardsConfig(values: Values, apps: readonly GameApp[]) {
  const boards: Record<string, LeaderboardDefinition[]> = {};
  for (const app of apps) boards[app.appid] = [...(app.leaderboards ?? (values.APPS_FILE === undefined ? (values.LEADERBOARDS_FILE ?? []) : []))];
  return { leaderboards: boards };
}
