// The console's tRPC client: /console/api (batched; queries GET, mutations POST), the session cookie sent along
// (same origin), and the CSRF token from auth.login / auth.me on every call.
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { ConsoleRouter } from '@minigate/api';

export type Outputs = inferRouterOutputs<ConsoleRouter>;
export type Inputs = inferRouterInputs<ConsoleRouter>;
export type Operator = Outputs['auth']['me']['operator'];
export type Role = Operator['role'];
export type Player = Outputs['players']['get'];

let csrfToken: string | null = null;

/** Remembers the token the server answered with (login, me), or forgets it (logout). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export const api = createTRPCClient<ConsoleRouter>({
  links: [
    httpBatchLink({
      url: `${import.meta.env.BASE_URL}api`,
      headers: () => (csrfToken ? { 'x-csrf-token': csrfToken } : {}),
      fetch: (url, init) => fetch(url, { ...init, credentials: 'same-origin' }),
    }),
  ],
});

/** What a failed call says: the server's message and its stable reason (data.reason), when it answered one. */
export interface ApiFailure {
  message: string;
  reason: string | null;
}

export function failureOf(error: unknown): ApiFailure {
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    const reason = data && typeof data === 'object' && 'reason' in data && typeof data.reason === 'string' ? data.reason : null;
    return { message: error.message, reason };
  }
  return { message: error instanceof Error ? error.message : String(error), reason: null };
}

/** The session is gone (no cookie, expired, forged): the page goes back to the login form. */
export const isSessionLost = (failure: ApiFailure): boolean => failure.reason === 'OPERATOR_SESSION_INVALID';

export const describeFailure = (failure: ApiFailure): string => (failure.reason ? `${failure.message} (${failure.reason})` : failure.message);
