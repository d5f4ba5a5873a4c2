import { WECHAT_API_BASE, WECHAT_BACKUP_API_BASES } from '@minigate/wechat';
import { z } from 'zod';
import type { GameApp } from './apps.js';
import { paySettingsOf, type PaySettings, type Product } from './pay.js';
import { commaList, DAY, integer, section, setting } from './settings.js';

/** The simulated mini-game that development mode serves. */
export const DEV_APPID = 'wxminigatedev0001';

const httpUrl = (error: string) => z.url({ protocol: /^https?$/, error });

/**
 * One mini-game's credentials and API. Today's WECHAT_* variables describe
 * one app; Config.wechat.apps is a list so that several games can be served
 * once their variables exist: each is this shape, read the same way.
 */
const app = {
  WECHAT_APPID: setting(z.string().regex(/^wx[0-9a-zA-Z]{6,32}$/, 'must be a mini-game appid (wx followed by letters and digits)'), {
    unset: 'required unless `APPS_FILE` lists the games',
    requiredUnless: '`APPS_FILE` lists the games',
    dev: `\`${DEV_APPID}\` when you set no \`APPS_FILE\` (else the sample's games)`,
    description: "the mini-game's appid; with `APPS_FILE`, leave it unset",
  }),
  WECHAT_SECRET: setting(z.string().min(8, 'must be the mini-game AppSecret'), {
    unset: 'required unless `APPS_FILE` lists the games',
    requiredUnless: '`APPS_FILE` lists the games',
    dev: 'generated',
    secret: true,
    description: "the mini-game's AppSecret; with `APPS_FILE`, leave it unset",
  }),
  WECHAT_API_BASE: setting(httpUrl('must be an http(s) URL'), {
    default: WECHAT_API_BASE,
    dev: 'the simulator',
    description: "WeChat's API, or an egress proxy (with `APPS_FILE`, each app's `apiBase` says instead)",
  }),
};

export const wechat = section('WeChat', 'The mini-game, and how its calls to WeChat are made.', {
  ...app,
  WECHAT_TIMEOUT_MS: setting(integer(100, 60_000), { default: '5000', description: 'how long a call to WeChat may take, milliseconds' }),
  // WeChat's documented backup domains (接口域名说明) when WECHAT_API_BASE is WeChat's own.
  WECHAT_API_BACKUP_BASES: setting(commaList(httpUrl('must be comma-separated http(s) URLs, or none'), { none: true }), {
    unset: `with WeChat's own base: \`${WECHAT_BACKUP_API_BASES.join(',')}\`; else none`,
    description: 'comma-separated, tried in order when a connection to `WECHAT_API_BASE` cannot be made; `none` for none',
  }),
  WECHAT_CIRCUIT_FAILURES: setting(integer(1, 1000), {
    default: '5',
    description: 'consecutive calls that found WeChat unreachable before the circuit breaker opens',
  }),
  WECHAT_CIRCUIT_OPEN_SECONDS: setting(integer(1, 600), {
    default: '10',
    unit: 'seconds',
    description: 'seconds the circuit breaker stays open (calls answered 503 at once) before one probe goes through',
  }),
  WECHAT_USER_INFO_MAX_AGE: setting(integer(30, DAY), {
    default: '300',
    unit: 'seconds',
    description: 'seconds: how old the watermark of user info sent to `account.syncWeChatUserInfo` may be',
  }),
  WECHAT_SESSION_KEY_CHECK_AGE: setting(integer(60, 30 * DAY), {
    default: String(DAY),
    unit: 'seconds',
    description:
      'seconds: a session key older than this is confirmed with WeChat (`checksession`) before a ranking write signed with it, at most once per period per player and instance',
  }),
  CONTENT_RECHECK_INTERVAL: setting(integer(5, DAY), {
    default: '60',
    unit: 'seconds',
    description:
      "seconds between checks of nicknames stored while WeChat's content check could not judge them (and the first delay; it doubles up to an hour)",
  }),
});

/** A mini-game's credentials and the base of its WeChat API. */
export interface WeChatApp {
  appid: string;
  secret: string;
  apiBase: string;
}

type Values = z.output<typeof wechat.settings> & {
  APPS_FILE?: GameApp[] | undefined;
  WECHAT_PAY_OFFER_ID?: string | undefined;
  WECHAT_PAY_APP_KEY?: string | undefined;
  WECHAT_PAY_SANDBOX_APP_KEY?: string | undefined;
  WECHAT_PAY_ENV?: number | undefined;
  WECHAT_PAY_ZONE_ID?: string | undefined;
  WECHAT_PUSH_TOKEN?: string | undefined;
  WECHAT_PUSH_AES_KEY?: string | undefined;
  PRODUCTS_FILE?: Product[] | undefined;
};

