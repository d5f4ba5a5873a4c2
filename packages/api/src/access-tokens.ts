import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import { createHs256Codec } from './hs256-jwt.js';

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

/** `appid`: the game the session signed in to; null in a token from before several games (the deployment's WeChat app). */
export type AccessTokenCheck =
  { ok: true; accountId: number; sessionId: number; appid: string | null } | { ok: false; reason: 'TOKEN_INVALID' | 'TOKEN_EXPIRED' };

export interface AccessTokens {
  /** `appid` (null: none named, the deployment's WeChat app) travels as the `app` claim. */
  issue(accountId: number, sessionId: number, appid: string | null): IssuedAccessToken;
  verify(token: string): AccessTokenCheck;
}

const NUMERIC_ID = /^[1-9][0-9]{0,15}$/;
/** An appid as the configuration accepts one. */
const APPID = /^[0-9A-Za-z_-]{1,64}$/;
const INVALID: AccessTokenCheck = { ok: false, reason: 'TOKEN_INVALID' };
const EXPIRED: AccessTokenCheck = { ok: false, reason: 'TOKEN_EXPIRED' };
/** Verified tokens remembered per process: about half a kilobyte each, ~10 MB at the bound. */
const VERIFIED_MAX = 20_000;

/** A key's id, in every token's header: which secret to verify with, without naming it. */
export function keyIdOf(secret: string): string {
  return createHash('sha256').update(`minigate-jwt-kid:${secret}`).digest('base64url').slice(0, 12);
}

/**
 * HS256 access tokens: iss, aud, exp, sub = account id and sid = session
 * id as strings, app = the game's appid, the key id in the header. Keys are KeyObjects made once
 * (a string secret is re-derived on every call, ~60× the CPU), and the
 * codec is our own (hs256-jwt.ts): standard tokens, a fraction of
 * jsonwebtoken's CPU. Verification pins the algorithm (no `alg: none`, no
 * RS/HS confusion) and picks the key by `kid`; a token without a session
 * id (issued before sessions existed) is invalid, so its client logs in again.
 */
export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  const now = options.now ?? Date.now;
  const key = (secret: string) => ({ id: keyIdOf(secret), key: createSecretKey(Buffer.from(secret, 'utf8')) as KeyObject });
  const codec = createHs256Codec({
    signing: key(options.secret),
    verifying: (options.previousSecrets ?? []).map(key),
    issuer: options.issuer,
    audience: options.audience,
  });

  // Tokens whose signature and claims were checked, so that a player's next calls skip the HMAC and the
  // decoding (a third of a verification); only the expiry is looked at again. Bounded, oldest out first.
  const verified = new Map<string, { check: AccessTokenCheck & { ok: true }; expiresAtSeconds: number }>();

  return {
    issue(accountId, sessionId, appid) {
      const issuedAt = Math.floor(now() / 1000);
      const expiresAtSeconds = issuedAt + options.ttlSeconds;
      const accessToken = codec.sign({
        iat: issuedAt,
        exp: expiresAtSeconds,
        sid: String(sessionId),
        iss: options.issuer,
        aud: options.audience,
        sub: String(accountId),
        ...(appid === null ? {} : { app: appid }),
      });
      return { accessToken, expiresAt: expiresAtSeconds * 1000, expiresIn: options.ttlSeconds };
    },

    verify(token) {
      const nowSeconds = Math.floor(now() / 1000);
      const known = verified.get(token);
      if (known) {
        if (nowSeconds < known.expiresAtSeconds) return known.check;
        verified.delete(token);
        return EXPIRED;
      }
      const verdict = codec.verify(token, nowSeconds);
      if (!verdict.ok) return verdict.reason === 'expired' ? EXPIRED : INVALID;
      const { sub, sid, exp, app } = verdict.claims;
      if (typeof sub !== 'string' || !NUMERIC_ID.test(sub) || typeof sid !== 'string' || !NUMERIC_ID.test(sid)) return INVALID;
      if (app !== undefined && (typeof app !== 'string' || !APPID.test(app))) return INVALID;
      const check = { ok: true, accountId: Number(sub), sessionId: Number(sid), appid: app ?? null } as const;
      if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value as string);
      verified.set(token, { check, expiresAtSeconds: exp as number });
      return check;
    },
  };
}
