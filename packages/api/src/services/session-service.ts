import {
  pruneSessions,
  revokeAccountSessions,
  revokeReusedSession,
  revokeSession,
  revokeSessionHoldingRefreshHash,
  rotateRefreshToken,
  type Database,
  type Kysely,
  type RefreshOutcome,
} from '@minigate/db';
import type { AccessTokens } from '../access-tokens.js';
import type { AuthenticatedUser, Caller } from '../context.js';
import { MinigateError } from '../errors.js';
import { createRefreshChain, formatRefreshToken, parseRefreshToken } from '../refresh-tokens.js';
import type { RevocationCache } from '../revocation-cache.js';
import type { SessionSettings } from './session-settings.js';
import type { LoginAnswer } from './views.js';

export interface SessionService {
  /** Trades a refresh token for a new pair (rotation with reuse detection). */
  refresh(refreshToken: string, caller: Caller): Promise<LoginAnswer>;
  /** Ends the caller's session: the one of its access token, else the one of `refreshToken`. */
  logout(user: AuthenticatedUser | null, refreshToken: string | undefined): Promise<{ loggedOut: boolean }>;
  /** Ends every session of the account. */
  logoutAll(user: AuthenticatedUser): Promise<{ sessionsEnded: number }>;
  /** Deletes sessions that ended more than SESSION_RETENTION ago; returns how many. */
  prune(): Promise<number>;
}

export interface SessionServiceDeps {
  db: Kysely<Database>;
  accessTokens: AccessTokens;
  revocations: RevocationCache;
  settings: SessionSettings;
  /** ENCRYPTION_KEY and ENCRYPTION_KEYS_PREVIOUS: the refresh-token chain's keys are derived from them (see RefreshChain). */
  encryption: { key: Buffer; previousKeys: Buffer[] };
  now?: () => number;
}

/** How often a refresh starts over when the session's chain moved while a presented token was walked. */
const MAX_REFRESH_ROUNDS = 3;

const REFUSED_REFRESH: Record<Exclude<RefreshOutcome['kind'], 'rotated' | 'unmatched'>, () => MinigateError> = {
  unknown: () =>
    new MinigateError({
      code: 'UNAUTHORIZED',
      reason: 'REFRESH_TOKEN_INVALID',
      message: 'The refresh token is not valid: log in again with wx.login',
    }),
  expired: () =>
    new MinigateError({ code: 'UNAUTHORIZED', reason: 'REFRESH_TOKEN_EXPIRED', message: 'The session has expired: log in again with wx.login' }),
  revoked: () =>
    new MinigateError({ code: 'UNAUTHORIZED', reason: 'SESSION_REVOKED', message: 'This session has ended: log in again with wx.login' }),
  reused: () =>
    new MinigateError({
      code: 'UNAUTHORIZED',
      reason: 'REFRESH_TOKEN_REUSED',
      message: 'This refresh token was already used: the session is ended for safety; log in again with wx.login',
    }),
  account_disabled: () => new MinigateError({ code: 'FORBIDDEN', reason: 'ACCOUNT_DISABLED', message: 'This account is disabled' }),
  account_deleted: () => new MinigateError({ code: 'UNAUTHORIZED', reason: 'ACCOUNT_DELETED', message: 'This account was deleted' }),
};

export function createSessionService(deps: SessionServiceDeps): SessionService {
  const now = deps.now ?? Date.now;
  const { settings } = deps;

  const chain = createRefreshChain(deps.encryption.key, deps.encryption.previousKeys);

  /** One pass: rotate, answer a retry, or prove a spent token and end its session. */
  async function refreshOnce(presented: { sessionId: number; secret: string; hash: string }, caller: Caller) {
    const at = now();
    const children = chain.childrenOf(presented.secret);
    const outcome = await rotateRefreshToken(deps.db, {
      sessionId: presented.sessionId,
      presentedHash: presented.hash,
      childHashes: new Map([...children].map(([keyId, child]) => [keyId, child.hash])),
      currentKeyId: chain.currentKeyId,
      at: new Date(at),
      reuseGraceMs: settings.refreshReuseGraceSeconds * 1000,
      refreshTokenTtlMs: settings.refreshTokenTtlSeconds * 1000,
      maxAgeMs: settings.maxAgeSeconds * 1000,
      ip: caller.ip,
      userAgent: caller.userAgent,
    });
    if (outcome.kind === 'rotated') return { ...outcome, secret: children.get(outcome.keyId)!.secret };
    if (outcome.kind !== 'unmatched') return outcome;
    // Outside the row lock: a walk is CPU (a few µs a step), and a forged token must not hold up the session's owner.
    if (!(await chain.reaches(presented.secret, outcome.keyId, outcome.currentHash, outcome.rotations))) return { kind: 'unknown' as const };
    return revokeReusedSession(deps.db, presented.sessionId, outcome.currentHash);
  }

  return {
    async refresh(refreshToken, caller) {
      const presented = parseRefreshToken(refreshToken);
      if (!presented) throw REFUSED_REFRESH.unknown();
      let outcome = await refreshOnce(presented, caller);
      for (let round = 1; outcome.kind === 'moved' && round < MAX_REFRESH_ROUNDS; round++) outcome = await refreshOnce(presented, caller);
      if (outcome.kind === 'moved') outcome = { kind: 'unknown' };
      if (outcome.kind === 'reused') {
        deps.revocations.sessionRevoked(presented.sessionId);
        caller.log.warn(
          { sessionId: presented.sessionId, accountId: outcome.accountId },
          'a spent refresh token was presented again: session revoked',
        );
      }
      if (outcome.kind !== 'rotated') throw REFUSED_REFRESH[outcome.kind]();
      return {
        ...deps.accessTokens.issue(outcome.accountId, presented.sessionId, outcome.appid),
        refreshToken: formatRefreshToken(presented.sessionId, outcome.secret),
        account: { id: outcome.accountId, nickName: outcome.nickName, avatarUrl: outcome.avatar, isNew: false },
      };
    },

    async logout(user, refreshToken) {
      if (user) {
        deps.revocations.sessionRevoked(user.sessionId);
        return { loggedOut: await revokeSession(deps.db, user.accountId, user.sessionId, 'logout') };
      }
      const presented = refreshToken === undefined ? null : parseRefreshToken(refreshToken);
      if (!presented) {
        throw new MinigateError({
          code: 'UNAUTHORIZED',
          reason: refreshToken === undefined ? 'TOKEN_MISSING' : 'REFRESH_TOKEN_INVALID',
          message: 'Log out with a valid access token, or with the session refresh token',
        });
      }
      // Without an access token, the current refresh token proves the session:
      // a guessed session id alone cannot log anyone out.
      const revoked = await revokeSessionHoldingRefreshHash(deps.db, presented.sessionId, presented.hash, 'logout');
      if (revoked) deps.revocations.sessionRevoked(presented.sessionId);
      return { loggedOut: revoked };
    },

    async logoutAll(user) {
      deps.revocations.sessionRevoked(user.sessionId);
      return { sessionsEnded: await revokeAccountSessions(deps.db, user.accountId, 'logout_all') };
    },

    async prune() {
      return pruneSessions(deps.db, new Date(now() - settings.retentionSeconds * 1000));
    },
  };
}