/** The variables of the Payments section, and the pay field each one sets. */
const PAY_VARIABLES = {
  WECHAT_PAY_OFFER_ID: 'offerId',
  WECHAT_PAY_APP_KEY: 'appKey',
  WECHAT_PAY_SANDBOX_APP_KEY: 'sandboxAppKey',
  WECHAT_PAY_ZONE_ID: 'zoneId',
  WECHAT_PUSH_TOKEN: 'pushToken',
  WECHAT_PUSH_AES_KEY: 'pushAesKey',
} as const;

/** The WECHAT_* game's pay settings, from the Payments section's variables. */
function environmentPay(values: Values): { pay: PaySettings | null; problems: string[] } {
  const fields: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(PAY_VARIABLES))
    if (values[name as keyof typeof PAY_VARIABLES] !== undefined) fields[field] = values[name as keyof typeof PAY_VARIABLES];
  const given = Object.keys(fields).length > 0 || values.PRODUCTS_FILE !== undefined;
  if (given) fields.env = values.WECHAT_PAY_ENV ?? 0;
  const { pay, problems } = paySettingsOf(fields, values.PRODUCTS_FILE ?? []);
  const variableOf = Object.fromEntries([...Object.entries(PAY_VARIABLES).map(([name, field]) => [field, name]), ['env', 'WECHAT_PAY_ENV']]);
  return { pay, problems: problems.map((problem) => problem.replace(/^(\w+):/, (_, field: string) => `${variableOf[field] ?? field}:`)) };
}

/** One source of truth: APPS_FILE, or the WECHAT_* variables; never both, never neither. */
export function wechatConflicts(values: Values): string[] {
  if (values.APPS_FILE !== undefined) {
    const both = (['WECHAT_APPID', 'WECHAT_SECRET', ...Object.keys(PAY_VARIABLES), 'PRODUCTS_FILE'] as const).filter(
      (name) => values[name as keyof Values] !== undefined,
    );
    return both.length > 0
      ? [`APPS_FILE and ${both.join(' and ')}: APPS_FILE lists every game, the WeChat one too; unset ${both.join(' and ')} (one source of truth)`]
      : [];
  }
  const missing = (['WECHAT_APPID', 'WECHAT_SECRET'] as const)
    .filter((name) => values[name] === undefined)
    .map((name) => `${name}: is required (or APPS_FILE, listing the games)`);
  return [...missing, ...environmentPay(values).problems];
}

/** The games served (APPS_FILE, else the one of WECHAT_*) and how WeChat's calls are made. Call after wechatConflicts found none. */
export function wechatConfig(values: Values) {
  const pay = values.APPS_FILE ? null : environmentPay(values).pay;
  const apps: GameApp[] = values.APPS_FILE ?? [
    { appid: values.WECHAT_APPID!, platform: 'wechat', secret: values.WECHAT_SECRET!, apiBase: values.WECHAT_API_BASE, ...(pay ? { pay } : {}) },
  ];
  const wechatApps: WeChatApp[] = apps.filter((app) => app.platform === 'wechat').map(({ appid, secret, apiBase }) => ({ appid, secret, apiBase }));
  const firstWeChat = wechatApps[0] ?? null;
  const wechatBase = firstWeChat?.apiBase ?? WECHAT_API_BASE;
  return {
    /** Every game served, in the order configured: auth.wechatLogin's is the first WeChat one. */
    apps,
    /** The first game's appid (of any platform): the default JWT audience and Redis key prefix name it. */
    deploymentAppid: apps[0]!.appid,
    wechat: {
      /** The WeChat games. */
      apps: wechatApps,
      /** The first WeChat game (auth.wechatLogin's), for readers of a single app; null when no game is on WeChat. */
      app: firstWeChat,
      /** The first WeChat game's API base (WeChat's own when no game is on WeChat): the backup domains stand in for it. */
      apiBase: wechatBase,
      timeoutMs: values.WECHAT_TIMEOUT_MS,
      /** WECHAT_API_BACKUP_BASES: tried in order when a connection to apiBase cannot be made. */
      backupBases: values.WECHAT_API_BACKUP_BASES ?? (wechatBase.replace(/\/+$/, '') === WECHAT_API_BASE ? [...WECHAT_BACKUP_API_BASES] : []),
      /** The circuit breaker: consecutive unreachable calls before it opens, and for how long. */
      circuit: { failureThreshold: values.WECHAT_CIRCUIT_FAILURES, openSeconds: values.WECHAT_CIRCUIT_OPEN_SECONDS },
      /** WECHAT_USER_INFO_MAX_AGE: how old a user info watermark may be. */
      userInfoMaxAgeSeconds: values.WECHAT_USER_INFO_MAX_AGE,
      /** WECHAT_SESSION_KEY_CHECK_AGE: a session key older than this is confirmed (checksession) before a signed write. */
      sessionKeyCheckAgeSeconds: values.WECHAT_SESSION_KEY_CHECK_AGE,
      /** CONTENT_RECHECK_INTERVAL: how often nicknames stored while WeChat could not judge them are checked again. */
      contentRecheckIntervalSeconds: values.CONTENT_RECHECK_INTERVAL,
    },
  };
}
