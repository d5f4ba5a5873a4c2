import { describe, expect, it } from 'vitest';
import { createAccountViewCache, type AccountViewCacheOptions } from './account-view-cache.js';
import type { AccountView } from './services/views.js';

const view = (id: number, nickName = `player-${id}`): AccountView => ({
  id,
  nickName,
  avatarUrl: '',
  createdAt: 0,
  phoneBound: false,
  identities: [],
  profile: {
    gender: 0,
    level: 1,
    experience: 0,
    lastLoginAt: null,
    birthday: null,
    onlineSeconds: 0,
    unreadMessages: 0,
    country: '',
    province: '',
    city: '',
    language: '',
  },
});

function cacheWith(options: Partial<AccountViewCacheOptions> = {}) {
  let current = true;
  let clock = 1_000_000;
  const cache = createAccountViewCache({ maxEntries: 100, feedIsCurrent: () => current, now: () => clock, ...options });
  const held = (accountId: number) => {
    const ticket = cache.reading(accountId);
    cache.keep(accountId, ticket, view(accountId));
  };
  return { cache, held, setCurrent: (value: boolean) => (current = value), advance: (ms: number) => (clock += ms) };
}

describe('AccountViewCache', () => {
  it('serves a kept view until this instance changes the account', () => {
    const { cache, held } = cacheWith();
    expect(cache.get(1)).toBeUndefined();
    held(1);
    expect(cache.get(1)?.nickName).toBe('player-1');
    cache.changed(1);
    expect(cache.get(1)).toBeUndefined();
    expect(cache.stats()).toEqual({ entries: 0, hits: 1, misses: 2 });
  });

  it('does not keep a read that was under way when the account changed', () => {
    const { cache } = cacheWith();
    const before = cache.reading(1);
    cache.changed(1);
    cache.keep(1, before, view(1, 'old'));
    expect(cache.get(1)).toBeUndefined();
    // A read that began after the change is kept; of two concurrent reads, the later one.
    const first = cache.reading(1);
    const second = cache.reading(1);
    cache.keep(1, second, view(1, 'second'));
    cache.keep(1, first, view(1, 'first'));
    expect(cache.get(1)?.nickName).toBe('second');
  });

  it('forgets an account the feed shows changed, once per change however often the overlapping reads bring it', () => {
    const { cache, held, advance } = cacheWith();
    held(1);
    held(2);
    const change = { accountId: 1, at: new Date('2026-12-04T10:00:00.123Z') };
    cache.feedChanges([change]);
    expect(cache.get(1)).toBeUndefined();
    expect(cache.get(2)).toBeDefined();
    // Read again after the change and kept: the same change in the next read of the feed is not acted on twice.
    held(1);
    cache.feedChanges([change]);
    expect(cache.get(1)).toBeDefined();
    // A later change of the same account is.
    cache.feedChanges([change, { accountId: 1, at: new Date('2026-12-04T10:00:01.000Z') }]);
    expect(cache.get(1)).toBeUndefined();
    // Changes seen long ago are forgotten (the feed's reads overlap by 5 s only), so memory stays bounded.
    held(1);
    advance(16_000);
    cache.feedChanges([]);
    cache.feedChanges([change]);
    expect(cache.get(1)).toBeUndefined();
  });

  it("serves nothing while the feed is not current, keeps nothing read meanwhile, and drops everything on the feed's fresh start", () => {
    const { cache, held, setCurrent } = cacheWith();
    held(1);
    setCurrent(false);
    expect(cache.get(1)).toBeUndefined();
    held(2);
    setCurrent(true);
    expect(cache.get(1)).toBeDefined();
    expect(cache.get(2)).toBeUndefined();
    cache.feedChanges('all');
    expect(cache.get(1)).toBeUndefined();
  });

  it('holds at most maxEntries views, forgetting the oldest; 0 holds none', () => {
    const { cache, held } = cacheWith({ maxEntries: 3 });
    for (const id of [1, 2, 3, 4]) held(id);
    expect([1, 2, 3, 4].map((id) => cache.get(id) !== undefined)).toEqual([false, true, true, true]);
    expect(cache.stats().entries).toBe(3);
    const none = cacheWith({ maxEntries: 0 });
    none.held(1);
    expect(none.cache.get(1)).toBeUndefined();
    expect(none.cache.stats().entries).toBe(0);
  });
});
