import { sql, type Kysely, type Transaction } from 'kysely';
import { isDuplicateKeyError } from './database-errors.js';
import type { Database } from './schema.js';
import { transactionWithRetry } from './write-conflict-retry.js';

/** One object to write: its value as JSON text, and (optionally) the version it must still have. */
export interface StorageWrite {
  collection: string;
  key: string;
  /** JSON text, as it will be read back. */
  value: string;
  /**
   * The condition: undefined writes whatever is there (the last write wins); `*` writes only when there is no
   * such object; any other string writes only while the object still has that version.
   */
  ifVersion?: string | undefined;
}

/** A player's quotas: most objects and most bytes (the values' UTF-8 lengths added up). */
export interface StorageQuota {
  maxObjects: number;
  maxBytes: number;
}

/** An object whose version was not the one a write was conditioned on; `currentVersion` null: there is none. */
export interface StorageConflict {
  collection: string;
  key: string;
  currentVersion: string | null;
}

/** A conditioned write or delete met another version (or none): nothing was written. */
export class StorageVersionConflictError extends Error {
  override name = 'StorageVersionConflictError';
  constructor(readonly conflicts: readonly StorageConflict[]) {
    super(`the version of ${conflicts.map((conflict) => `${conflict.collection}/${conflict.key}`).join(', ')} has moved`);
  }
}

/** The write would take the player over a quota: nothing was written. */
export class StorageQuotaError extends Error {
  override name = 'StorageQuotaError';
  constructor(
    readonly limit: 'objects' | 'bytes',
    /** What the player would hold after the write. */
    readonly wouldBe: number,
    readonly max: number,
  ) {
    super(`the write would make ${wouldBe} ${limit}, over the quota of ${max}`);
  }
}

/** The account is deleted (or never was): its saves are gone and none is written. */
export class StorageAccountGoneError extends Error {
  override name = 'StorageAccountGoneError';
}

/** An object as written: its new version. */
export interface StorageWritten {
  collection: string;
  key: string;
  version: string;
  updateTime: Date;
}

interface Usage {
  objects: number;
  bytes: number;
}

/**
 * The first statements of every write of a player's saves. The account's row is read in share mode (a deletion,
 * which locks it for update, waits for writes under way, and writes after it find the account gone), then the
 * player's usage row is made if need be and locked: a player's writes run one after the other from here, so the
 * quotas counted on this row are exact, and two writes of one player never deadlock on each other's objects.
 */
async function lockUsage(trx: Transaction<Database>, accountId: number): Promise<Usage> {
  const live = await sql<{ accountId: number }>`
    SELECT account_id FROM account WHERE account_id = ${accountId} AND is_del = 0 LOCK IN SHARE MODE`.execute(trx);
  if (live.rows.length === 0) throw new StorageAccountGoneError(`account ${accountId} is gone`);
  await sql`
    INSERT INTO storage_usage (account_id, objects, bytes) VALUES (${accountId}, 0, 0)
    ON DUPLICATE KEY UPDATE account_id = account_id`.execute(trx);
  const usage = await trx
    .selectFrom('storageUsage')
    .select(['objects', 'bytes'])
    .where('accountId', '=', accountId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { objects: Number(usage.objects), bytes: Number(usage.bytes) };
}

const objectId = (collection: string, key: string) => `${collection}\u0000${key}`;

/** The objects named, locked (the player's usage row is held already, so this waits on nothing of the player's). */
async function lockObjects(trx: Transaction<Database>, accountId: number, names: ReadonlyArray<{ collection: string; key: string }>) {
  const rows = await trx
    .selectFrom('storageObject')
    .select(['collection', 'objectKey', 'version', 'sizeBytes'])
    .where('accountId', '=', accountId)
    .where((eb) => eb.or(names.map((name) => eb.and([eb('collection', '=', name.collection), eb('objectKey', '=', name.key)]))))
    .forUpdate()
    .execute();
  return new Map(rows.map((row) => [objectId(row.collection, row.objectKey), { version: row.version, sizeBytes: Number(row.sizeBytes) }]));
}

/** The usage after a change, or the quota it breaks. A change that adds nothing is allowed over a quota (one lowered since). */
function checkedUsage(usage: Usage, change: Usage, quota: StorageQuota): Usage {
  const after = { objects: usage.objects + change.objects, bytes: usage.bytes + change.bytes };
  if (change.objects > 0 && after.objects > quota.maxObjects) throw new StorageQuotaError('objects', after.objects, quota.maxObjects);
  if (change.bytes > 0 && after.bytes > quota.maxBytes) throw new StorageQuotaError('bytes', after.bytes, quota.maxBytes);
  return after;
}

/**
 * Writes objects of one player, all of them or none, in one transaction. Every condition is checked first, and any
 * that fails throws StorageVersionConflictError naming each object whose version moved; then the quotas
 * (StorageQuotaError); then each object is written by a statement that decides by itself: an UPDATE … WHERE
 * version = the version read (one row, or a conflict) or an INSERT under the primary key (a duplicate is a
 * conflict). Each written object gets a new version from `newVersion`.
 */
export async function writeStorageObjects(
  db: Kysely<Database>,
  accountId: number,
  writes: readonly StorageWrite[],
  options: { quota: StorageQuota; at: Date; newVersion: () => string },
): Promise<StorageWritten[]> {
  return transactionWithRetry(db, async (trx) => {
    const usage = await lockUsage(trx, accountId);
    const current = await lockObjects(trx, accountId, writes);
    const conflicts: StorageConflict[] = [];
    const change: Usage = { objects: 0, bytes: 0 };
    for (const write of writes) {
      const known = current.get(objectId(write.collection, write.key));
      const moved = write.ifVersion === undefined ? false : write.ifVersion === '*' ? known !== undefined : known?.version !== write.ifVersion;
      if (moved) conflicts.push({ collection: write.collection, key: write.key, currentVersion: known?.version ?? null });
      change.objects += known ? 0 : 1;
      change.bytes += Buffer.byteLength(write.value, 'utf8') - (known?.sizeBytes ?? 0);
    }
    if (conflicts.length > 0) throw new StorageVersionConflictError(conflicts);
    const after = checkedUsage(usage, change, options.quota);
    const written: StorageWritten[] = [];
    for (const write of writes) {
      const known = current.get(objectId(write.collection, write.key));
      const version = options.newVersion();
      const fields = { value: write.value, version, sizeBytes: Buffer.byteLength(write.value, 'utf8'), updateTime: options.at };
      if (known) {
        const updated = await trx
          .updateTable('storageObject')
          .set(fields)
          .where('accountId', '=', accountId)
          .where('collection', '=', write.collection)
          .where('objectKey', '=', write.key)
          .where('version', '=', known.version)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) throw await conflictOn(trx, accountId, write);
      } else {
        try {
          await trx
            .insertInto('storageObject')
            .values({ accountId, collection: write.collection, objectKey: write.key, createTime: options.at, ...fields })
            .execute();
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          throw await conflictOn(trx, accountId, write);
        }
      }
      written.push({ collection: write.collection, key: write.key, version, updateTime: options.at });
    }
    await trx.updateTable('storageUsage').set(after).where('accountId', '=', accountId).execute();
    return written;
  });
}

