import type { ProcedureRuntime } from '../procedure-runtime.js';
import type { RateLimits } from '../rate-limits.js';
import type { ServiceLogger } from '../services/service-logger.js';
import type { ConsoleActions } from './console-actions.js';
import type { ConsoleDashboards } from './console-dashboards.js';
import type { ConsolePlayers } from './console-players.js';
import type { OperatorAuth } from './operator-auth.js';

/** The console's cookie: HttpOnly, Secure (browsers keep it for http://localhost too), SameSite=Strict, under /console. */
export const CONSOLE_COOKIE = 'minigate_console';

/** What the HTTP layer hands over of one console request. */
export interface ConsoleRequest {
  /** The Cookie header. */
  cookie: string | undefined;
  /** The x-csrf-token header: every change but the login carries it. */
  csrfToken: string | undefined;
  ip: string;
  userAgent: string | undefined;
  log: ServiceLogger;
  /** Adds a Set-Cookie header to the answer. */
  setCookie(value: string): void;
  /** This instance's failed calls by reason since it started (the HTTP layer's metrics). */
  errorCounts(): Promise<Array<{ reason: string; count: number }>>;
}

export interface ConsoleServices {
  auth: OperatorAuth;
  players: ConsolePlayers;
  actions: ConsoleActions;
  dashboards: ConsoleDashboards;
  rateLimits: RateLimits;
  runtime: ProcedureRuntime;
}

export interface ConsoleContext {
  request: ConsoleRequest;
  services: ConsoleServices;
}

/** The console cookie's token in a Cookie header, or null. */
export function consoleToken(cookieHeader: string | undefined): string | null {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CONSOLE_COOKIE) return value.join('=') || null;
  }
  return null;
}

/** The Set-Cookie value of a console login (maxAgeSeconds 0: the cookie is cleared). */
export function consoleCookie(token: string, maxAgeSeconds: number): string {
  return `${CONSOLE_COOKIE}=${token}; Path=/console; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`;
}
