import { findAccountWithProfile, type Database, type Kysely } from '@minigate/db';
import { MinigateError } from '../errors.js';
import type { AccountView } from './views.js';

export interface AccountService {
  /** The signed-in player's own account and profile. */
  me(accountId: number): Promise<AccountView>;
}

export function createAccountService(deps: { db: Kysely<Database> }): AccountService {
  return {
    async me(accountId) {
      const found = await findAccountWithProfile(deps.db, accountId);
      if (!found) {
        throw new MinigateError({ code: 'UNAUTHORIZED', reason: 'ACCOUNT_NOT_FOUND', message: 'This account no longer exists: sign in again' });
      }
      if (found.dataFlag !== 1) {
        throw new MinigateError({ code: 'FORBIDDEN', reason: 'ACCOUNT_DISABLED', message: 'This account is disabled' });
      }
      return {
        id: found.accountId,
        nickName: found.nickName,
        avatarUrl: found.avatar,
        createdAt: found.createTime.getTime(),
        profile: {
          gender: found.gender,
          level: found.level,
          experience: Number(found.experience),
          lastLoginAt: found.loginTime ? found.loginTime.getTime() : null,
        },
      };
    },
  };
}
