import { isDatabaseUnavailableError } from '@minigate/db';
import { initTRPC } from '@trpc/server';
import type { Context } from './context.js';
import { formatError } from './error-shape.js';
import { isSharedStoreUnavailable, MinigateError } from './errors.js';
import type { RateLimitName } from './rate-limits.js';
import type { SessionVerdict } from './session-guard.js';

// No data transformer: the wire format is plain JSON, so a Unity game or
// curl can speak it. isDev stays false: stack traces never leave the server.
// Every error's shape, data.reason and the rest, is formatError's: tRPC's
// default shape (code, httpStatus, path) is rebuilt there from the error.
const t = initTRPC.context<Context>().create({
  isDev: false,
  errorFormatter: ({ error, path }) => formatError(error, path),
});

export const router = t.router;

/** Seconds a caller waits before retrying after the database was unreachable. */
const DATABASE_RETRY_AFTER_SECONDS = 2;

/** What a database or shared store that cannot be reached becomes: an upstream fault, 503 with Retry-After. */
function unavailableError(error: unknown): MinigateError | null {
  const cause = (error as { cause?: unknown } | null)?.cause ?? error;
  if (isDatabaseUnavailableError(cause) || isDatabaseUnavailableError(error)) {
    return new MinigateError({
      code: 'SERVICE_UNAVAILABLE',
      reason: 'DATABASE_UNAVAILABLE',
      message: 'The database cannot be reached: try again in a moment',
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    });
  }
  if (isSharedStoreUnavailable(error)) {
    return new MinigateError({
      code: 'SERVICE_UNAVAILABLE',
      reason: 'SHARED_STORE_UNAVAILABLE',
      message: 'A store the server shares with its other instances cannot be reached: try again in a moment',
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    });
  }
  return null;
}

/**
 * Runs a procedure's work: counted while it runs (the pool closes after the
 * last one), and a database that cannot be reached is an upstream fault like
 * WeChat's: 503 DATABASE_UNAVAILABLE with Retry-After, never a bare 500;
 * whether the work threw or tRPC handed back a failed result.
 */
export async function served<R extends { ok: boolean; error?: unknown }>(
  ctx: { services: Pick<Context['services'], 'runtime'> },
  work: () => Promise<R>,
): Promise<R> {
  /** The error to answer with instead, when `error` is a store that cannot be reached. */
  const upstreamFault = (error: unknown): MinigateError | null => {
    const unavailable = unavailableError(error);
    if (unavailable?.reason === 'DATABASE_UNAVAILABLE') ctx.services.runtime.databaseUnavailable((error as { cause?: unknown }).cause ?? error);
    return unavailable;
  };
  const ended = ctx.services.runtime.started();
  let result: R;
  try {
    result = await work();
  } catch (error) {
    throw upstreamFault(error) ?? error;
  } finally {
    ended();
  }
  const fault = result.ok ? null : upstreamFault(result.error);
  if (fault) throw fault;
  return result;
}

/** Every public procedure. */
const procedure = t.procedure.use(({ ctx, next }) => served(ctx, () => next()));

export const publicProcedure = procedure;

const LIMIT_MESSAGES: Record<RateLimitName, string> = {
  login: 'Too many logins from this network: try again shortly',
  refresh: 'Too many session refreshes from this network: try again shortly',
  logout: 'Too many logouts from this network: try again shortly',
  calls: 'Too many calls for this player: slow down',
  ranking: 'Too many score writes for this player: slow down',
  leaderboard: 'Too many leaderboard submissions for this player: slow down',
  consoleLogin: 'Too many console logins from this network or for this name: try again shortly',
};

/** 429 RATE_LIMITED for limit `name`, to retry after `waitSeconds`. */
export function limitRefusal(name: RateLimitName, waitSeconds: number): MinigateError {
  return new MinigateError({
    code: 'TOO_MANY_REQUESTS',
    reason: 'RATE_LIMITED',
    message: LIMIT_MESSAGES[name],
    retryAfterSeconds: Math.max(1, waitSeconds),
    limit: name,
  });
}

async function enforce(ctx: Context, name: RateLimitName, key: string): Promise<void> {
  const waitSeconds = await ctx.services.rateLimits.consume(name, key);
  if (waitSeconds !== null) throw limitRefusal(name, waitSeconds);
}

/** A public procedure limited per client IP (many players may share one behind carrier-grade NAT: the limits allow for it). */
export const ipLimitedProcedure = (name: 'login' | 'refresh' | 'logout') =>
  procedure.use(async ({ ctx, next }) => {
    await enforce(ctx, name, ctx.caller.ip);
    return next();
  });

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
 * account still live (checked in memory, see RevocationCache), and the
 * player within the per-account call limit, or the call fails with
 * UNAUTHORIZED/FORBIDDEN/TOO_MANY_REQUESTS and a reason. One middleware
 * with the public procedures' (not one on top of it): each layer costs a
 * protected call a few microseconds.
 */
export const protectedProcedure = t.procedure.use(({ ctx, next }) =>
  served(ctx, async () => {
    const user = ctx.user;
    if (!user) {
      const reason = ctx.authFailure ?? 'TOKEN_MISSING';
      throw new MinigateError({ code: 'UNAUTHORIZED', reason, message: AUTH_MESSAGES[reason] });
    }
    const verdict = await ctx.services.guard.check(user.accountId, user.sessionId);
    if (verdict !== 'live') throw REFUSED_SESSIONS[verdict]();
    await enforce(ctx, 'calls', String(user.accountId));
    return next({ ctx: { user } });
  }),
);

/** A protected procedure with a limit of its own per account, on top of `calls` (ranking writes, leaderboard submissions). */
export const accountLimitedProcedure = (name: 'ranking' | 'leaderboard') =>
  protectedProcedure.use(async ({ ctx, next }) => {
    await enforce(ctx, name, String(ctx.user.accountId));
    return next();
  });
