import type { ErrcodeEntry } from '@minigate/wechat';

/** What one of Douyin's or QQ's errcodes means: the same shape as WeChat's rows. */
export type PlatformErrcodeEntry = ErrcodeEntry;

const misconfigured = { retryable: false, misconfigured: true } as const;
const douyinTokenInvalid = {
  name: 'DouyinAccessTokenInvalidError',
  retryable: true,
  meaning: 'the access token the call used is no good; withAccessToken replaces it and retries once',
} as const;

/**
 * Douyin's errcodes, one row per meaning. jscode2session (-1, 40014-40019)
 * and the token (40020) as Douyin's docs list them; set_user_storage's limits
 * (40009, 40010, 40011, 60001); and the refusals Douyin documents for the
 * same gateway's signed calls (28001003 access_token, 28001004 openid,
 * 28001038 sig_method, 28001039 signature). 40002 ("nil access_token") is
 * the example error of the older set_user_storage docs.
 */
export const DOUYIN_ERRCODES = [
  { errcode: -1, name: 'DouyinBusyError', retryable: true, meaning: 'Douyin had a system error; a code may have been spent: log in again' },
  {
    errcode: 40014,
    name: 'DouyinParameterMissingError',
    ...misconfigured,
    meaning: 'a parameter is missing (appid, secret, or both code and anonymous_code)',
  },
  { errcode: 40015, name: 'DouyinAppIdInvalidError', ...misconfigured, meaning: 'the appid is not a Douyin mini-game' },
  { errcode: 40017, name: 'DouyinSecretInvalidError', ...misconfigured, meaning: "the secret is not the appid's" },
  { errcode: 40018, name: 'DouyinCodeInvalidError', retryable: true, meaning: 'the tt.login code is expired, spent, garbage, or of another app' },
  {
    errcode: 40019,
    name: 'DouyinAnonymousCodeInvalidError',
    retryable: true,
    meaning: 'the anonymous code is expired, spent, garbage, or of another app',
  },
  { errcode: 40020, name: 'DouyinGrantTypeInvalidError', ...misconfigured, meaning: 'grant_type is not client_credential' },
  { errcode: 28001003, ...douyinTokenInvalid },
  { errcode: 40002, ...douyinTokenInvalid },
  { errcode: 28001004, name: 'DouyinOpenidInvalidError', retryable: false, meaning: 'Douyin does not know this openid (for this app)' },
  { errcode: 28001038, name: 'DouyinSigMethodInvalidError', ...misconfigured, meaning: 'sig_method is not hmac_sha256' },
  {
    errcode: 28001039,
    name: 'DouyinSignatureInvalidError',
    retryable: true,
    meaning: "the signature does not match the player's current session key: the player must log in again",
  },
  { errcode: 40009, name: 'DouyinStorageKeyTooLongError', retryable: false, meaning: 'a key is longer than 128 bytes' },
  { errcode: 40010, name: 'DouyinStorageKeyValueTooLongError', retryable: false, meaning: 'a key and its value are longer than 1024 bytes' },
  {
    errcode: 40011,
    name: 'DouyinRankingValueInvalidError',
    retryable: false,
    meaning: 'a ranking key\'s value is not KVData ({"ttgame":{"score":...}})',
  },
  { errcode: 60001, name: 'DouyinStorageTooManyPairsError', retryable: false, meaning: 'the player would keep more than 128 key-value pairs' },
] as const satisfies readonly PlatformErrcodeEntry[];

/**
 * QQ's errcodes. jscode2session documents -1, 40029 and 45011 (100 a minute
 * per user); getToken -1, 40001 (secret), 40002 (grant_type), 40013
 * (appid). 40125 (a wrong secret for jscode2session) is WeChat's, which QQ's
 * API copies; QQ does not document it. SendSubscriptionMessage documents
 * 40014-47001 below; 46006 is from qq.subscribeAppMsg's page, and 40003 (an
 * openid QQ does not know) is WeChat's again: QQ documents no errcode for it.
 */
