import { linkIdentity, unlinkIdentity, type Database, type Kysely } from '@minigate/db';
import type { AtRestCipher } from '../at-rest-cipher.js';
import { anonymousAuthType, openidAuthType, PLATFORMS, unionidAuthType } from '../apps/platform-identities.js';
import type { ServedApps } from '../apps/served-apps.js';
import type { AuthenticatedUser, Caller } from '../context.js';
import { MinigateError } from '../errors.js';
import type { AccountService } from './account-service.js';
import { appUnknown } from './login-refusals.js';
import { loginErrorFromPlatform } from './platform-login-errors.js';
import type { AccountView } from './views.js';

export interface IdentityService {
  /**
   * Adds the signed-in player's identity in another game (any platform):
   * the code that game's login gave is exchanged, and its openid (and the
   * platform's unionid, where no account holds it) joins this account.
   * IDENTITY_TAKEN (409) when another account holds that openid: nothing changes.
   */
  link(user: AuthenticatedUser, appid: string, code: string, caller: Caller): Promise<AccountView>;
  /** Lets the account's identity in a game go (its openid, a Douyin guest); LAST_IDENTITY (409) when it is the last way in. */
  unlink(user: AuthenticatedUser, appid: string): Promise<AccountView>;
}

export interface IdentityServiceDeps {
  db: Kysely<Database>;
  apps: ServedApps;
  accounts: AccountService;
  /** Session keys are stored encrypted, as a login stores them. */
  sessionKeys: AtRestCipher;
  now?: () => number;
}

const accountGone = () =>
  new MinigateError({ code: 'UNAUTHORIZED', reason: 'ACCOUNT_NOT_FOUND', message: 'This account no longer exists: sign in again' });

/** Identities that sign a player in: a game's openid, a Douyin guest. */
const signsIn = (authType: string) => /^(wechat|douyin|qq)_(openid|anonymous):/.test(authType);

export function createIdentityService(deps: IdentityServiceDeps): IdentityService {
  const now = deps.now ?? Date.now;
  return {
    async link(user, appid, code, caller) {
      const app = deps.apps.get(appid);
      if (!app) throw appUnknown(appid);
      let session;
      try {
        session = await app.exchange({ code });
      } catch (error) {
        caller.log.warn({ appid, error: (error as Error).message }, 'a code to link an identity was refused');
        throw loginErrorFromPlatform(error);
      }
      if (!session.openid) throw new MinigateError({ code: 'BAD_GATEWAY', reason: 'PLATFORM_ERROR', message: `${app.platform} answered no openid` });
      const outcome = await linkIdentity(deps.db, {
        accountId: user.accountId,
        authType: openidAuthType(app.platform, app.appid),
        identifier: session.openid,
        credential: deps.sessionKeys.encrypt(session.sessionKey),
        at: new Date(now()),
        linkedIdentities: session.unionid ? [{ authType: unionidAuthType(app.platform), identifier: session.unionid }] : [],
      });
      deps.accounts.changed(user.accountId);
      if (outcome === 'account_gone') throw accountGone();
      if (outcome === 'taken') {
        throw new MinigateError({
          code: 'CONFLICT',
          reason: 'IDENTITY_TAKEN',
          message: `This player's identity in ${appid} belongs to another account: nothing was changed`,
          fields: [{ path: 'code', message: 'the identity it proves belongs to another account' }],
        });
      }
      return deps.accounts.me(user.accountId);
    },

    async unlink(user, appid) {
      const outcome = await unlinkIdentity(deps.db, {
        accountId: user.accountId,
        authTypes: [...PLATFORMS.map((platform) => openidAuthType(platform, appid)), anonymousAuthType(appid)],
        signsIn,
        // A platform's unionid goes with the last of its games: else a login to another of them would join this account again.
        orphans: (remaining) =>
          PLATFORMS.filter((platform) => !remaining.some((authType) => authType.startsWith(`${platform}_openid:`))).map(unionidAuthType),
      });
      deps.accounts.changed(user.accountId);
      if (outcome === 'account_gone') throw accountGone();
      if (outcome === 'not_linked') {
        throw new MinigateError({
          code: 'NOT_FOUND',
          reason: 'IDENTITY_NOT_LINKED',
          message: `This account has no identity in ${appid}`,
          fields: [{ path: 'appid', message: 'no identity of the account is in this game' }],
        });
      }
      if (outcome === 'last') {
        throw new MinigateError({
          code: 'CONFLICT',
          reason: 'LAST_IDENTITY',
          message: 'This is the last way to sign in to the account: link another before unlinking it',
          fields: [{ path: 'appid', message: "the account's last sign-in identity" }],
        });
      }
      return deps.accounts.me(user.accountId);
    },
  };
}
