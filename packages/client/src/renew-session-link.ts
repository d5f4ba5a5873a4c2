import type { AppRouter } from '@minigate/api';
import type { TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';

/** Reasons that mean "the session this device kept is no longer good": a refresh or a new login fixes them. */
const RENEWABLE_REASONS = new Set(['TOKEN_EXPIRED', 'TOKEN_INVALID', 'SESSION_REVOKED']);
/** Calls that make or end sessions themselves: never renewed and retried. */
const SESSION_CALLS = new Set(['auth.wechatLogin', 'auth.refresh', 'auth.logout']);
/** Successful calls after which the kept session is over. */
const SESSION_ENDING_CALLS = new Set(['account.delete', 'auth.logoutAll']);

export function reasonOf(error: unknown): string | undefined {
  const data = (error as { data?: { reason?: unknown } } | undefined)?.data;
  return typeof data?.reason === 'string' ? data.reason : undefined;
}

export interface SessionRenewal {
  /** The access token calls are sent with now, or null. */
  currentToken(): string | null;
  /**
   * Makes the session good again after `staleToken` was refused (refresh,
   * else a silent wx.login), unless another call already replaced that
   * token. Resolves true when the call may be retried.
   */
  renew(staleToken: string | null): Promise<boolean>;
  /** The server ended this session for good (the account deleted, all sessions logged out): forget it. */
  sessionEnded(): void;
}

/**
 * On an expired, invalid or revoked token, renews the session (one renewal
 * shared by every call that met the same stale token) and retries the call
 * once. Retrying a mutation is safe: the token is checked before the
 * procedure runs, so the refused call did nothing. A ban (FORBIDDEN) or a
 * deleted account is never renewed, so it cannot loop. When renewal fails,
 * the call fails with the renewal's reason where it has one (a ban found
 * while refreshing, say), else with its own. A missing token (never logged
 * in, or after logout) is left to the game.
 */
export function renewSessionLink(renewal: SessionRenewal): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let subscription: { unsubscribe(): void } | undefined;
        let renewed = false;
        let stopped = false;
        const attempt = () => {
          const sentWith = renewal.currentToken();
          subscription = next(op).subscribe({
            next: (value) => {
              if (SESSION_ENDING_CALLS.has(op.path)) renewal.sessionEnded();
              observer.next(value);
            },
            complete: () => observer.complete(),
            error: (error) => {
              const reason = reasonOf(error) ?? '';
              if (reason === 'ACCOUNT_DELETED') renewal.sessionEnded();
              if (renewed || SESSION_CALLS.has(op.path) || !RENEWABLE_REASONS.has(reason)) {
                observer.error(error);
                return;
              }
              renewed = true;
              renewal.renew(sentWith).then(
                (retry) => {
                  if (stopped) return;
                  if (retry) attempt();
                  else observer.error(error);
                },
                (renewalError: unknown) => observer.error(reasonOf(renewalError) ? (renewalError as typeof error) : error),
              );
            },
          });
        };
        attempt();
        return () => {
          stopped = true;
          subscription?.unsubscribe();
        };
      });
}
