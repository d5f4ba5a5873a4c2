/** What one of WeChat's errcodes means (from the endpoints that answer it with this meaning). */
export interface ErrcodeEntry {
  /** WeChat's errcode. */
  readonly errcode: number;
  /**
   * The error's name, stable in logs and for callers: the class's name where
   * callers branch on a class (CodeUsedError), else the name the error has
   * always had (IpNotWhitelistedError).
   */
  readonly name: string;
  /** Whether the player may simply try again (with a new wx.login code for code2session). */
  readonly retryable: boolean;
  /** The server's own credentials or request are wrong: an operator must fix the configuration. Such errors are WeChatMisconfiguredError. */
  readonly misconfigured?: boolean;
  /** How long WeChat's limit lasts, where it says. */
  readonly retryAfterSeconds?: number;
  /** What it means, for people. */
  readonly meaning: string;
}

const misconfigured = { retryable: false, misconfigured: true } as const;
const accessTokenInvalid = {
  name: 'AccessTokenInvalidError',
  retryable: true,
  meaning: 'the access token the call used is no good; AccessTokenManager.withAccessToken invalidates it, refreshes and retries once',
} as const;

/**
 * Every errcode this client knows, one row per meaning: a few errcodes mean
 * something else from another endpoint (40029 is a login code from
 * jscode2session, a phone code from getuserphonenumber; 40001 is a wrong
 * AppSecret from stable_token, a bad token elsewhere), so each endpoint
 * picks its rows by name with errcodeTable. Errors carry their row
 * (WeChatErrcodeError.entry); an errcode without one is UnknownWeChatError.
 */
export const WECHAT_ERRCODES = [
  { errcode: -1, name: 'WeChatBusyError', retryable: true, meaning: 'WeChat is busy; do not resend the same code: WeChat may have consumed it' },
  {
    errcode: 40029,
    name: 'CodeInvalidError',
    retryable: true,
    meaning: 'the login code is expired (5 minutes), garbage, or issued for another appid',
  },
  { errcode: 40163, name: 'CodeUsedError', retryable: true, meaning: 'the login code was already exchanged' },
  {
    errcode: 45011,
    name: 'FrequencyLimitError',
    retryable: true,
    retryAfterSeconds: 60,
    meaning: "over WeChat's per-minute limit (100 calls per user)",
  },
  { errcode: 40226, name: 'UserBlockedError', retryable: false, meaning: 'a high-risk user that WeChat blocks' },
  { errcode: 40013, name: 'InvalidAppIdError', ...misconfigured, meaning: 'WECHAT_APPID is not a valid appid' },
  { errcode: 40125, name: 'InvalidSecretError', ...misconfigured, meaning: "WECHAT_SECRET is not the appid's secret" },
  { errcode: 41002, name: 'AppIdMissingError', ...misconfigured, meaning: 'the appid parameter is missing' },
  { errcode: 41004, name: 'SecretMissingError', ...misconfigured, meaning: 'the secret parameter is missing' },
  { errcode: 41008, name: 'CodeMissingError', ...misconfigured, meaning: 'the js_code parameter is missing' },
  { errcode: 40001, name: 'InvalidCredentialError', ...misconfigured, meaning: 'from stable_token itself: the AppSecret is wrong' },
  {
    errcode: 40164,
    name: 'IpNotWhitelistedError',
    ...misconfigured,
    meaning: "the server's IP is not on the app's IP whitelist (微信公众平台 → 开发设置)",
  },
  { errcode: 48001, name: 'ApiUnauthorizedError', ...misconfigured, meaning: 'the app has no permission for this API' },
  { errcode: 47001, name: 'DataFormatError', ...misconfigured, meaning: 'WeChat could not parse the request body: a bug on our side' },
  {
    errcode: 45009,
    name: 'DailyQuotaExceededError',
    retryable: false,
    meaning: "the API's daily quota is used up (for stable_token with force_refresh: 20 a day)",
  },
  { errcode: 40001, ...accessTokenInvalid },
  { errcode: 42001, ...accessTokenInvalid },
  { errcode: 40014, ...accessTokenInvalid },
  { errcode: 40003, name: 'InvalidOpenidError', retryable: false, meaning: 'WeChat does not know this openid (for this app)' },
  {
    errcode: 87009,
    name: 'SessionKeyInvalidError',
    retryable: true,
    meaning: "the signature does not match the player's session key at WeChat: the player must log in again (wx.login) before a retry",
  },
  {
    errcode: 87016,
    name: 'StorageKeyValueTooLongError',
    retryable: false,
    meaning: 'a key-value pair is longer than the limit (key + value ≤ 1024 bytes)',
  },
  { errcode: 87017, name: 'StorageDataTooLargeError', retryable: false, meaning: "the player's stored data as a whole exceeds the limit" },
  { errcode: 87018, name: 'StorageTooManyPairsError', retryable: false, meaning: 'the player would keep more key-value pairs than the limit (128)' },
  { errcode: 87019, name: 'StorageKeyTooLongError', retryable: false, meaning: 'a key is longer than the limit (128 bytes)' },
  {
    errcode: 40029,
    name: 'PhoneCodeInvalidError',
    retryable: true,
    meaning: 'the phone code is expired (5 minutes), already used, garbage, or of another appid',
  },
  { errcode: 41008, name: 'PhoneCodeInvalidError', retryable: true, meaning: 'no phone code was sent' },
  {
    errcode: 61010,
    name: 'UserVisitExpiredError',
    retryable: false,
    meaning: 'the player has not visited the mini-game recently (about two hours), so msg_sec_check will not judge for its openid',
  },
  // Virtual payment 2.0's game coins (/wxa/game/getbalance|pay|cancelpay|present|queryorderinfo); see game-coins.ts.
  {
    errcode: 90010,
    name: 'CoinSessionKeyInvalidError',
    retryable: true,
    meaning: "the signature (hmac_sha256 with the session key) does not match the player's current session key: the player must log in again",
  },
  {
    errcode: 90016,
    name: 'CoinSessionKeyInvalidError',
    retryable: true,
    meaning: "WeChat's session key for the player has expired (sessionkey fail): the player must log in again",
  },
  {
    errcode: 90011,
    name: 'CoinPaySigInvalidError',
    ...misconfigured,
    meaning: "pay_sig does not match: the AppKey is not the one of the request's env",
  },
  {
    errcode: 90012,
    name: 'CoinBillExistsError',
    retryable: false,
    meaning: 'the bill_no was used already: for a retried pay or present, the first call went through (WeChat is idempotent for 48 hours)',
  },
  { errcode: 90013, name: 'CoinBalanceTooLowError', retryable: false, meaning: "the player's game-coin balance is lower than the amount" },
  { errcode: 90000, name: 'CoinOrderNotFoundError', retryable: false, meaning: 'no such order: cancelpay names a pay_bill_no WeChat does not know' },
  { errcode: 90017, name: 'CoinPermissionDeniedError', ...misconfigured, meaning: 'the app may not call the virtual payment API' },
  {
    errcode: 90018,
    name: 'CoinParamInvalidError',
    ...misconfigured,
    meaning: 'WeChat refused a parameter (an offer_id or zone_id that is not the configured one, a bad bill_no): errmsg names it',
  },
] as const satisfies readonly ErrcodeEntry[];

