/** mysql2's error numbers that a write may meet when two requests race. */
const DUPLICATE_KEY = 1062;
const DEADLOCK = 1213;
const LOCK_WAIT_TIMEOUT = 1205;

function errno(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as { errno?: number }).errno : undefined;
}

export function isDuplicateKeyError(error: unknown): boolean {
  return errno(error) === DUPLICATE_KEY;
}

/** The transaction lost a race and was rolled back whole: running it again is safe. */
export function isRetryableTransactionError(error: unknown): boolean {
  const n = errno(error);
  return n === DUPLICATE_KEY || n === DEADLOCK || n === LOCK_WAIT_TIMEOUT;
}
