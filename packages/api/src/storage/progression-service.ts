import { grantExperience, type Database, type Kysely } from '@minigate/db';
import type { ProgressView } from './views.js';

/**
 * The seed's Experience and Level are the server's: no procedure lets a client write them (account.updateProfile
 * refuses them, and storage.* keeps to its own table and refuses the reserved `_…` collections). Other services
 * (a mail's reward, a match's result) change them through this.
 */
export interface ProgressionService {
  /**
   * Adds `amount` experience (a whole number, 1 or more) to a live player, and raises the level by the declared rule
   * (EXPERIENCE_PER_LEVEL: 1 + floor(experience / it); unset: the level stays). Concurrent grants add up. Undefined
   * when the account is gone.
   */
  grantExperience(accountId: number, amount: number): Promise<ProgressView | undefined>;
}

export function createProgressionService(deps: {
  db: Kysely<Database>;
  experiencePerLevel: number | null;
  /** The account's view held in memory is forgotten (account.me reads the new level at once on this instance). */
  onChanged: (accountId: number) => void;
}): ProgressionService {
  return {
    async grantExperience(accountId, amount) {
      if (!Number.isSafeInteger(amount) || amount < 1)
        throw new RangeError(`an experience grant must be a whole number of at least 1, not ${amount}`);
      const progress = await grantExperience(deps.db, accountId, amount, deps.experiencePerLevel);
      deps.onChanged(accountId);
      return progress;
    },
  };
}
