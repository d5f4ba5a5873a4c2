import type { IdentityKey } from '@minigate/db';
import type { PlatformSession } from '@minigate/platforms';
import { anonymousAuthType, openidAuthType, unionidAuthType } from './platform-identities.js';
import type { ServedApp } from './served-apps.js';

/** The identity a login signs in with, and those that join it to an account. */
export interface SignInIdentity {
  authType: string;
  identifier: string;
  /**
   * Tried in order when the identity has no account yet: the first with a
   * live account takes it in. Each is recorded on the account signed in to,
   * unless another account holds it.
   */
  linkedIdentities: IdentityKey[];
}

/**
 * What a platform's answer signs in as. With an openid: the game's openid,
 * joined to the guest's account (an upgrade: a Douyin code and anonymous
 * code together) and else to the account of the platform's unionid. With
 * only an anonymous openid: the Douyin guest of this game.
 */
export function signInIdentity(app: ServedApp, session: PlatformSession): SignInIdentity {
  if (!session.openid) {
    if (!session.anonymousOpenid) throw new Error(`${app.platform} answered neither an openid nor an anonymous openid`);
    return { authType: anonymousAuthType(app.appid), identifier: session.anonymousOpenid, linkedIdentities: [] };
  }
  const linked: IdentityKey[] = [];
  if (session.anonymousOpenid) linked.push({ authType: anonymousAuthType(app.appid), identifier: session.anonymousOpenid });
  if (session.unionid) linked.push({ authType: unionidAuthType(app.platform), identifier: session.unionid });
  return { authType: openidAuthType(app.platform, app.appid), identifier: session.openid, linkedIdentities: linked };
}
