import { randomBytes } from 'node:crypto';
import {
  deleteStorageObject,
  listStorageObjects,
  readStorageObject,
  writeStorageObjects,
  type Database,
  type Kysely,
  type StorageObject,
  type StorageWrite,
} from '@minigate/db';
import type { ServedApps } from '../apps/served-apps.js';
import type { AuthenticatedUser } from '../context.js';
import { collectionPrivate, collectionReserved, single, storageError, valueTooLarge, type InputPaths } from './storage-errors.js';
import { RESERVED_COLLECTION_PREFIX, type StorageSettings } from './storage-settings.js';
import type { JsonValue, StorageObjectView, StorageWriteView } from './views.js';

/** One object to write: `version` undefined writes whatever is there, `*` only when absent, else only at that version. */
export interface StoragePut {
  collection: string;
  key: string;
  value: JsonValue;
  version?: string | undefined;
}

export interface StorageService {
  /** One of the player's objects, or null. */
  get(user: AuthenticatedUser, collection: string, key: string): Promise<StorageObjectView | null>;
  /** The player's objects of a collection, by key, a page at a time. */
  list(
    user: AuthenticatedUser,
    collection: string,
    page: { cursor: string | null; limit: number },
  ): Promise<{ objects: StorageObjectView[]; nextCursor: string | null }>;
  /** Writes one object (409 VERSION_CONFLICT when its version moved, 403 STORAGE_QUOTA_EXCEEDED over a quota). */
  put(user: AuthenticatedUser, put: StoragePut): Promise<StorageWriteView>;
  /** Writes several objects, all of them or none, in one transaction. */
  putMany(user: AuthenticatedUser, puts: readonly StoragePut[]): Promise<{ objects: StorageWriteView[] }>;
  /** Deletes one object, at its version when one is given. */
  delete(user: AuthenticatedUser, target: { collection: string; key: string; version?: string | undefined }): Promise<{ deleted: boolean }>;
  /** Another player's object in a collection the session's game declares public-read, or null. */
  getPublic(
    user: AuthenticatedUser,
    target: { accountId: number; collection: string; key: string },
  ): Promise<(StorageObjectView & { accountId: number }) | null>;
}

/** A new version for every write: 16 hex digits, never reused in practice (so a delete and a re-creation never revive an old one). */
const newVersion = () => randomBytes(8).toString('hex');

function view(object: StorageObject): StorageObjectView {
  return {
    collection: object.collection,
    key: object.key,
    value: JSON.parse(object.value) as JsonValue,
    version: object.version,
    updatedAt: object.updateTime.getTime(),
  };
}

export function createStorageService(deps: {
  db: Kysely<Database>;
  apps: ServedApps;
  settings: StorageSettings;
  now?: () => number;
}): StorageService {
  const now = deps.now ?? Date.now;
  const { settings } = deps;
  const quota = { maxObjects: settings.maxObjects, maxBytes: settings.maxBytes };

  /** The writes as the database takes them, each checked: not a reserved collection, not too large. */
  function checked(puts: readonly StoragePut[], pathOf: InputPaths): StorageWrite[] {
    return puts.map((put) => {
      const path = pathOf(put.collection, put.key);
      if (put.collection.startsWith(RESERVED_COLLECTION_PREFIX)) throw collectionReserved(`${path}collection`, put.collection);
      const value = JSON.stringify(put.value);
      const bytes = Buffer.byteLength(value, 'utf8');
      if (bytes > settings.maxValueBytes) throw valueTooLarge(`${path}value`, bytes, settings.maxValueBytes);
      return { collection: put.collection, key: put.key, value, ifVersion: put.version };
    });
  }

  async function write(user: AuthenticatedUser, puts: readonly StoragePut[], pathOf: InputPaths): Promise<StorageWriteView[]> {
    const writes = checked(puts, pathOf);
    try {
      const written = await writeStorageObjects(deps.db, user.accountId, writes, { quota, at: new Date(now()), newVersion });
      return written.map((object) => ({
        collection: object.collection,
        key: object.key,
        version: object.version,
        updatedAt: object.updateTime.getTime(),
      }));
    } catch (error) {
      throw storageError(error, pathOf);
    }
  }

  return {
    async get(user, collection, key) {
      const object = await readStorageObject(deps.db, user.accountId, collection, key);
      return object ? view(object) : null;
    },

    async list(user, collection, page) {
      const found = await listStorageObjects(deps.db, user.accountId, collection, { afterKey: page.cursor, limit: page.limit });
      const objects = found.objects.map(view);
      return { objects, nextCursor: found.more ? (objects.at(-1)?.key ?? null) : null };
    },

    async put(user, put) {
      const [written] = await write(user, [put], single);
      return written!;
    },

    async putMany(user, puts) {
      const index = new Map(puts.map((put, i) => [`${put.collection}\u0000${put.key}`, i]));
      return { objects: await write(user, puts, (collection, key) => `objects.${index.get(`${collection}\u0000${key}`) ?? 0}.`) };
    },

    async delete(user, target) {
      if (target.collection.startsWith(RESERVED_COLLECTION_PREFIX)) throw collectionReserved('collection', target.collection);
      try {
        return { deleted: await deleteStorageObject(deps.db, user.accountId, { ...target, ifVersion: target.version }) };
      } catch (error) {
        throw storageError(error, single);
      }
    },

    async getPublic(user, target) {
      const game = deps.apps.ofSession(user.appid);
      const readable = game ? (settings.publicCollections[game.appid] ?? []) : [];
      if (!readable.includes(target.collection)) throw collectionPrivate(target.collection);
      const object = await readStorageObject(deps.db, target.accountId, target.collection, target.key);
      return object ? { accountId: target.accountId, ...view(object) } : null;
    },
  };
}
