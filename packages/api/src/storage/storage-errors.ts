import { StorageAccountGoneError, StorageQuotaError, StorageVersionConflictError } from '@minigate/db';
import { MinigateError } from '../errors.js';

/** Where each object of a write sits in the input: `''` for a single put or delete, `objects.<i>.` for putMany. */
export type InputPaths = (collection: string, key: string) => string;

export const single: InputPaths = () => '';

/** 409 VERSION_CONFLICT, 403 STORAGE_QUOTA_EXCEEDED or 401 ACCOUNT_DELETED for what the database refused; anything else as it is. */
export function storageError(error: unknown, pathOf: InputPaths): unknown {
  if (error instanceof StorageVersionConflictError) {
    return new MinigateError({
      code: 'CONFLICT',
      reason: 'VERSION_CONFLICT',
      message:
        error.conflicts.length === 1
          ? `${describe(error.conflicts[0]!)}: nothing was written; read it, merge, and write again with its current version`
          : `${error.conflicts.length} objects moved (${error.conflicts.map(describe).join('; ')}): nothing was written`,
      conflicts: error.conflicts.map((conflict) => ({ ...conflict })),
      fields: error.conflicts.map((conflict) => ({
        path: `${pathOf(conflict.collection, conflict.key)}version`,
        message: conflict.currentVersion === null ? 'there is no such object now' : `the current version is ${conflict.currentVersion}`,
      })),
    });
  }
  if (error instanceof StorageQuotaError) {
    return new MinigateError({
      code: 'FORBIDDEN',
      reason: 'STORAGE_QUOTA_EXCEEDED',
      message:
        error.limit === 'objects'
          ? `The player's saves would count ${error.wouldBe} objects, over the quota of ${error.max}: nothing was written; delete some first`
          : `The player's saves would weigh ${error.wouldBe} bytes, over the quota of ${error.max}: nothing was written; delete or shrink some first`,
      limit: error.limit,
    });
  }
  if (error instanceof StorageAccountGoneError) {
    return new MinigateError({ code: 'UNAUTHORIZED', reason: 'ACCOUNT_DELETED', message: 'This account was deleted' });
  }
  return error;
}

function describe(conflict: { collection: string; key: string; currentVersion: string | null }): string {
  const name = `${conflict.collection}/${conflict.key}`;
  return conflict.currentVersion === null ? `${name} does not exist (now)` : `${name} is at version ${conflict.currentVersion}`;
}

/** 413 STORAGE_VALUE_TOO_LARGE naming the value. */
export function valueTooLarge(path: string, bytes: number, max: number): MinigateError {
  return new MinigateError({
    code: 'PAYLOAD_TOO_LARGE',
    reason: 'STORAGE_VALUE_TOO_LARGE',
    message: `The value is ${bytes} bytes of JSON, over the ${max} allowed: nothing was written`,
    fields: [{ path, message: `must be at most ${max} bytes of JSON (UTF-8); it is ${bytes}` }],
  });
}

/** 403 STORAGE_COLLECTION_RESERVED naming the collection. */
export function collectionReserved(path: string, collection: string): MinigateError {
  return new MinigateError({
    code: 'FORBIDDEN',
    reason: 'STORAGE_COLLECTION_RESERVED',
    message: `${collection} is the server's: collections starting with _ are written only by the server's rules (experience and level change through its grants)`,
    fields: [{ path, message: 'must not start with _ (reserved for the server)' }],
  });
}

/** 403 STORAGE_COLLECTION_PRIVATE naming the collection. */
export function collectionPrivate(collection: string): MinigateError {
  return new MinigateError({
    code: 'FORBIDDEN',
    reason: 'STORAGE_COLLECTION_PRIVATE',
    message: `${collection} is private to each player: this game declares no such public-read collection`,
    fields: [{ path: 'collection', message: "is not one of this game's public-read collections" }],
  });
}
