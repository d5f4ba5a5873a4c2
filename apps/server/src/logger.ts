import type { FastifyServerOptions } from 'fastify';

/**
 * Fields that must never reach a log line, wherever they sit in a logged
 * object: credentials, tokens, session keys, wx.login codes.
 */
const SECRET_FIELDS = ['secret', 'sessionKey', 'session_key', 'accessToken', 'access_token', 'refreshToken', 'js_code', 'password', 'authorization'];
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  // A logged object's own fields and its children's.
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
];

/** Where log lines go instead of stdout (tests read them). */
export interface LogStream {
  write(line: string): void;
}

interface LoggedError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
}

/**
 * Errors as log lines: name, message, code, stack and cause, nothing else.
 * Driver errors carry more (mysql2's `sql` holds the statement with its
 * values filled in: IPs, openids, credentials), which must stay out.
 */
export function serializeError(error: unknown, depth = 0): LoggedError {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error), stack: '' };
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  return {
    type: error.name,
    message: error.message,
    ...(code !== undefined ? { code } : {}),
    ...(errno !== undefined ? { errno } : {}),
    stack: error.stack ?? '',
    ...(error.cause !== undefined && depth < 5 ? { cause: serializeError(error.cause, depth + 1) } : {}),
  };
}

/** pino's options, as Fastify takes them. */
export function loggerOptions(level: string, stream?: LogStream): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '***' },
    serializers: { err: (error: unknown) => serializeError(error) },
    ...(stream ? { stream } : {}),
  };
}
