import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A saved object as read: its value is the JSON text written. */
export interface StorageObject {
  collection: string;
  key: string;
  value: string;
  version: string;
  sizeBytes: number;
  createTime: Date;
  updateTime: Date;
}

const COLUMNS = ['collection', 'objectKey', 'value', 'version', 'sizeBytes', 'createTime', 'updateTime'] as const;

function storageObject(row: {
  collection: string;
  objectKey: string;
  value: string;
  version: string;
  sizeBytes: number;
  createTime: Date;
  updateTime: Date;
}): StorageObject {
  return {
    collection: row.collection,
    key: row.objectKey,
    value: row.value,
    version: row.version,
    sizeBytes: Number(row.sizeBytes),
    createTime: row.createTime,
    updateTime: row.updateTime,
  };
}

/** One object of a player, or undefined. */
export async function readStorageObject(
  db: Kysely<Database>,
  accountId: number,
  collection: string,
  key: string,
): Promise<StorageObject | undefined> {
  const row = await db
    .selectFrom('storageObject')
    .select(COLUMNS)
    .where('accountId', '=', accountId)
    .where('collection', '=', collection)
    .where('objectKey', '=', key)
    .executeTakeFirst();
  return row && storageObject(row);
}

/** A page of a player's objects in one collection, by key, from after `afterKey`. */
export async function listStorageObjects(
  db: Kysely<Database>,
  accountId: number,
  collection: string,
  options: { afterKey: string | null; limit: number },
): Promise<{ objects: StorageObject[]; more: boolean }> {
  let query = db
    .selectFrom('storageObject')
    .select(COLUMNS)
    .where('accountId', '=', accountId)
    .where('collection', '=', collection)
    .orderBy('objectKey')
    .limit(options.limit + 1);
  if (options.afterKey !== null) query = query.where('objectKey', '>', options.afterKey);
  const rows = await query.execute();
  return { objects: rows.slice(0, options.limit).map(storageObject), more: rows.length > options.limit };
}

/** Every object of a player, by collection and key (account.export). */
export async function listAccountStorage(db: Kysely<Database>, accountId: number): Promise<StorageObject[]> {
  const rows = await db
    .selectFrom('storageObject')
    .select(COLUMNS)
    .where('accountId', '=', accountId)
    .orderBy('collection')
    .orderBy('objectKey')
    .execute();
  return rows.map(storageObject);
}

/** What a player's objects count and weigh, as the quotas see it. */
export async function readStorageUsage(db: Kysely<Database>, accountId: number): Promise<{ objects: number; bytes: number }> {
  const row = await db.selectFrom('storageUsage').select(['objects', 'bytes']).where('accountId', '=', accountId).executeTakeFirst();
  return { objects: Number(row?.objects ?? 0), bytes: Number(row?.bytes ?? 0) };
}