/** The name of a row of WECHAT_ERRCODES. */
export type ErrcodeName = (typeof WECHAT_ERRCODES)[number]['name'];

/** errcode → its meaning, for one endpoint. */
export type ErrcodeTable = ReadonlyMap<number, ErrcodeEntry>;

/** The endpoint's table: the rows of these names (a later name's row wins an errcode). */
export function errcodeTable(names: readonly ErrcodeName[]): ErrcodeTable {
  const table = new Map<number, ErrcodeEntry>();
  for (const name of names) for (const entry of WECHAT_ERRCODES) if (entry.name === name) table.set(entry.errcode, entry);
  return table;
}

/** The row of an errcode this client has no meaning for. */
export function unknownErrcode(errcode: number): ErrcodeEntry {
  return { errcode, name: 'UnknownWeChatError', retryable: false, meaning: 'an errcode this client has no meaning for' };
}

/** What every call made with an access token may answer. */
export const ACCESS_TOKEN_CALL_ERRCODES: readonly ErrcodeName[] = [
  'WeChatBusyError',
  'AccessTokenInvalidError',
  'InvalidOpenidError',
  'IpNotWhitelistedError',
  'DailyQuotaExceededError',
  'FrequencyLimitError',
  'DataFormatError',
  'ApiUnauthorizedError',
];

/** What every game-coin call (virtual payment 2.0) may answer. */
export const GAME_COIN_ERRCODES: readonly ErrcodeName[] = [
  ...ACCESS_TOKEN_CALL_ERRCODES,
  'CoinSessionKeyInvalidError',
  'CoinPaySigInvalidError',
  'CoinBillExistsError',
  'CoinBalanceTooLowError',
  'CoinOrderNotFoundError',
  'CoinPermissionDeniedError',
  'CoinParamInvalidError',
];
