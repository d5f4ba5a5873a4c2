import type { AppRouter } from '@minigate/api';
import type { TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';

/** Reasons that mean "the session this device kept is no longer good": a new login fixes them. */
const RENEWABLE_REASONS = new Set(['TOKEN_EXPIRED', 'TOKEN_INVALID']);

function reasonOf(error: unknown): string | undefined {
  const data = (error as { data?: { reason?: unknown } } | undefined)?.data;
  return typeof data?.reason === 'string' ? data.reason : undefined;
}

export interface SessionRenewal {
  /** The access token calls are sent with now, or null. */
  currentToken(): string | null;
  /**
   * Makes the session good again after `staleToken` was refused: logs in,
   * unless another call already replaced that token. Resolves true when the
   * call may be retried.
   */
  renew(staleToken: string | null): Promise<boolean>;
}

/**
 * On an expired or invalid token, renews the session (one wx.login shared
 * by every call that met the same stale token) and retries the call once.
 * Retrying a mutation is safe: the token is checked before the procedure
 * runs, so the refused call did nothing. When renewal fails, the call fails
 * with its original error (its reason intact). A missing token (never
 * logged in, or after logout) is left to the game.
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
            next: (value) => observer.next(value),
            complete: () => observer.complete(),
            error: (error) => {
              if (renewed || op.path === 'auth.wechatLogin' || !RENEWABLE_REASONS.has(reasonOf(error) ?? '')) {
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
                () => observer.error(error),
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
