import { createRequire } from 'node:module';
import { redactText } from '@minigate/wechat';
import type { FastifyServerOptions } from 'fastify';

/**
 * Fields that must never reach a log line, wherever they sit in a logged
 * object: credentials, tokens, session keys, wx.login codes.
 */
const SECRET_FIELDS = [
  'secret',
  'sessionKey',
  'session_key',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'js_code',
  'password',
  'authorization',
  'cookie',
];
// A secret field's value on the finished JSON line, at any depth: a string,
// a number, a literal, or an object or array without nested brackets
// (pino's own path redaction cloned every logged object to do less: a
// fifth of the access line's CPU).
const SECRET_FIELD_VALUE = new RegExp(
  `"(${SECRET_FIELDS.join('|')})"\\s*:\\s*(?:"(?:[^"\\\\]|\\\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null|\\{[^{}]*\\}|\\[[^\\[\\]]*\\])`,
  'g',
);

/** A finished log line with every secret field's value, every configured secret and every secret=value of a URL masked. */
export function maskLogLine(line: string, secrets: readonly string[]): string {
  return redactText(line, secrets).replace(SECRET_FIELD_VALUE, '"$1":"***"');
}

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

/** How log lines look when no LogStream is given. */
export interface LogFormat {
  /** Readable, coloured lines through pino-pretty (development); JSON lines otherwise (production). */
  pretty: boolean;
}

/**
 * pino's options, as Fastify takes them. JSON lines on stdout in
 * production; pino-pretty in development when it is installed (a
 * devDependency: a production install falls back to JSON). A LogStream
 * (the tests') always gets JSON lines.
 */
export function loggerOptions(
  level: string,
  stream?: LogStream,
  format: LogFormat = { pretty: false },
  secrets: readonly string[] = [],
): FastifyServerOptions['logger'] {
  const prettyTarget = !stream && format.pretty ? resolvePinoPretty() : null;
  return {
    level,
    // On the finished line: the secret fields at any depth, and whatever a
    // message quotes (WeChat's errmsg may echo a secret or a token): the
    // configured secrets and any secret=, access_token=, session_key=,
    // js_code= value.
    hooks: { streamWrite: (line: string) => maskLogLine(line, secrets) },
    serializers: { err: (error: unknown) => serializeError(error) },
    ...(stream ? { stream } : {}),
    ...(prettyTarget
      ? { transport: { target: prettyTarget, options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true } } }
      : {}),
  };
}

/** pino-pretty's path, resolved from here: pino resolves a bare name from its own folder, where pnpm does not put it. */
function resolvePinoPretty(): string | null {
  try {
    return createRequire(import.meta.url).resolve('pino-pretty');
  } catch {
    return null;
  }
}
