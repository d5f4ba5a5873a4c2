import type { FastifyServerOptions } from 'fastify';

/**
 * Fields that must never reach a log line, wherever they sit in a logged
 * object: credentials, tokens, session keys, wx.login codes.
 */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.secret',
  '*.sessionKey',
  '*.session_key',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.js_code',
  '*.password',
];

/** Where log lines go instead of stdout (tests read them). */
export interface LogStream {
  write(line: string): void;
}

/** pino's options, as Fastify takes them. */
export function loggerOptions(level: string, stream?: LogStream): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '***' },
    ...(stream ? { stream } : {}),
  };
}
