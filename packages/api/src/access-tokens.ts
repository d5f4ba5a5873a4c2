import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface AccessTokenOptions {
  /** JWT_SECRET: at least 32 bytes (the config refuses shorter). */
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** Epoch milliseconds; tests move it. */
  now?: () => number;
}

export interface IssuedAccessToken {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Seconds from now: devices' clocks drift, so the game should prefer it. */
  expiresIn: number;
}

export type AccessTokenCheck = { ok: true; accountId: number } | { ok: false; reason: 'TOKEN_INVALID' | 'TOKEN_EXPIRED' };

export interface AccessTokens {
  issue(accountId: number): IssuedAccessToken;
  verify(token: string): AccessTokenCheck;
}

const ACCOUNT_ID = /^[1-9][0-9]{0,15}$/;

/**
 * HS256 access tokens (iss, aud, exp, sub = account id as a string). The
 * key is a KeyObject made once: jsonwebtoken re-derives a string secret on
 * every call, ~60× the CPU. Verification pins the algorithm, so `alg: none`
 * and RS/HS confusion are refused.
 */
export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  const key: KeyObject = createSecretKey(Buffer.from(options.secret, 'utf8'));
  const now = options.now ?? Date.now;

  return {
    issue(accountId) {
      const issuedAt = Math.floor(now() / 1000);
      const expiresAtSeconds = issuedAt + options.ttlSeconds;
      const accessToken = jwt.sign({ iat: issuedAt, exp: expiresAtSeconds }, key, {
        algorithm: 'HS256',
        issuer: options.issuer,
        audience: options.audience,
        subject: String(accountId),
      });
      return { accessToken, expiresAt: expiresAtSeconds * 1000, expiresIn: options.ttlSeconds };
    },

    verify(token) {
      try {
        const claims = jwt.verify(token, key, {
          algorithms: ['HS256'],
          issuer: options.issuer,
          audience: options.audience,
          clockTimestamp: Math.floor(now() / 1000),
        });
        const subject = typeof claims === 'object' ? claims.sub : undefined;
        if (typeof subject !== 'string' || !ACCOUNT_ID.test(subject)) return { ok: false, reason: 'TOKEN_INVALID' };
        return { ok: true, accountId: Number(subject) };
      } catch (error) {
        return { ok: false, reason: error instanceof jwt.TokenExpiredError ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID' };
      }
    },
  };
}
