import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Encrypts secrets at rest: WeChat session keys (the `credential` column) and the app's access token (MySQL or Redis). */
export interface AtRestCipher {
  encrypt(plaintext: string): string;
  /** Returns null when no known key opens the value (tampered, or written under a retired key). */
  decrypt(stored: string): string | null;
}

const FORMAT = 'v1';
/** GCM's full tag: a shorter one would be checked only as far as it goes (Node accepts 4 to 16 bytes unless told). */
const TAG_BYTES = 16;
/** 16 bytes in canonical unpadded base64url: 22 characters, the last carrying 2 bits and 4 zero bits. */
const TAG_TEXT = /^[A-Za-z0-9_-]{21}[AQgw]$/;

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}

/**
 * AES-256-GCM under ENCRYPTION_KEY; values written under an older key stay
 * readable while that key is listed in ENCRYPTION_KEYS_PREVIOUS. A stored
 * value is `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url), about 90
 * characters for a WeChat session key.
 */
export function createAtRestCipher(currentKey: Buffer, previousKeys: readonly Buffer[] = []): AtRestCipher {
  for (const key of [currentKey, ...previousKeys]) {
    if (key.length !== 32) throw new Error('encryption keys must be 32 bytes');
  }
  const currentId = keyId(currentKey);
  const keysById = new Map([currentKey, ...previousKeys].map((key) => [keyId(key), key]));

  return {
    encrypt(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv, { authTagLength: TAG_BYTES });
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [FORMAT, currentId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
    },

    decrypt(stored) {
      const [format, id, iv, tag, ciphertext] = stored.split('.');
      const key = id ? keysById.get(id) : undefined;
      if (format !== FORMAT || !key || !iv || !tag || ciphertext === undefined) return null;
      // A tag cut short (or padded, or not base64url) is refused before GCM sees it: a truncated tag must not open.
      if (!TAG_TEXT.test(tag)) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}
