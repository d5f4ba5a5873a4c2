import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAtRestCipher } from './at-rest-cipher.js';

describe('at-rest cipher', () => {
  const sessionKey = 'HyVFkGl5F5OQWJZZaNzBBg==';

  it('encrypts (never the plain key, never twice the same) and decrypts', () => {
    const cipher = createAtRestCipher(randomBytes(32));
    const first = cipher.encrypt(sessionKey);
    const second = cipher.encrypt(sessionKey);
    expect(first).not.toContain(sessionKey);
    expect(first).not.toBe(second);
    expect(first.length).toBeLessThanOrEqual(255);
    expect(cipher.decrypt(first)).toBe(sessionKey);
  });

  it('still reads values written under a previous key after a rotation, and refuses tampering', () => {
    const oldKey = randomBytes(32);
    const written = createAtRestCipher(oldKey).encrypt(sessionKey);
    const rotated = createAtRestCipher(randomBytes(32), [oldKey]);
    expect(rotated.decrypt(written)).toBe(sessionKey);
    expect(createAtRestCipher(randomBytes(32)).decrypt(written)).toBeNull();
    const parts = written.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(rotated.decrypt(parts.join('.'))).toBeNull();
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => createAtRestCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('session key cipher: the GCM tag is pinned to 16 bytes', () => {
  const sessionKey = 'HyVFkGl5F5OQWJZZaNzBBg==';

  it('refuses a stored value whose tag was cut short (Node would check only the bytes given)', () => {
    const cipher = createAtRestCipher(randomBytes(32));
    const written = cipher.encrypt(sessionKey);
    const parts = written.split('.');
    const tag = Buffer.from(parts[3]!, 'base64url');
    expect(tag).toHaveLength(16);
    const withTag = (bytes: number) => [...parts.slice(0, 3), tag.subarray(0, bytes).toString('base64url'), parts[4]].join('.');
    expect(cipher.decrypt(withTag(16))).toBe(sessionKey);
    for (const bytes of [4, 8, 12, 15]) expect({ bytes, decrypted: cipher.decrypt(withTag(bytes)) }).toEqual({ bytes, decrypted: null });
    // A tag longer than 16 bytes, or one that is not canonical base64url, is not ours either.
    expect(cipher.decrypt([...parts.slice(0, 3), Buffer.concat([tag, Buffer.from([0])]).toString('base64url'), parts[4]].join('.'))).toBeNull();
    expect(cipher.decrypt([...parts.slice(0, 3), `${parts[3]}==`, parts[4]].join('.'))).toBeNull();
  });
});
