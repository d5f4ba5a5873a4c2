import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';

/**
 * Stable, machine-readable reasons sent as `error.data.reason`. Games and
 * outside scripts branch on them: add new ones, never rename one.
 */
export type ErrorReason =
  | 'INPUT_INVALID'
  | 'REQUEST_INVALID'
  | 'CONTENT_TYPE_UNSUPPORTED'
  | 'BODY_INVALID'
  | 'BODY_TOO_LARGE'
  | 'BATCH_TOO_LARGE'
  | 'PROCEDURE_NOT_FOUND'
  | 'METHOD_NOT_SUPPORTED'
  | 'CODE_INVALID'
  | 'CODE_USED'
  | 'WECHAT_BUSY'
  | 'WECHAT_RATE_LIMITED'
  | 'WECHAT_USER_BLOCKED'
  | 'WECHAT_MISCONFIGURED'
  | 'WECHAT_UNAVAILABLE'
  | 'WECHAT_TIMEOUT'
  | 'WECHAT_ERROR'
  | 'ANONYMOUS_CODE_INVALID'
  | 'ANONYMOUS_CODE_UNSUPPORTED'
  | 'DOUYIN_BUSY'
  | 'DOUYIN_PARAMETER_MISSING'
  | 'DOUYIN_APPID_INVALID'
  | 'DOUYIN_SECRET_INVALID'
  | 'QQ_BUSY'
  | 'QQ_RATE_LIMITED'
  | 'PLATFORM_UNAVAILABLE'
  | 'PLATFORM_TIMEOUT'
  | 'PLATFORM_ERROR'
  | 'PLATFORM_MISCONFIGURED'
  | 'PLATFORM_UNSUPPORTED'
  | 'APP_UNKNOWN'
  | 'IDENTITY_TAKEN'
  | 'LAST_IDENTITY'
  | 'IDENTITY_NOT_LINKED'
  | 'PAYMENTS_NOT_CONFIGURED'
  | 'PRODUCT_UNKNOWN'
  | 'ORDER_NOT_FOUND'
  | 'COINS_INSUFFICIENT'
  | 'WALLET_INSUFFICIENT'
  | 'BILL_CONFLICT'
  | 'TOKEN_MISSING'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'ACCOUNT_NOT_FOUND'
  | 'ACCOUNT_DISABLED'
  | 'ACCOUNT_DELETED'
  | 'SESSION_REVOKED'
  | 'REFRESH_TOKEN_INVALID'
  | 'REFRESH_TOKEN_EXPIRED'
  | 'REFRESH_TOKEN_REUSED'
  | 'RATE_LIMITED'
  | 'DATABASE_UNAVAILABLE'
  | 'SHARED_STORE_UNAVAILABLE'
  | 'SESSION_KEY_STALE'
  | 'CODE_RETRY_WITH_NEW_CODE'
  | 'USER_INFO_INVALID'
  | 'USER_INFO_EXPIRED'
  | 'SIGNATURE_INVALID'
  | 'CONTENT_RISKY'
  | 'PHONE_CODE_INVALID'
  | 'PHONE_TAKEN'
  | 'STORAGE_KEY_TOO_LONG'
  | 'STORAGE_VALUE_TOO_LONG'
  | 'STORAGE_DATA_TOO_LARGE'
  | 'STORAGE_TOO_MANY_KEYS'
  // Cloud saves (storage.*).
  | 'VERSION_CONFLICT'
  | 'STORAGE_QUOTA_EXCEEDED'
  | 'STORAGE_VALUE_TOO_LARGE'
  | 'STORAGE_COLLECTION_RESERVED'
  | 'STORAGE_COLLECTION_PRIVATE'
  // Mail and subscribe messages.
  | 'MAIL_NOT_FOUND'
  | 'MAIL_EXPIRED'
  | 'MAIL_ALREADY_CLAIMED'
  | 'MAIL_NOTHING_TO_CLAIM'
  | 'MAIL_UNCLAIMED'
  | 'SUBSCRIBE_NO_CREDIT'
  | 'SUBSCRIBE_REFUSED'
  | 'SUBSCRIBE_DATA_INVALID'
  | 'SUBSCRIBE_TEMPLATE_INVALID'
  // Leaderboards.
  | 'LEADERBOARD_NOT_FOUND'
  | 'LEADERBOARD_SCORE_OUT_OF_RANGE'
  | 'LEADERBOARD_PERIOD_INVALID'
  // The operator console.
  | 'OPERATOR_LOGIN_FAILED'
  | 'OPERATOR_SESSION_INVALID'
  | 'CSRF_TOKEN_INVALID'
  | 'OPERATOR_FORBIDDEN'
  | 'INTERNAL';

export interface MinigateErrorOptions {
  code: TRPC_ERROR_CODE_KEY;
  reason: ErrorReason;
  message: string;
  /** Seconds until a retry can succeed; also sent as the Retry-After header. */
  retryAfterSeconds?: number;
  /** The rate limit that refused the call (RATE_LIMITED). */
  limit?: string;
  /** The input fields at fault, sent as `data.fields` (INPUT_INVALID, CONTENT_RISKY, ...). */
  fields?: ReadonlyArray<{ path: string; message: string }>;
  /** Cloud saves: each object whose version moved, with the version it has now (VERSION_CONFLICT), sent as `data.conflicts`. */
  conflicts?: ReadonlyArray<{ collection: string; key: string; currentVersion: string | null }>;
  /** Leaderboards: the board's score range (LEADERBOARD_SCORE_OUT_OF_RANGE), sent as `data.min` and `data.max`. */
  min?: number;
  max?: number;
  cause?: unknown;
}

/** A tRPC error that carries its stable reason to the error formatter. */
export class MinigateError extends TRPCError {
  readonly reason: ErrorReason;
  readonly retryAfterSeconds: number | undefined;
  readonly limit: string | undefined;
  readonly fields: ReadonlyArray<{ path: string; message: string }> | undefined;
  readonly conflicts: ReadonlyArray<{ collection: string; key: string; currentVersion: string | null }> | undefined;
  readonly range: { min: number; max: number } | undefined;

  constructor(options: MinigateErrorOptions) {
    super({ code: options.code, message: options.message, cause: options.cause });
    this.name = 'MinigateError';
    this.reason = options.reason;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.limit = options.limit;
    this.fields = options.fields;
    this.conflicts = options.conflicts;
    this.range = options.min !== undefined && options.max !== undefined ? { min: options.min, max: options.max } : undefined;
  }
}

/** The largest Retry-After among the errors of one response, if any asked for one. */
export function retryAfterSeconds(errors: readonly unknown[]): number | undefined {
  let longest: number | undefined;
  for (const error of errors) {
    if (error instanceof MinigateError && error.retryAfterSeconds !== undefined) {
      longest = Math.max(longest ?? 0, error.retryAfterSeconds);
    }
  }
  return longest;
}

/**
 * A shared store other than the database (Redis) could not be reached. The
 * server's stores throw it so that procedures answer 503
 * SHARED_STORE_UNAVAILABLE, an upstream fault, rather than a bare 500.
 */
export class SharedStoreUnavailableError extends Error {
  override name = 'SharedStoreUnavailableError';
}

/** Whether `error` or one of its causes is a SharedStoreUnavailableError. */
export function isSharedStoreUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 6; depth++) {
    if (current instanceof SharedStoreUnavailableError) return true;
    current = current.cause;
  }
  return false;
}
