import type { z } from 'zod';
import { integer, section, setting } from './settings.js';

export const accounts = section('Accounts', 'Who is online, and the `account.me` answers each instance keeps in memory.', {
  // About half a kilobyte a view: 100,000 players' account.me in ~50 MB. 0: every account.me reads the database.
  ACCOUNT_CACHE_MAX: setting(integer(0, 10_000_000), {
    default: '100000',
    description:
      'most `account.me` answers an instance keeps in memory (about half a kilobyte each: ~50 MB at the bound), oldest forgotten first; `0`: every `account.me` reads the database (docs/api.md: Sessions and revocation)',
  }),
  HEARTBEAT_TIMEOUT: setting(integer(10, 3600), {
    default: '120',
    unit: 'seconds',
    description: 'seconds: a longer gap between `account.heartbeat`s is not online time, and a player silent this long is marked offline',
  }),
});

export function accountsConfig(values: z.output<typeof accounts.settings>) {
  return {
    /** ACCOUNT_CACHE_MAX: account.me views held in memory (see AccountViewCache); 0 holds none. */
    accountCacheMax: values.ACCOUNT_CACHE_MAX,
    heartbeatTimeoutSeconds: values.HEARTBEAT_TIMEOUT,
  };
}