/** The conflict a write met in its own statement (another writer got there first), with the version now there. */
async function conflictOn(trx: Transaction<Database>, accountId: number, write: { collection: string; key: string }) {
  const now = await lockObjects(trx, accountId, [write]);
  return new StorageVersionConflictError([
    { collection: write.collection, key: write.key, currentVersion: now.get(objectId(write.collection, write.key))?.version ?? null },
  ]);
}

/**
 * Deletes one object of a player, conditioned on its version when `ifVersion` is given (StorageVersionConflictError
 * when it moved or the object is gone). False when there was no such object (and no condition).
 */
export async function deleteStorageObject(
  db: Kysely<Database>,
  accountId: number,
  target: { collection: string; key: string; ifVersion?: string | undefined },
): Promise<boolean> {
  return transactionWithRetry(db, async (trx) => {
    const usage = await lockUsage(trx, accountId);
    const known = (await lockObjects(trx, accountId, [target])).get(objectId(target.collection, target.key));
    if (target.ifVersion !== undefined && known?.version !== target.ifVersion) {
      throw new StorageVersionConflictError([{ collection: target.collection, key: target.key, currentVersion: known?.version ?? null }]);
    }
    if (!known) return false;
    const deleted = await trx
      .deleteFrom('storageObject')
      .where('accountId', '=', accountId)
      .where('collection', '=', target.collection)
      .where('objectKey', '=', target.key)
      .where('version', '=', known.version)
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) !== 1) throw await conflictOn(trx, accountId, target);
    await trx
      .updateTable('storageUsage')
      .set({ objects: Math.max(0, usage.objects - 1), bytes: Math.max(0, usage.bytes - known.sizeBytes) })
      .where('accountId', '=', accountId)
      .execute();
    return true;
  });
}

/**
 * Removes every save of a player, inside the caller's transaction (an account's deletion). Takes the usage row's
 * lock first, as every write does, after the caller locked the account row. The row is written (made if need be)
 * rather than only read for update: on Galera, where locks stay on their node, a write of the player's saves on
 * another node then conflicts with the deletion at COMMIT (and, run again, finds the account gone).
 */
export async function deleteAccountStorageIn(trx: Transaction<Database>, accountId: number): Promise<number> {
  await sql`
    INSERT INTO storage_usage (account_id, objects, bytes) VALUES (${accountId}, 0, 0)
    ON DUPLICATE KEY UPDATE account_id = account_id`.execute(trx);
  const deleted = await trx.deleteFrom('storageObject').where('accountId', '=', accountId).executeTakeFirst();
  await trx.deleteFrom('storageUsage').where('accountId', '=', accountId).execute();
  return Number(deleted.numDeletedRows);
}
