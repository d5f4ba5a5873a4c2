import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteAccount, exportAccount } from './account-lifecycle.js';
import { signInWithIdentity } from './accounts.js';
import { grantExperience } from './experience.js';
import {
  deleteStorageObject,
  StorageAccountGoneError,
  StorageQuotaError,
  StorageVersionConflictError,
  writeStorageObjects,
  type StorageQuota,
  type StorageWrite,
} from './storage-objects.js';
import { listStorageObjects, readStorageObject, readStorageUsage } from './storage-reads.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

// The cloud saves' statements against MariaDB, many writers at once on the pool's 20 connections.
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

let players = 0;
async function newPlayer(): Promise<number> {
  const { accountId } = await signInWithIdentity(database.db, {
    authType: 'test',
    identifier: `saver-${++players}`,
    credential: null,
    ip: '10.0.0.1',
    at: new Date(),
  });
  return accountId;
}

const ROOMY: StorageQuota = { maxObjects: 1000, maxBytes: 10_000_000 };
const newVersion = () => randomBytes(8).toString('hex');
const write = (accountId: number, writes: StorageWrite[], quota: StorageQuota = ROOMY) =>
  writeStorageObjects(database.db, accountId, writes, { quota, at: new Date(), newVersion });

/** What each of several racing calls came to: its answer, or the error's class. */
async function settle<T>(calls: Array<() => Promise<T>>): Promise<Array<{ ok: true; value: T } | { ok: false; error: unknown }>> {
  const results = await Promise.allSettled(calls.map((call) => call()));
  return results.map((result) => (result.status === 'fulfilled' ? { ok: true, value: result.value } : { ok: false, error: result.reason }));
}

