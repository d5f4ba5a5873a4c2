import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRefreshChain, formatRefreshToken, hashRefreshSecret, MAX_CHAIN_WALK, newRefreshSecret, parseRefreshToken } from './refresh-tokens.js';

const KEY = Buffer.alloc(32, 7);
const OLD_KEY = Buffer.alloc(32, 9);

/** The chain from `secret`, `length` children long, under the chain's current key. */
function chainFrom(chain: ReturnType<typeof createRefreshChain>, secret: string, length: number, keyId = chain.currentKeyId): string[] {
  const secrets = [secret];
  for (let i = 0; i < length; i++) secrets.push(chain.childrenOf(secrets.at(-1)!).get(keyId)!.secret);
  return secrets;
}

describe('refresh-token chains', () => {
  it('a child is a token like any other: 43 base64url characters, parsed back to its session, secret and hash', () => {
    const chain = createRefreshChain(KEY);
    const child = chain.childrenOf(newRefreshSecret().secret).get(chain.currentKeyId)!;
    expect(child.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(parseRefreshToken(formatRefreshToken(42, child.secret))).toEqual({ sessionId: 42, secret: child.secret, hash: child.hash });
    expect(child.hash).toBe(hashRefreshSecret(child.secret));
  });

  it('the same parent gives the same child (a retry is answered with it); another key, or another parent, another child', () => {
    const parent = newRefreshSecret().secret;
    const chain = createRefreshChain(KEY, [OLD_KEY]);
    const again = createRefreshChain(KEY);
    expect(chain.childrenOf(parent).get(chain.currentKeyId)).toEqual(again.childrenOf(parent).get(again.currentKeyId));
    const children = chain.childrenOf(parent);
    expect(children.size).toBe(2);
    expect(new Set([...children.values()].map((child) => child.secret)).size).toBe(2);
    expect(chain.childrenOf(newRefreshSecret().secret).get(chain.currentKeyId)).not.toEqual(children.get(chain.currentKeyId));
    // The key id is public and stable; it is not the key, nor the chain key.
    expect(chain.currentKeyId).toMatch(/^[0-9a-f]{16}$/);
    expect(createRefreshChain(OLD_KEY).currentKeyId).not.toBe(chain.currentKeyId);
    expect(KEY.toString('hex')).not.toContain(chain.currentKeyId);
  });

  it('walking forward from a spent secret reaches the current hash within the rotations, and only then', async () => {
    const chain = createRefreshChain(KEY);
    const secrets = chainFrom(chain, newRefreshSecret().secret, 25);
    const current = hashRefreshSecret(secrets.at(-1)!);
    expect(await chain.reaches(secrets[0]!, chain.currentKeyId, current, 25)).toBe(true);
    expect(await chain.reaches(secrets[0]!, chain.currentKeyId, current, 24)).toBe(false);
    expect(await chain.reaches(secrets[24]!, chain.currentKeyId, current, 25)).toBe(true);
    // Forged, or the current one itself, or another key: never reaches it.
    expect(await chain.reaches(randomBytes(32).toString('base64url'), chain.currentKeyId, current, 25)).toBe(false);
    expect(await chain.reaches(secrets.at(-1)!, chain.currentKeyId, current, 25)).toBe(false);
    expect(await chain.reaches(secrets[0]!, createRefreshChain(OLD_KEY).currentKeyId, current, 25)).toBe(false);
  });

  it('a chain minted under a key now listed as previous stays walkable; a key no longer listed walks nowhere', async () => {
    const before = createRefreshChain(OLD_KEY);
    const secrets = chainFrom(before, newRefreshSecret().secret, 5);
    const current = hashRefreshSecret(secrets.at(-1)!);
    const rotated = createRefreshChain(KEY, [OLD_KEY]);
    expect(await rotated.reaches(secrets[1]!, before.currentKeyId, current, 5)).toBe(true);
    expect(rotated.childrenOf(secrets.at(-2)!).get(before.currentKeyId)!.hash).toBe(current);
    expect(await createRefreshChain(KEY).reaches(secrets[1]!, before.currentKeyId, current, 5)).toBe(false);
  });

  it(`a walk stops at ${MAX_CHAIN_WALK} steps whatever the row claims, yielding the event loop on the way`, async () => {
    const chain = createRefreshChain(KEY);
    const secrets = chainFrom(chain, newRefreshSecret().secret, MAX_CHAIN_WALK + 1);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    try {
      expect(await chain.reaches(secrets[0]!, chain.currentKeyId, hashRefreshSecret(secrets[MAX_CHAIN_WALK]!), 10 ** 9)).toBe(true);
      expect(await chain.reaches(secrets[0]!, chain.currentKeyId, hashRefreshSecret(secrets[MAX_CHAIN_WALK + 1]!), 10 ** 9)).toBe(false);
    } finally {
      clearInterval(ticker);
    }
    expect(ticks).toBeGreaterThan(0);
  });
});
