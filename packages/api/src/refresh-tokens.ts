import { createHash, randomBytes } from 'node:crypto';

/**
 * Refresh tokens: `<session id>.<43 characters>`, the secret part being
 * 256 random bits in base64url. The session id finds the row by its
 * primary key (one locked read, no index scan on a hash); only the SHA-256
 * of the secret part is stored, so a copy of the database cannot refresh.
 * Opaque to clients: they store it and send it back.
 */
export interface RefreshSecret {
  secret: string;
  hash: string;
}

const TOKEN = /^([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{43})$/;

export function hashRefreshSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function newRefreshSecret(): RefreshSecret {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: hashRefreshSecret(secret) };
}

export function formatRefreshToken(sessionId: number, secret: string): string {
  return `${sessionId}.${secret}`;
}

/** The session a presented token names and the hash to compare, or null for anything that is not one of ours. */
export function parseRefreshToken(token: string): { sessionId: number; hash: string } | null {
  const match = TOKEN.exec(token);
  if (!match) return null;
  return { sessionId: Number(match[1]), hash: hashRefreshSecret(match[2]!) };
}
