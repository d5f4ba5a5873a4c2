import { readFileSync } from 'node:fs';
import { DOUYIN_API_BASE, QQ_API_BASE } from '@minigate/platforms';
import { WECHAT_API_BASE } from '@minigate/wechat';
import { z } from 'zod';
import { leaderboardProblems } from './leaderboards.js';
import type { LeaderboardDefinition } from '@minigate/api';
import { normalizedProducts, payFields, paySettingsOf, productsSchema, type PaySettings } from './pay.js';
import { integer, section, setting } from './settings.js';
import { publicCollectionName } from './storage.js';

/** The platforms a game may be on. */
export type Platform = 'wechat' | 'douyin' | 'qq';

/** One game the deployment serves. */
export interface GameApp {
  appid: string;
  platform: Platform;
  /** Never logged (every configured secret is masked in logs), never answered. */
  secret: string;
  /** The scheme and host the platform's API is reached at: its own, the simulator, an egress proxy. */
  apiBase: string;
  name?: string;
  /** WeChat's virtual payment 2.0 settings and products; absent: no payments. */
  pay?: PaySettings;
  /** Cloud saves: the collections other players may read (storage.getPublic); absent: none. */
  storage?: { publicCollections: string[] };
  /** The game's leaderboards (leaderboards.*); absent: none. */
  leaderboards?: LeaderboardDefinition[];
}

/** What each platform's appids look like, and where its API is. */
export const PLATFORM_APPS: Record<Platform, { appid: RegExp; example: string; apiBase: string }> = {
  wechat: { appid: /^wx[0-9a-zA-Z]{6,32}$/, example: 'wx followed by letters and digits', apiBase: WECHAT_API_BASE },
  douyin: { appid: /^tt[0-9a-zA-Z]{6,32}$/, example: 'tt followed by letters and digits', apiBase: DOUYIN_API_BASE },
  qq: { appid: /^[0-9]{5,20}$/, example: 'digits', apiBase: QQ_API_BASE },
};

/** A scheme and a host (and port), nothing after: the platform's own paths follow it. */
const apiBase = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash;
  } catch {
    return false;
  }
}, 'must be a scheme and host only, e.g. http://127.0.0.1:4000 (the platform keeps its own paths)');

const appEntry = z.strictObject({
  appid: z.string({ error: 'is required' }),
  platform: z.enum(['wechat', 'douyin', 'qq'], { error: 'must be wechat, douyin or qq' }),
  secret: z.string({ error: 'is required' }).min(8, 'must be the app secret (at least 8 characters)'),
  apiBase: apiBase.optional(),
  name: z.string().min(1).max(64, 'must be at most 64 characters').optional(),
  // WeChat's virtual payment 2.0 (checked by paySettingsOf, which names what is missing).
  offerId: z.unknown().optional(),
  appKey: z.unknown().optional(),
  sandboxAppKey: z.unknown().optional(),
  env: z.unknown().optional(),
  zoneId: z.unknown().optional(),
  pushToken: z.unknown().optional(),
  pushAesKey: z.unknown().optional(),
  products: productsSchema.optional(),
  // Cloud saves: the collections any signed-in player may read with storage.getPublic.
  storage: z
    .strictObject({
      publicCollections: z
        .array(publicCollectionName, { error: 'must be a list of collection names' })
        .max(64, 'must list at most 64 collections')
        .refine((names) => new Set(names).size === names.length, 'lists a collection twice'),
    })
    .optional(),
  // Leaderboards (checked by leaderboardProblems, which names each board's field).
  leaderboards: z.unknown().optional(),
});

/**
 * The problems of an apps file's content, each naming the entry and field,
 * never a value (a secret must not reach a log); an empty list when it is good.
 */
