import { findIdentityCredential, type Database, type Kysely } from '@minigate/db';
import type { AtRestCipher } from '../at-rest-cipher.js';
import { openidAuthType } from '../apps/platform-identities.js';
import type { ServedApp } from '../apps/served-apps.js';
import { sessionKeyStale } from './wechat-call-errors.js';

/** The player's identity in one game as the server holds it: openid, the current session_key and when it was set. */
export interface PlayerSessionKey {
  openid: string;
  sessionKey: string;
  /** Epoch milliseconds at which the server got this key (account_auth.time_stamp). */
  issuedAt: number | null;
}

export interface SessionKeys {
  /** The player's openid in the game and its current session key, or SESSION_KEY_STALE when the server holds none it can open. */
  current(accountId: number, app: ServedApp): Promise<PlayerSessionKey>;
  /** The player's openid in the game, or null (the account has no identity there). */
  openidOf(accountId: number, app: ServedApp): Promise<string | null>;
}

/** Reads the game's openid identity's credential (encrypted with ENCRYPTION_KEY) and decrypts it. */
export function createSessionKeys(deps: { db: Kysely<Database>; cipher: AtRestCipher }): SessionKeys {
  return {
    async current(accountId, app) {
      const identity = await findIdentityCredential(deps.db, accountId, openidAuthType(app.platform, app.appid));
      // No key, or one written under an encryption key no longer listed: a new login brings a fresh one.
      const sessionKey = identity?.credential ? deps.cipher.decrypt(identity.credential) : null;
      if (!identity || !sessionKey) throw sessionKeyStale('The server holds no session key of this game for you: log in again and retry');
      return { openid: identity.identifier, sessionKey, issuedAt: identity.timeStamp ? identity.timeStamp.getTime() : null };
    },
    async openidOf(accountId, app) {
      return (await findIdentityCredential(deps.db, accountId, openidAuthType(app.platform, app.appid)))?.identifier ?? null;
    },
  };
}
