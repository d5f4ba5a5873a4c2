import { findIdentityCredential, type Database, type Kysely } from '@minigate/db';
import type { AtRestCipher } from '../at-rest-cipher.js';
import { sessionKeyStale } from './wechat-call-errors.js';

/** The player's WeChat identity as the server holds it: openid, the current session_key and when it was set. */
export interface PlayerSessionKey {
  openid: string;
  sessionKey: string;
  /** Epoch milliseconds at which the server got this key (account_auth.time_stamp). */
  issuedAt: number | null;
}

export interface SessionKeys {
  /** The player's openid and current session key, or SESSION_KEY_STALE when the server holds none it can open. */
  current(accountId: number): Promise<PlayerSessionKey>;
  /** The player's openid, or null (an account without a WeChat identity). */
  openidOf(accountId: number): Promise<string | null>;
}

/** Reads the openid identity's credential (encrypted with ENCRYPTION_KEY) and decrypts it. */
export function createSessionKeys(deps: { db: Kysely<Database>; cipher: AtRestCipher; openidAuthType: string }): SessionKeys {
  return {
    async current(accountId) {
      const identity = await findIdentityCredential(deps.db, accountId, deps.openidAuthType);
      // No key, or one written under an encryption key no longer listed: a new wx.login brings a fresh one.
      const sessionKey = identity?.credential ? deps.cipher.decrypt(identity.credential) : null;
      if (!identity || !sessionKey) throw sessionKeyStale('The server holds no WeChat session key for you: log in again (wx.login) and retry');
      return { openid: identity.identifier, sessionKey, issuedAt: identity.timeStamp ? identity.timeStamp.getTime() : null };
    },
    async openidOf(accountId) {
      return (await findIdentityCredential(deps.db, accountId, deps.openidAuthType))?.identifier ?? null;
    },
  };
}