export function appsFileProblems(content: unknown): { apps: GameApp[]; problems: string[] } {
  if (!Array.isArray(content)) return { apps: [], problems: ['must be a JSON array of apps: [{ "appid", "platform", "secret" }]'] };
  if (content.length === 0) return { apps: [], problems: ['lists no app: name at least one'] };
  const problems: string[] = [];
  const apps: GameApp[] = [];
  const seen = new Map<string, number>();
  content.forEach((raw: unknown, index) => {
    const parsed = appEntry.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
        problems.push(`[${index}]${field}: ${issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue.message}`);
      }
      return;
    }
    const entry = parsed.data;
    const platform = PLATFORM_APPS[entry.platform];
    if (!platform.appid.test(entry.appid)) {
      problems.push(`[${index}].appid: must be a ${entry.platform} appid (${platform.example})`);
      return;
    }
    const first = seen.get(entry.appid);
    if (first !== undefined) {
      problems.push(`[${index}].appid: ${entry.appid} is listed already, at [${first}]`);
      return;
    }
    seen.set(entry.appid, index);
    const payGiven = Object.keys(payFields).some((name) => entry[name as keyof typeof payFields] !== undefined) || entry.products !== undefined;
    if (payGiven && entry.platform !== 'wechat') {
      problems.push(`[${index}]: pay settings are WeChat's (virtual payment 2.0); a ${entry.platform} game takes none`);
      return;
    }
    const { pay, problems: payProblems } = paySettingsOf(entry, normalizedProducts(entry.products ?? []));
    problems.push(...payProblems.map((problem) => `[${index}].${problem}`));
    const boards = entry.leaderboards === undefined ? null : leaderboardProblems(entry.leaderboards);
    problems.push(...(boards?.problems ?? []).map((problem) => `[${index}].leaderboards${problem.startsWith('[') ? '' : ': '}${problem}`));
    apps.push({
      appid: entry.appid,
      platform: entry.platform,
      secret: entry.secret,
      apiBase: (entry.apiBase ?? platform.apiBase).replace(/\/+$/, ''),
      ...(entry.name !== undefined ? { name: entry.name } : {}),
      ...(pay ? { pay } : {}),
      ...(entry.storage ? { storage: { publicCollections: entry.storage.publicCollections } } : {}),
      ...(boards ? { leaderboards: boards.boards } : {}),
    });
  });
  return { apps, problems };
}

/** APPS_FILE read and checked: one issue naming every problem. */
const appsFile = z.string().transform((path, ctx): GameApp[] => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
    return z.NEVER;
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not JSON' });
    return z.NEVER;
  }
  const { apps, problems } = appsFileProblems(content);
  if (problems.length > 0) {
    ctx.addIssue({ code: 'custom', message: `has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}: ${problems.join('; ')}` });
    return z.NEVER;
  }
  return apps;
});

export const apps = section(
  'Games',
  'Several games, on WeChat, Douyin and QQ, on one deployment. Without `APPS_FILE`, the `WECHAT_*` variables describe the one WeChat game.',
  {
    APPS_FILE: setting(appsFile, {
      unset: 'none: the one WeChat game of `WECHAT_APPID`',
      dev: '`.minigate/dev-apps.json`: one game of each platform, on the simulator',
      description:
        'a JSON file listing the games served: `[{ "appid", "platform": "wechat" | "douyin" | "qq", "secret", "apiBase"?, "name"?, pay settings? }]`; `apiBase` replaces the scheme and host of the platform\'s URLs; a WeChat game may carry the Payments section\'s fields (`offerId`, `appKey`, …, `products`); any game may declare `storage: { "publicCollections": ["showcase"] }` (the Cloud saves section) and `leaderboards: [{ "id", … }]` (the Leaderboards section); setting it and `WECHAT_APPID`, `WECHAT_SECRET`, a `WECHAT_PAY_*` variable or `PRODUCTS_FILE` too is refused (docs/operations.md: Several games)',
    }),
    PLATFORM_TIMEOUT_MS: setting(integer(100, 60_000), {
      default: '5000',
      description: 'how long a call to Douyin or QQ may take, milliseconds',
    }),
  },
);
