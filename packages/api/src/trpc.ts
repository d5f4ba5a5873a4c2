import { initTRPC } from '@trpc/server';
import type { Context } from './context.js';
import { formatError } from './error-shape.js';
import { MinigateError } from './errors.js';
import type { SessionVerdict } from './session-guard.js';

// No data transformer: the wire format is plain JSON, so a Unity game or
// curl can speak it. isDev stays false: stack traces never leave the server.
const t = initTRPC.context<Context>().create({
  isDev: false,
  errorFormatter: ({ shape, error }) => formatError(shape, error),
});

export const router = t.router;
export const publicProcedure = t.procedure;

const AUTH_MESSAGES = {
  TOKEN_MISSING: 'Sign in first: send Authorization: Bearer <accessToken>',
  TOKEN_INVALID: 'The access token is not valid: sign in again',
  TOKEN_EXPIRED: 'The access token has expired: refresh it or sign in again',
} as const;

const REFUSED_SESSIONS: Record<Exclude<SessionVerdict, 'live'>, () => MinigateError> = {
  session_revoked: () =>
    new MinigateError({ code: 'UNAUTHORIZED', reason: 'SESSION_REVOKED', message: 'This session has ended (logged out or revoked): sign in again' }),
  account_disabled: () => new MinigateError({ code: 'FORBIDDEN', reason: 'ACCOUNT_DISABLED', message: 'This account is disabled' }),
  account_deleted: () => new MinigateError({ code: 'UNAUTHORIZED', reason: 'ACCOUNT_DELETED', message: 'This account was deleted' }),
};

/**
 * A procedure for signed-in players: `ctx.user` is set and its session and
 * account still live (checked in memory, see RevocationCache), or the call
 * fails with UNAUTHORIZED/FORBIDDEN and a reason.
 */
export const protectedProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (!ctx.user) {
    const reason = ctx.authFailure ?? 'TOKEN_MISSING';
    throw new MinigateError({ code: 'UNAUTHORIZED', reason, message: AUTH_MESSAGES[reason] });
  }
  const verdict = await ctx.services.guard.check(ctx.user.accountId, ctx.user.sessionId);
  if (verdict !== 'live') throw REFUSED_SESSIONS[verdict]();
  return next({ ctx: { ...ctx, user: ctx.user } });
});
