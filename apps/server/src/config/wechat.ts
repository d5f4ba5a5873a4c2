import { WECHAT_API_BASE, WECHAT_BACKUP_API_BASES } from '@minigate/wechat';
import { z } from 'zod';
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
    dev: `\`${DEV_APPID}\``,
    production: 'required',
    description: "the mini-game's appid",
  }),
  WECHAT_SECRET: setting(z.string().min(8, 'must be the mini-game AppSecret'), {
    dev: 'generated',
    production: 'required',
    secret: true,
    description: "the mini-game's AppSecret",
  }),
  WECHAT_API_BASE: setting(httpUrl('must be an http(s) URL'), {
    default: WECHAT_API_BASE,
    dev: 'the simulator',
    description: "WeChat's API, or an egress proxy",
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

export function wechatConfig(values: z.output<typeof wechat.settings>) {
  const first: WeChatApp = { appid: values.WECHAT_APPID, secret: values.WECHAT_SECRET, apiBase: values.WECHAT_API_BASE };
  const apps: [WeChatApp, ...WeChatApp[]] = [first];
  return {
    wechat: {
      /** The mini-games served; today the one of WECHAT_APPID, WECHAT_SECRET and WECHAT_API_BASE. */
      apps,
      /** The first app's appid, secret and apiBase, for readers of a single app (new code reads apps). */
      ...first,
      timeoutMs: values.WECHAT_TIMEOUT_MS,
      /** WECHAT_API_BACKUP_BASES: tried in order when a connection to apiBase cannot be made. */
      backupBases: values.WECHAT_API_BACKUP_BASES ?? (first.apiBase.replace(/\/+$/, '') === WECHAT_API_BASE ? [...WECHAT_BACKUP_API_BASES] : []),
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
