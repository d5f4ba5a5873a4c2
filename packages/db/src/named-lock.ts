import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { retryOnWriteConflict } from './write-conflict-retry.js';

export class NamedLockTimeoutError extends Error {
  override name = 'NamedLockTimeoutError';
}

/** How long a lease lasts unless released: a holder that died frees it after this. */
const LEASE_SECONDS = 30;
/** The first wait between two tries to take a held lease; each next one grows by half, up to the last. */
const POLL_MS = [25, 250] as const;

/** Takes the lease `name` for `holder` if it is free or lapsed; true when `holder` holds it now. One statement, then a read. */
async function takeLease(db: Kysely<Database>, name: string, holder: string, leaseSeconds: number): Promise<boolean> {
  // The columns are assigned left to right: expires_at is set only when holder became ours.
  await retryOnWriteConflict(() =>
    sql`INSERT INTO named_lease (name, holder, expires_at) VALUES (${name}, ${holder}, NOW(3) + INTERVAL ${leaseSeconds} SECOND)
        ON DUPLICATE KEY UPDATE
          holder = IF(expires_at <= NOW(3), ${holder}, holder),
          expires_at = IF(holder = ${holder}, NOW(3) + INTERVAL ${leaseSeconds} SECOND, expires_at)`.execute(db),
  );
  const row = await db.selectFrom('namedLease').select('holder').where('name', '=', name).executeTakeFirst();
  return row?.holder === holder;
}

/**
 * Runs `work` while holding the lease `name`, which excludes every other
 * holder on every instance and every node of a cluster: a row in
 * named_lease (not GET_LOCK, which Galera does not replicate: each node
 * would grant its own). Two nodes taking it at once both write it locally;
 * one fails at COMMIT and, run again, finds the other holding it. Waits for
 * a held lease, polling, and gives up with NamedLockTimeoutError after
 * `timeoutSeconds`. Released however `work` ends; a holder that died frees
 * it after LEASE_SECONDS (work that runs longer may meet a second holder).
 */
export async function withNamedLock<T>(
  db: Kysely<Database>,
  name: string,
  timeoutSeconds: number,
  work: () => Promise<T>,
  options: { leaseSeconds?: number } = {},
): Promise<T> {
  if (name.length > 64) throw new Error('a named lock is at most 64 characters');
  const holder = randomBytes(16).toString('hex');
  const leaseSeconds = options.leaseSeconds ?? LEASE_SECONDS;
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (let waitMs: number = POLL_MS[0]; !(await takeLease(db, name, holder, leaseSeconds)); waitMs = Math.min(POLL_MS[1], waitMs * 1.5)) {
    if (Date.now() + waitMs > deadline) throw new NamedLockTimeoutError(`could not take the lock ${name} within ${timeoutSeconds} s`);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
  try {
    return await work();
  } finally {
    await retryOnWriteConflict(() => db.deleteFrom('namedLease').where('name', '=', name).where('holder', '=', holder).execute());
  }
}
