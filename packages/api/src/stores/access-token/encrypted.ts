import type { AccessTokenStore, StoredAccessToken } from '@minigate/wechat';
import type { AtRestCipher } from '../../at-rest-cipher.js';

/**
 * The same store with the token encrypted at rest (ENCRYPTION_KEY, as
 * session keys are): a database or Redis dump does not hand out a live
 * credential. Invalidation compares the stored ciphertext it read, so a
 * token another instance wrote meanwhile is left alone.
 */
export function encryptedAccessTokenStore(store: AccessTokenStore, cipher: AtRestCipher): AccessTokenStore {
  const open = (record: StoredAccessToken | null): StoredAccessToken | null => {
    if (!record) return null;
    const token = cipher.decrypt(record.token);
    // Written under a retired key: as good as none, the manager fetches a new one.
    return token === null ? { ...record, token: '', expiresAt: 0 } : { ...record, token };
  };
  return {
    read: async (appid) => open(await store.read(appid)),
    write: (appid, record) => store.write(appid, { ...record, token: cipher.encrypt(record.token) }),
    async compareAndInvalidate(appid, token) {
      const stored = await store.read(appid);
      if (!stored || cipher.decrypt(stored.token) !== token) return false;
      return store.compareAndInvalidate(appid, stored.token);
    },
    withLock: (appid, work) => store.withLock(appid, work),
  };
}
