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

/** InnoDB chose this transaction as a deadlock victim, or it waited too long for a lock: rolled back whole. */
export function isLockConflictError(error: unknown): boolean {
  const n = errno(error);
  return n === DEADLOCK || n === LOCK_WAIT_TIMEOUT;
}

/** The transaction lost a race and was rolled back whole: running it again is safe. */
export function isRetryableTransactionError(error: unknown): boolean {
  const n = errno(error);
  return n === DUPLICATE_KEY || n === DEADLOCK || n === LOCK_WAIT_TIMEOUT;
}

/** Socket-level failures: the database (or the network to it) is down, not the query wrong. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);
/** mysql2's messages for a connection it already knows is dead (they carry no code). */
const CLOSED_CONNECTION = /closed state|Pool is closed|Connection lost/i;

/**
 * True when an error (or one of its causes) says the database could not be
 * reached: an upstream fault to answer 503, not a bug to answer 500.
 */
export function isDatabaseUnavailableError(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 6; depth++) {
    const { code, fatal, message } = current as { code?: unknown; fatal?: unknown; message?: unknown };
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    if (fatal === true) return true;
    if (typeof message === 'string' && CLOSED_CONNECTION.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
