import type { AuthenticatedUser } from '../context.js';
import { MinigateError } from '../errors.js';
import type { ServedApp, ServedApps } from './served-apps.js';

/** The session's game (the context lets only tokens of a served one through). */
export function sessionApp(apps: ServedApps, user: AuthenticatedUser): ServedApp {
  const app = apps.ofSession(user.appid);
  if (!app) throw new MinigateError({ code: 'UNAUTHORIZED', reason: 'TOKEN_INVALID', message: 'This game is no longer served: sign in again' });
  return app;
}

/** 400 PLATFORM_UNSUPPORTED: what the call needs is not offered on the session's platform. */
export function platformUnsupported(app: ServedApp, what: string): MinigateError {
  return new MinigateError({
    code: 'BAD_REQUEST',
    reason: 'PLATFORM_UNSUPPORTED',
    message: `${what} is not offered on ${app.platform} (game ${app.appid})`,
  });
}
