import { createHash, createHmac, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Refresh tokens: `<session id>.<43 characters>`, the secret part being
 * 256 bits in base64url. The session id finds the row by its primary key
 * (one locked read, no index scan on a hash); only the SHA-256 of the
 * secret part is stored, so a copy of the database cannot refresh.
 * Opaque to clients: they store it and send it back.
 *
 * A session's first secret is random; each rotation's new secret is the
 * HMAC-SHA256 of the one it spends, under a key derived from
 * ENCRYPTION_KEY (see RefreshChain). So the server can tell, without
 * storing any secret, whether a presented secret is a spent one of the
 * session (walking forward from it reaches the current hash) and answer a
 * retry with the very child the first rotation gave.
 */
export interface RefreshSecret {
  secret: string;
  hash: string;
}

const TOKEN = /^([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{43})$/;

export function hashRefreshSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A session's first secret (at sign-in): random. */
export function newRefreshSecret(): RefreshSecret {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: hashRefreshSecret(secret) };
}

export function formatRefreshToken(sessionId: number, secret: string): string {
  return `${sessionId}.${secret}`;
}

/** The session a presented token names, its secret and the hash to compare, or null for anything that is not one of ours. */
export function parseRefreshToken(token: string): { sessionId: number; secret: string; hash: string } | null {
  const match = TOKEN.exec(token);
  if (!match) return null;
  return { sessionId: Number(match[1]), secret: match[2]!, hash: hashRefreshSecret(match[2]!) };
}

/** How far a walk goes at most: a session refreshed every 2 h for 90 days rotates about 1,100 times. */
export const MAX_CHAIN_WALK = 10_000;
/** Steps between two yields of the event loop during a walk (about 2-4 ms of CPU). */
const WALK_SLICE = 500;

/**
 * The keys the children of refresh secrets are minted under: one per
 * encryption key (the current one and each previous one), each derived
 * with HKDF so that it is used for nothing else. Each has a short public
 * id, stored on the session row beside the hash the key minted, so that a
 * session keeps rotating under the key its chain started with (while that
 * key is still listed) and a walk needs one key, not every mix of them.
 */
export interface RefreshChain {
  /** The id of the key new chains are minted under (the current ENCRYPTION_KEY's). */
  readonly currentKeyId: string;
  /** The child of `secret` under each configured key, by key id (the current key's first). */
  childrenOf(secret: string): Map<string, RefreshSecret>;
  /**
   * Whether walking forward from `secret` (child after child under key
   * `keyId`) reaches the secret whose hash is `hash` within `steps` steps
   * (at most MAX_CHAIN_WALK). Yields the event loop between slices. False
   * for a key no longer configured.
   */
  reaches(secret: string, keyId: string, hash: string, steps: number): Promise<boolean>;
}

const CHAIN_INFO = 'minigate refresh-token chain v1';
const KEY_ID_INFO = 'minigate refresh-token chain key id v1';

function childOf(key: KeyObject, secret: string): string {
  return createHmac('sha256', key).update(secret, 'utf8').digest('base64url');
}

export function createRefreshChain(encryptionKey: Buffer, previousKeys: readonly Buffer[] = []): RefreshChain {
  const keys = new Map<string, KeyObject>();
  for (const source of [encryptionKey, ...previousKeys]) {
    const id = Buffer.from(hkdfSync('sha256', source, Buffer.alloc(0), KEY_ID_INFO, 8)).toString('hex');
    if (!keys.has(id)) keys.set(id, createSecretKey(Buffer.from(hkdfSync('sha256', source, Buffer.alloc(0), CHAIN_INFO, 32))));
  }
  const currentKeyId = keys.keys().next().value!;
  return {
    currentKeyId,
    childrenOf(secret) {
      const children = new Map<string, RefreshSecret>();
      for (const [id, key] of keys) {
        const child = childOf(key, secret);
        children.set(id, { secret: child, hash: hashRefreshSecret(child) });
      }
      return children;
    },
    async reaches(secret, keyId, hash, steps) {
      const key = keys.get(keyId);
      if (!key) return false;
      const limit = Math.min(steps, MAX_CHAIN_WALK);
      let walked = secret;
      for (let step = 1; step <= limit; step++) {
        walked = childOf(key, walked);
        if (hashRefreshSecret(walked) === hash) return true;
        if (step % WALK_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return false;
    },
  };
}
