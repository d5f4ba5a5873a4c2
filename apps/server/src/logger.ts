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
  '*.code',
  '*.password',
];

/** pino's options, as Fastify takes them. */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '***' },
  };
}
