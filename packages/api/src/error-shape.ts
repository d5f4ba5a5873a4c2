import type { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY, type TRPC_ERROR_CODE_NUMBER } from '@trpc/server/rpc';
import { ZodError } from 'zod';
import { MinigateError, type ErrorReason } from './errors.js';

/** One invalid input field: its dotted path and what is wrong with it. */
export interface InvalidField {
  path: string;
  message: string;
}

export interface MinigateErrorData {
  code: TRPC_ERROR_CODE_KEY;
  httpStatus: number;
  path?: string;
  /** Stable UPPER_SNAKE reason; see ErrorReason. */
  reason: ErrorReason | TRPCError['code'];
  /** Present on INPUT_INVALID (and CONTENT_RISKY, USER_INFO_INVALID, ...): every field at fault. */
  fields?: InvalidField[];
  /** Present when a retry can succeed later (rate limits, WeChat busy). */
  retryAfterSeconds?: number;
  /** Present on RATE_LIMITED: which limit (login, refresh, calls); on STORAGE_QUOTA_EXCEEDED: which quota (objects, bytes). */
  limit?: string;
  /** Present on VERSION_CONFLICT: each object whose version moved, and its version now (null: there is none). */
  conflicts?: Array<{ collection: string; key: string; currentVersion: string | null }>;
  /** Present on LEADERBOARD_SCORE_OUT_OF_RANGE: the board's score range. */
  min?: number;
  max?: number;
}

export interface MinigateErrorShape {
  message: string;
  code: TRPC_ERROR_CODE_NUMBER;
  data: MinigateErrorData;
}

const REASON_BY_CODE: Partial<Record<TRPCError['code'], ErrorReason>> = {
  PARSE_ERROR: 'BODY_INVALID',
  NOT_FOUND: 'PROCEDURE_NOT_FOUND',
  METHOD_NOT_SUPPORTED: 'METHOD_NOT_SUPPORTED',
  PAYLOAD_TOO_LARGE: 'BODY_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'CONTENT_TYPE_UNSUPPORTED',
  UNAUTHORIZED: 'TOKEN_INVALID',
  BAD_REQUEST: 'REQUEST_INVALID',
};

/** What tRPC says when a batch has more calls than maxBatchSize allows. */
const BATCH_TOO_LARGE_MESSAGE = 'Batch call exceeds maximum size';

function fieldsOf(error: ZodError): InvalidField[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(input)', message: issue.message }));
}

/**
 * The error every caller sees: tRPC's shape plus `data.reason` (and
 * `fields`, `retryAfterSeconds`, `limit` where they apply). Never a stack
 * trace, and never the message of an unexpected error, which may quote SQL
 * or a secret. The router's errorFormatter, and a function of the error and
 * its path alone: the server's access log and metrics call it for the reason
 * the caller got, through no tRPC internals.
 */
export function formatError(error: TRPCError, path?: string): MinigateErrorShape {
  const code = TRPC_ERROR_CODES_BY_KEY[error.code];
  const base = { code: error.code, httpStatus: getHTTPStatusCodeFromError(error), ...(path ? { path } : {}) };

  if (error instanceof MinigateError) {
    return {
      message: error.message,
      code,
      data: {
        ...base,
        reason: error.reason,
        ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
        ...(error.limit !== undefined ? { limit: error.limit } : {}),
        ...(error.fields !== undefined ? { fields: error.fields.map((field) => ({ ...field })) } : {}),
        ...(error.conflicts !== undefined ? { conflicts: error.conflicts.map((conflict) => ({ ...conflict })) } : {}),
        ...(error.range !== undefined ? { min: error.range.min, max: error.range.max } : {}),
      },
    };
  }
  if (error.code === 'BAD_REQUEST' && error.cause instanceof ZodError) {
    const fields = fieldsOf(error.cause);
    return {
      message: `Invalid input: ${fields.map((field) => `${field.path}: ${field.message}`).join('; ')}`,
      code,
      data: { ...base, reason: 'INPUT_INVALID', fields },
    };
  }
  if (error.code === 'PARSE_ERROR' || (error.code === 'BAD_REQUEST' && error.cause instanceof SyntaxError)) {
    return { message: 'The request body is not valid JSON', code, data: { ...base, reason: 'BODY_INVALID' } };
  }
  if (error.code === 'INTERNAL_SERVER_ERROR') {
    return { message: 'Internal server error', code, data: { ...base, reason: 'INTERNAL' } };
  }
  if (error.code === 'BAD_REQUEST' && error.message === BATCH_TOO_LARGE_MESSAGE) {
    return { message: error.message, code, data: { ...base, reason: 'BATCH_TOO_LARGE' } };
  }
  return {
    message: error.message,
    code,
    // Any other tRPC code is already a stable UPPER_SNAKE name.
    data: { ...base, reason: REASON_BY_CODE[error.code] ?? error.code },
  };
}
