import type { ErrcodeEntry } from './errcodes.js';
import { SessionKeyInvalidError, WeChatErrcodeError } from './errors.js';

// The game-coin errors callers branch on with `instanceof`. Their rows are in WECHAT_ERRCODES
// (CoinBillExistsError 90012, CoinBalanceTooLowError 90013, CoinSessionKeyInvalidError 90010 and 90016);
// the rest of the coin rows stay WeChatErrcodeError / WeChatMisconfiguredError by their row.

/**
 * 90012: the bill_no was used already. After a -1 or a timeout, the same bill_no again answering this
 * means the first call went through: the caller treats it as success (WeChat is idempotent for 48 hours).
 */
export class CoinBillExistsError extends WeChatErrcodeError {}

/** 90013: the player's game-coin balance is lower than the amount; nothing was deducted. */
export class CoinBalanceTooLowError extends WeChatErrcodeError {}

/**
 * 90010 (signature does not match the player's current session key) or 90016 (WeChat's session key
 * expired): a SessionKeyInvalidError, so callers that map a stale session key (409 SESSION_KEY_STALE)
 * need nothing new; `errcode` and `entry` are the coin API's own.
 */
export class CoinSessionKeyInvalidError extends SessionKeyInvalidError {
  override readonly entry: ErrcodeEntry;
  override readonly errcode: number;
  constructor(entry: ErrcodeEntry, message: string) {
    super(message);
    this.entry = entry;
    this.errcode = entry.errcode;
    this.name = entry.name;
  }
}

/** The coin API's class for an error callWeChat raised from a coin row; anything else unchanged. */
export function coinError(error: unknown): unknown {
  if (!(error instanceof WeChatErrcodeError) || error instanceof SessionKeyInvalidError) return error;
  const { entry, message } = error;
  let typed: WeChatErrcodeError | undefined;
  if (entry.name === 'CoinBillExistsError') typed = new CoinBillExistsError(entry, message);
  if (entry.name === 'CoinBalanceTooLowError') typed = new CoinBalanceTooLowError(entry, message);
  if (entry.name === 'CoinSessionKeyInvalidError') typed = new CoinSessionKeyInvalidError(entry, message);
  if (!typed) return error;
  typed.stack = error.stack;
  return typed;
}