export const QQ_ERRCODES = [
  { errcode: -1, name: 'QQBusyError', retryable: true, meaning: 'QQ is busy; a code may have been spent: log in again' },
  { errcode: 40029, name: 'QQCodeInvalidError', retryable: true, meaning: 'the qq.login code is expired, spent, garbage, or of another app' },
  {
    errcode: 45011,
    name: 'QQFrequencyLimitError',
    retryable: true,
    retryAfterSeconds: 60,
    meaning: "over QQ's limit of 100 calls a minute per user",
  },
  { errcode: 40013, name: 'QQAppIdInvalidError', ...misconfigured, meaning: 'the appid is not a valid QQ appid' },
  { errcode: 40125, name: 'QQSecretInvalidError', ...misconfigured, meaning: "the secret is not the appid's" },
  { errcode: 40001, name: 'QQSecretInvalidError', ...misconfigured, meaning: "from getToken: the secret is not the appid's" },
  { errcode: 40002, name: 'QQGrantTypeInvalidError', ...misconfigured, meaning: 'grant_type is not client_credential' },
  // SendSubscriptionMessage (qq-subscribe-message.ts).
  {
    errcode: 40014,
    name: 'QQAccessTokenInvalidError',
    retryable: true,
    meaning: 'the access token is expired or no good; withAccessToken replaces it and retries once',
  },
  { errcode: 40015, name: 'QQOacAppIdInvalidError', ...misconfigured, meaning: 'oac_appid is not an official account of the game' },
  { errcode: 40035, name: 'QQSubscribeDataInvalidError', retryable: false, meaning: "the data does not match the template's fields" },
  { errcode: 40036, name: 'QQSubscribeInternalError', retryable: true, meaning: 'QQ had an internal error (its errmsg says what)' },
  { errcode: 40037, name: 'QQSubscribeTemplateInvalidError', retryable: false, meaning: 'the template_id is not one of the game' },
  { errcode: 41030, name: 'QQSubscribeTooFastError', retryable: true, meaning: 'sends to this player came too fast' },
  {
    errcode: 46001,
    name: 'QQSubscribeNotSubscribedError',
    retryable: false,
    meaning: 'the player holds no subscription of the template (none allowed, or each spent)',
  },
  { errcode: 46002, name: 'QQSubscribeDailyLimitError', retryable: true, meaning: "over the day's limit of sends" },
  { errcode: 46003, name: 'QQSubscribeRefusedError', retryable: false, meaning: 'the player refuses the messages' },
  { errcode: 46004, name: 'QQOfficialAccountNotFollowedError', retryable: false, meaning: 'the player does not follow the official account' },
  { errcode: 46005, name: 'QQOfficialAccountNotBoundError', ...misconfigured, meaning: 'the official account is not bound to the game' },
  { errcode: 46006, name: 'QQSubscribeLapsedError', retryable: false, meaning: 'a long-term subscription lapsed: the player stayed away a week' },
  { errcode: 47001, name: 'QQSubscribeForbiddenError', retryable: false, meaning: 'the game is barred from sending messages' },
  { errcode: 40003, name: 'QQOpenidInvalidError', retryable: false, meaning: 'QQ does not know this openid (for this app)' },
] as const satisfies readonly PlatformErrcodeEntry[];

export type DouyinErrcodeName = (typeof DOUYIN_ERRCODES)[number]['name'];
export type QQErrcodeName = (typeof QQ_ERRCODES)[number]['name'];

/** errcode → its meaning, for one endpoint. */
export type PlatformErrcodeTable = ReadonlyMap<number, PlatformErrcodeEntry>;

function table<Row extends PlatformErrcodeEntry>(rows: readonly Row[], names: readonly Row['name'][]): PlatformErrcodeTable {
  const result = new Map<number, PlatformErrcodeEntry>();
  for (const name of names) for (const row of rows) if (row.name === name) result.set(row.errcode, row);
  return result;
}

/** Douyin's rows of these names, for one endpoint. */
export const douyinErrcodeTable = (names: readonly DouyinErrcodeName[]) => table<(typeof DOUYIN_ERRCODES)[number]>(DOUYIN_ERRCODES, names);
/** QQ's rows of these names, for one endpoint (a later name's row wins an errcode). */
export const qqErrcodeTable = (names: readonly QQErrcodeName[]) => table<(typeof QQ_ERRCODES)[number]>(QQ_ERRCODES, names);