describe('versions, with writers racing', () => {
  it('20 parallel writes on one version: exactly one wins, the 19 others are told the winner’s version, nothing else lands', async () => {
    const player = await newPlayer();
    const [first] = await write(player, [{ collection: 'save', key: 'slot1', value: '{"gold":0}' }]);
    const results = await settle(
      Array.from(
        { length: 20 },
        (_, device) => () => write(player, [{ collection: 'save', key: 'slot1', value: `{"gold":${device + 1}}`, ifVersion: first!.version }]),
      ),
    );
    const winners = results.filter((result) => result.ok);
    expect(winners).toHaveLength(1);
    const winner = (winners[0] as { value: Array<{ version: string }> }).value[0]!;
    for (const loser of results.filter((result) => !result.ok)) {
      expect((loser as { error: unknown }).error).toBeInstanceOf(StorageVersionConflictError);
      expect((loser as { error: StorageVersionConflictError }).error.conflicts[0]).toEqual({
        collection: 'save',
        key: 'slot1',
        currentVersion: winner.version,
      });
    }
    const stored = await readStorageObject(database.db, player, 'save', 'slot1');
    expect(stored?.version).toBe(winner.version);
    expect(await readStorageUsage(database.db, player)).toEqual({ objects: 1, bytes: Buffer.byteLength(stored!.value) });
  });

  it('20 parallel creations with "*": exactly one creates the object', async () => {
    const player = await newPlayer();
    const results = await settle(
      Array.from({ length: 20 }, (_, device) => () => write(player, [{ collection: 'save', key: 'new', value: `${device}`, ifVersion: '*' }])),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(
      results.filter((result) => !result.ok).every((result) => (result as { error: unknown }).error instanceof StorageVersionConflictError),
    ).toBe(true);
    expect(await readStorageUsage(database.db, player)).toEqual({ objects: 1, bytes: 1 });
  });

  it('a write on a version that never was, or on an object deleted since, is a conflict naming what is there now', async () => {
    const player = await newPlayer();
    const [made] = await write(player, [{ collection: 'c', key: 'k', value: '1' }]);
    await expect(write(player, [{ collection: 'c', key: 'k', value: '2', ifVersion: 'nope' }])).rejects.toMatchObject({
      conflicts: [{ collection: 'c', key: 'k', currentVersion: made!.version }],
    });
    expect(await deleteStorageObject(database.db, player, { collection: 'c', key: 'k', ifVersion: made!.version })).toBe(true);
    await expect(write(player, [{ collection: 'c', key: 'k', value: '3', ifVersion: made!.version }])).rejects.toMatchObject({
      conflicts: [{ collection: 'c', key: 'k', currentVersion: null }],
    });
    await expect(deleteStorageObject(database.db, player, { collection: 'c', key: 'k', ifVersion: made!.version })).rejects.toBeInstanceOf(
      StorageVersionConflictError,
    );
    expect(await deleteStorageObject(database.db, player, { collection: 'c', key: 'k' })).toBe(false);
    expect(await readStorageUsage(database.db, player)).toEqual({ objects: 0, bytes: 0 });
  });
});

describe('quotas, with writers racing', () => {
  it('30 parallel new objects against a quota of 10: exactly 10 land, the rest are refused as over the objects quota', async () => {
    const player = await newPlayer();
    const quota = { maxObjects: 10, maxBytes: 1_000_000 };
    const results = await settle(Array.from({ length: 30 }, (_, i) => () => write(player, [{ collection: 'c', key: `k${i}`, value: '"x"' }], quota)));
    expect(results.filter((result) => result.ok)).toHaveLength(10);
    for (const refused of results.filter((result) => !result.ok)) {
      expect((refused as { error: unknown }).error).toBeInstanceOf(StorageQuotaError);
      expect((refused as { error: StorageQuotaError }).error.limit).toBe('objects');
    }
    expect((await listStorageObjects(database.db, player, 'c', { afterKey: null, limit: 100 })).objects).toHaveLength(10);
    expect(await readStorageUsage(database.db, player)).toEqual({ objects: 10, bytes: 30 });
  });

  it('the bytes quota counts what a write adds: a rewrite that grows past it is refused, one that shrinks is allowed', async () => {
    const player = await newPlayer();
    const quota = { maxObjects: 10, maxBytes: 20 };
    await write(player, [{ collection: 'c', key: 'a', value: '"0123456789"' }], quota); // 12 bytes
    await expect(write(player, [{ collection: 'c', key: 'b', value: '"0123456789"' }], quota)).rejects.toMatchObject({ limit: 'bytes', wouldBe: 24 });
    await write(player, [{ collection: 'c', key: 'a', value: '"01234567890123456"' }], quota); // 19 bytes: 19 ≤ 20
    await write(player, [{ collection: 'c', key: 'a', value: '1' }], quota);
    expect(await readStorageUsage(database.db, player)).toEqual({ objects: 1, bytes: 1 });
  });
});

describe('several objects at once', () => {
  it('all or nothing: one moved version among three writes leaves all three as they were', async () => {
    const player = await newPlayer();
    const made = await write(player, [
      { collection: 'c', key: 'a', value: '1' },
      { collection: 'c', key: 'b', value: '1' },
    ]);
    await expect(
      write(player, [
        { collection: 'c', key: 'a', value: '2', ifVersion: made[0]!.version },
        { collection: 'c', key: 'b', value: '2', ifVersion: 'stale' },
        { collection: 'c', key: 'new', value: '2' },
      ]),
    ).rejects.toMatchObject({ conflicts: [{ key: 'b', currentVersion: made[1]!.version }] });
    const page = await listStorageObjects(database.db, player, 'c', { afterKey: null, limit: 10 });
    expect(page.objects.map((object) => [object.key, object.value, object.version])).toEqual([
      ['a', '1', made[0]!.version],
      ['b', '1', made[1]!.version],
    ]);
    expect(await readStorageUsage(database.db, player)).toEqual({ objects: 2, bytes: 2 });
  });
});

describe("an account's deletion and its experience", () => {
  it('deletion removes the saves, the export listed them before, and a write after it is refused', async () => {
    const player = await newPlayer();
    await write(player, [{ collection: 'save', key: 'slot1', value: '{"level":"castle"}' }]);
    expect((await exportAccount(database.db, player))?.saves.map((save) => [save.collection, save.key, save.value])).toEqual([
      ['save', 'slot1', '{"level":"castle"}'],
    ]);
    expect(await deleteAccount(database.db, player)).toBe(true);
    expect(await readStorageObject(database.db, player, 'save', 'slot1')).toBeUndefined();
    expect(await readStorageUsage(database.db, player)).toEqual({ objects: 0, bytes: 0 });
    await expect(write(player, [{ collection: 'save', key: 'slot1', value: '1' }])).rejects.toBeInstanceOf(StorageAccountGoneError);
  });

  it('writes racing the deletion leave nothing behind: each landed before it (and went with it) or was refused', async () => {
    const player = await newPlayer();
    const writes = Array.from({ length: 10 }, (_, i) => () => write(player, [{ collection: 'save', key: `k${i}`, value: `${i}` }]));
    const results = await settle<unknown>([...writes.slice(0, 5), () => deleteAccount(database.db, player), ...writes.slice(5)]);
    for (const result of results) if (!result.ok) expect((result as { error: unknown }).error).toBeInstanceOf(StorageAccountGoneError);
    expect(results[5]).toEqual({ ok: true, value: true });
    expect(await database.db.selectFrom('storageObject').select('objectKey').where('accountId', '=', player).execute()).toEqual([]);
    expect(await database.db.selectFrom('storageUsage').select('objects').where('accountId', '=', player).execute()).toEqual([]);
  });

  it('50 parallel grants of experience add up, and the level follows the rule without ever going down', async () => {
    const player = await newPlayer();
    await Promise.all(Array.from({ length: 50 }, () => grantExperience(database.db, player, 10, 100)));
    expect(await grantExperience(database.db, player, 1, 100)).toEqual({ experience: 501, level: 6 });
    await database.db.updateTable('accountProfile').set({ level: 40 }).where('accountId', '=', player).execute();
    expect(await grantExperience(database.db, player, 100, 100)).toEqual({ experience: 601, level: 40 });
    expect(await grantExperience(database.db, player, 100, null)).toEqual({ experience: 701, level: 40 });
    expect(await grantExperience(database.db, 987_654_321, 1, 100)).toBeUndefined();
  });
});
