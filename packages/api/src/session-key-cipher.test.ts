import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSessionKeyCipher } from './session-key-cipher.js';

describe('session key cipher', () => {
  const sessionKey = 'HyVFkGl5F5OQWJZZaNzBBg==';

  it('encrypts (never the plain key, never twice the same) and decrypts', () => {
    const cipher = createSessionKeyCipher(randomBytes(32));
    const first = cipher.encrypt(sessionKey);
    const second = cipher.encrypt(sessionKey);
    expect(first).not.toContain(sessionKey);
    expect(first).not.toBe(second);
    expect(first.length).toBeLessThanOrEqual(255);
    expect(cipher.decrypt(first)).toBe(sessionKey);
  });

  it('still reads values written under a previous key after a rotation, and refuses tampering', () => {
    const oldKey = randomBytes(32);
    const written = createSessionKeyCipher(oldKey).encrypt(sessionKey);
    const rotated = createSessionKeyCipher(randomBytes(32), [oldKey]);
    expect(rotated.decrypt(written)).toBe(sessionKey);
    expect(createSessionKeyCipher(randomBytes(32)).decrypt(written)).toBeNull();
    const parts = written.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(rotated.decrypt(parts.join('.'))).toBeNull();
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => createSessionKeyCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});
