import type { AccessTokens } from './access-tokens.js';
import type { AccountService } from './services/account-service.js';
import type { LoginService } from './services/login-service.js';

/** The services procedures call; procedures stay thin. */
export interface Services {
  login: LoginService;
  accounts: AccountService;
}

export interface AuthenticatedUser {
  accountId: number;
}

export type AuthFailure = 'TOKEN_MISSING' | 'TOKEN_INVALID' | 'TOKEN_EXPIRED';

export interface Context {
  /** The caller, or null when the token is missing or bad (public calls in the same batch still run). */
  user: AuthenticatedUser | null;
  /** Why `user` is null; protected procedures answer with it. */
  authFailure: AuthFailure | null;
  /** The client's IP, as the HTTP layer determined it (TRUST_PROXY). */
  ip: string;
  services: Services;
}

/** What the HTTP layer tells about one request; nothing adapter-specific. */
export interface RequestFacts {
  authorization: string | undefined;
  ip: string;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Builds each request's context; a bad token gives `user: null`, never a throw. */
export function createContextFactory(deps: { services: Services; accessTokens: AccessTokens }) {
  return (request: RequestFacts): Context => {
    const base = { ip: request.ip, services: deps.services };
    if (!request.authorization) return { ...base, user: null, authFailure: 'TOKEN_MISSING' };
    const token = BEARER.exec(request.authorization)?.[1];
    if (!token) return { ...base, user: null, authFailure: 'TOKEN_INVALID' };
    const check = deps.accessTokens.verify(token);
    return check.ok ? { ...base, user: { accountId: check.accountId }, authFailure: null } : { ...base, user: null, authFailure: check.reason };
  };
}
