import type { AppRouter } from '@minigate/api';
import type { TRPCClientError, TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';

/** Reasons that mean "the session this device kept is no longer good": a refresh or a new login fixes them. */
const RENEWABLE_REASONS = new Set(['TOKEN_EXPIRED', 'TOKEN_INVALID', 'SESSION_REVOKED']);
/** Successful calls after which the kept session is over. */
const SESSION_ENDING_CALLS = new Set(['account.delete', 'auth.logoutAll']);

export function reasonOf(error: unknown): string | undefined {
  const data = (error as { data?: { reason?: unknown } } | undefined)?.data;
  return typeof data?.reason === 'string' ? data.reason : undefined;
}

/** Calls that make, renew or end sessions themselves (auth.*): never logged in before, renewed or retried. */
export const isSessionCall = (path: string) => path.startsWith('auth.');

export interface SessionControl {
  /** The access token calls are sent with now, or null. */
  currentToken(): string | null;
  /** Before a call that needs a session when none is kept: logs in when autoLogin allows it, else resolves at once. */
  ensureSession(): Promise<void>;
  /**
   * Makes the session good again after `staleToken` was refused (refresh,
   * else a silent wx.login), unless another call already replaced that
   * token. Resolves true when the call may be retried.
   */
  renew(staleToken: string | null): Promise<boolean>;
  /** SESSION_KEY_STALE: a new wx.login gives the server a new session_key (a refresh would not), unless another call did already. */
  relogin(staleToken: string | null): Promise<boolean>;
  /** The server ended this session for good (the account deleted, all sessions logged out): forget it. */
  sessionEnded(): void;
}

/**
 * Logs in before the first call that needs a session when none is kept
 * (autoLogin). On an expired, invalid or revoked token, renews the session
 * (one renewal shared by every call that met the same stale token) and
 * retries the call once; on SESSION_KEY_STALE, logs in again with wx.login
 * and retries once. Retrying a mutation is safe: the token and the session
 * key are checked before the procedure does anything. A ban (FORBIDDEN) or
 * a deleted account is never renewed, so it cannot loop. When renewal
 * fails, the call fails with the renewal's reason where it has one (a ban
 * found while refreshing, say), else with its own.
 */
export function sessionLink(control: SessionControl): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let subscription: { unsubscribe(): void } | undefined;
        let renewed = false;
        let relogged = false;
        let stopped = false;
        const fail = (error: unknown) => {
          if (!stopped) observer.error(error as TRPCClientError<AppRouter>);
        };
        const retryAfter = (work: Promise<boolean>, error: unknown) =>
          work.then(
            (retry) => (retry ? !stopped && attempt() : fail(error)),
            (renewalError: unknown) => fail(reasonOf(renewalError) ? renewalError : error),
          );
        const attempt = () => {
          const sentWith = control.currentToken();
          subscription = next(op).subscribe({
            next: (value) => {
              if (SESSION_ENDING_CALLS.has(op.path)) control.sessionEnded();
              observer.next(value);
            },
            complete: () => observer.complete(),
            error: (error) => {
              const reason = reasonOf(error) ?? '';
              if (reason === 'ACCOUNT_DELETED') control.sessionEnded();
              if (isSessionCall(op.path)) return fail(error);
              if (!renewed && RENEWABLE_REASONS.has(reason)) {
                renewed = true;
                return void retryAfter(control.renew(sentWith), error);
              }
              if (!relogged && reason === 'SESSION_KEY_STALE') {
                relogged = true;
                return void retryAfter(control.relogin(sentWith), error);
              }
              fail(error);
            },
          });
        };
        if (isSessionCall(op.path) || control.currentToken()) attempt();
        else control.ensureSession().then(() => !stopped && attempt(), fail);
        return () => {
          stopped = true;
          subscription?.unsubscribe();
        };
      });
}
