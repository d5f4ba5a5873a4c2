import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithIdentity } from './accounts.js';
import { countOnline, recordHeartbeat, sweepOffline } from './profiles.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

const TIMEOUT = 120;
const at = (seconds: number) => new Date(Date.parse('2026-12-01T12:00:00.000Z') + seconds * 1000);
let players = 0;

async function newPlayer(): Promise<number> {
  const { accountId } = await signInWithIdentity(database.db, {
    authType: 'test',
    identifier: `beat-${++players}`,
    credential: null,
    ip: '10.0.0.1',
    at: at(0),
  });
  return accountId;
}

describe('heartbeats, with a clock the test moves', () => {
  it('count the gaps between heartbeats up to the timeout, and nothing for a longer gap or a clock moved back', async () => {
    const accountId = await newPlayer();
    expect(await recordHeartbeat(database.db, accountId, at(0), TIMEOUT)).toBe(0);
    expect(await recordHeartbeat(database.db, accountId, at(30), TIMEOUT)).toBe(30);
    expect(await recordHeartbeat(database.db, accountId, at(30 + TIMEOUT), TIMEOUT)).toBe(30 + TIMEOUT);
    // The game was closed for longer than the timeout: that gap is not online time.
    expect(await recordHeartbeat(database.db, accountId, at(30 + TIMEOUT + 500), TIMEOUT)).toBe(30 + TIMEOUT);
    expect(await recordHeartbeat(database.db, accountId, at(30 + TIMEOUT + 510), TIMEOUT)).toBe(40 + TIMEOUT);
    // The device's clock went back an hour: nothing counts, nothing goes negative.
    expect(await recordHeartbeat(database.db, accountId, at(30 + TIMEOUT + 510 - 3600), TIMEOUT)).toBe(40 + TIMEOUT);
  });

  it('a player whose heartbeats stop is swept offline and counted out; the next heartbeat starts a new stretch', async () => {
    const [ann, ben] = [await newPlayer(), await newPlayer()];
    await recordHeartbeat(database.db, ann, at(1000), TIMEOUT);
    await recordHeartbeat(database.db, ben, at(1100), TIMEOUT);
    expect(await countOnline(database.db, at(1100 - TIMEOUT))).toBeGreaterThanOrEqual(2);
    expect(await sweepOffline(database.db, at(1000 + 1))).toBeGreaterThanOrEqual(1);
    const onlineAfterSweep = await database.db
      .selectFrom('accountProfile')
      .select(['accountId', 'onlineStatus'])
      .where('accountId', 'in', [ann, ben])
      .orderBy('accountId')
      .execute();
    expect(onlineAfterSweep).toEqual([
      { accountId: ann, onlineStatus: 0 },
      { accountId: ben, onlineStatus: 1 },
    ]);
    // Offline now: the gap before the next heartbeat does not count, even if short.
    expect(await recordHeartbeat(database.db, ann, at(1010), TIMEOUT)).toBe(0);
  });

  it('answers undefined for an account that does not exist', async () => {
    expect(await recordHeartbeat(database.db, 987_654_321, at(0), TIMEOUT)).toBeUndefined();
  });
});
