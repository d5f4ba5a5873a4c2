import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface AccessTokenOptions {
  /** JWT_SECRET: at least 32 bytes (the config refuses shorter). Signs every new token. */
  secret: string;
  /** JWT_SECRETS_PREVIOUS: still accepted for verification, so tokens signed before a rotation live out their lifetime. */
  previousSecrets?: readonly string[];
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

export type AccessTokenCheck = { ok: true; accountId: number; sessionId: number } | { ok: false; reason: 'TOKEN_INVALID' | 'TOKEN_EXPIRED' };

export interface AccessTokens {
  issue(accountId: number, sessionId: number): IssuedAccessToken;
  verify(token: string): AccessTokenCheck;
}

const NUMERIC_ID = /^[1-9][0-9]{0,15}$/;

/** A key's id, in every token's header: which secret to verify with, without naming it. */
export function keyIdOf(secret: string): string {
  return createHash('sha256').update(`minigate-jwt-kid:${secret}`).digest('base64url').slice(0, 12);
}

/** The `kid` of a JWT's header, read without trusting anything else in it. */
function headerKeyId(token: string): string | undefined {
  const end = token.indexOf('.');
  if (end <= 0 || end > 512) return undefined;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * HS256 access tokens: iss, aud, exp, sub = account id and sid = session
 * id as strings, the key id in the header. Keys are KeyObjects made once:
 * jsonwebtoken re-derives a string secret on every call, ~60× the CPU.
 * Verification pins the algorithm (no `alg: none`, no RS/HS confusion) and
 * picks the key by `kid`; a token without a session id (issued before
 * sessions existed) is invalid, so its client logs in again.
 */
export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  const now = options.now ?? Date.now;
  const signingKeyId = keyIdOf(options.secret);
  const signingKey: KeyObject = createSecretKey(Buffer.from(options.secret, 'utf8'));
  const keysById = new Map<string, KeyObject>([[signingKeyId, signingKey]]);
  for (const previous of options.previousSecrets ?? []) {
    keysById.set(keyIdOf(previous), createSecretKey(Buffer.from(previous, 'utf8')));
  }

  return {
    issue(accountId, sessionId) {
      const issuedAt = Math.floor(now() / 1000);
      const expiresAtSeconds = issuedAt + options.ttlSeconds;
      const accessToken = jwt.sign({ iat: issuedAt, exp: expiresAtSeconds, sid: String(sessionId) }, signingKey, {
        algorithm: 'HS256',
        keyid: signingKeyId,
        issuer: options.issuer,
        audience: options.audience,
        subject: String(accountId),
      });
      return { accessToken, expiresAt: expiresAtSeconds * 1000, expiresIn: options.ttlSeconds };
    },

    verify(token) {
      const kid = headerKeyId(token);
      const key = kid === undefined ? undefined : keysById.get(kid);
      if (!key) return { ok: false, reason: 'TOKEN_INVALID' };
      try {
        const claims = jwt.verify(token, key, {
          algorithms: ['HS256'],
          issuer: options.issuer,
          audience: options.audience,
          clockTimestamp: Math.floor(now() / 1000),
        });
        if (typeof claims !== 'object') return { ok: false, reason: 'TOKEN_INVALID' };
        const { sub, sid } = claims as { sub?: unknown; sid?: unknown };
        if (typeof sub !== 'string' || !NUMERIC_ID.test(sub) || typeof sid !== 'string' || !NUMERIC_ID.test(sid)) {
          return { ok: false, reason: 'TOKEN_INVALID' };
        }
        return { ok: true, accountId: Number(sub), sessionId: Number(sid) };
      } catch (error) {
        return { ok: false, reason: error instanceof jwt.TokenExpiredError ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID' };
      }
    },
  };
}
