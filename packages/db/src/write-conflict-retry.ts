import type { Kysely, Transaction } from 'kysely';
import { isWriteConflictError } from './database-errors.js';
import type { Database } from './schema.js';

export interface WriteConflictRetry {
  /** Runs in all, the first included. Default 5. */
  attempts?: number;
  /** The first wait; each next one doubles, up to maxDelayMs, each drawn at random below its bound (full jitter). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Which errors to run the work again on; default: write conflicts (isWriteConflictError). */
  retryOn?: (error: unknown) => boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` again, with a growing random wait and a cap, while it fails on
 * a write conflict: on Galera two nodes that write one row at once both
 * succeed locally and the loser fails at COMMIT (1213); TiDB reports 9007,
 * 8002, 8005 or a lock wait (1205). Each of these means the database rolled
 * the work back whole, so `work` must be one transaction or one statement,
 * and do nothing outside the database that must not happen twice.
 */
export async function retryOnWriteConflict<T>(work: () => Promise<T>, options: WriteConflictRetry = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 10;
  const maxDelayMs = options.maxDelayMs ?? 250;
  const retryOn = options.retryOn ?? isWriteConflictError;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !retryOn(error)) throw error;
      await sleep(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
    }
  }
}

/** One transaction, run whole again on a write conflict (see retryOnWriteConflict). */
export function transactionWithRetry<T>(
  db: Kysely<Database>,
  work: (trx: Transaction<Database>) => Promise<T>,
  options?: WriteConflictRetry,
): Promise<T> {
  return retryOnWriteConflict(() => db.transaction().execute(work), options);
}

/**
 * One autocommit statement, run again on a write conflict (Galera retries
 * one itself, wsrep_retry_autocommit, but only once). Given a transaction,
 * runs once: a conflict rolled the whole transaction back, and only its own
 * retry may run it again.
 */
export function statementWithRetry<T>(db: Kysely<Database>, work: () => Promise<T>): Promise<T> {
  return db.isTransaction ? work() : retryOnWriteConflict(work);
}
