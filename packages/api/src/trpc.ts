import { initTRPC } from '@trpc/server';
import type { Context } from './context.js';
import { formatError } from './error-shape.js';
import { MinigateError } from './errors.js';

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
  TOKEN_EXPIRED: 'The access token has expired: sign in again',
} as const;

/** A procedure for signed-in players: `ctx.user` is set, or the call fails with UNAUTHORIZED and a reason. */
export const protectedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user) {
    const reason = ctx.authFailure ?? 'TOKEN_MISSING';
    throw new MinigateError({ code: 'UNAUTHORIZED', reason, message: AUTH_MESSAGES[reason] });
  }
  return next({ ctx: { ...ctx, user: ctx.user } });
});
