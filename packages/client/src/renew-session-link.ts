import type { AppRouter } from '@minigate/api';
import { TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';

/** Reasons that mean "the session this device kept is no longer good": a new login fixes them. */
const RENEWABLE_REASONS = new Set(['TOKEN_EXPIRED', 'TOKEN_INVALID']);

function reasonOf(error: unknown): string | undefined {
  const data = (error as { data?: { reason?: unknown } } | undefined)?.data;
  return typeof data?.reason === 'string' ? data.reason : undefined;
}

/**
 * On an expired or invalid token, logs in again (wx.login; concurrent calls
 * share one login) and retries the call once. Retrying a mutation is safe
 * here: the token is checked before the procedure runs, so the refused call
 * did nothing. A missing token (never logged in, or after logout) is left
 * to the game.
 */
export function renewSessionLink(renew: () => Promise<unknown>): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let subscription: { unsubscribe(): void } | undefined;
        let renewed = false;
        let stopped = false;
        const attempt = () => {
          subscription = next(op).subscribe({
            next: (value) => observer.next(value),
            complete: () => observer.complete(),
            error: (error) => {
              if (renewed || op.path === 'auth.wechatLogin' || !RENEWABLE_REASONS.has(reasonOf(error) ?? '')) {
                observer.error(error);
                return;
              }
              renewed = true;
              renew().then(
                () => {
                  if (!stopped) attempt();
                },
                (renewError: unknown) => observer.error(TRPCClientError.from(renewError as Error)),
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
