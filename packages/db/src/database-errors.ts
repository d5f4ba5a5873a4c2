/** mysql2's error numbers that a write may meet when two requests race. */
const DUPLICATE_KEY = 1062;
/** InnoDB's deadlock victim; also how Galera reports a transaction that lost certification to another node's write, at COMMIT. */
const DEADLOCK = 1213;
const LOCK_WAIT_TIMEOUT = 1205;
/** TiDB's write conflicts under optimistic and pessimistic transactions: the transaction was rolled back whole. */
const TIDB_WRITE_CONFLICT = 9007;
const TIDB_SELECT_FOR_UPDATE_CONFLICT = 8002;
const TIDB_TRANSACTION_RETRY = 8005;
const WRITE_CONFLICTS = new Set([DEADLOCK, LOCK_WAIT_TIMEOUT, TIDB_WRITE_CONFLICT, TIDB_SELECT_FOR_UPDATE_CONFLICT, TIDB_TRANSACTION_RETRY]);

function errno(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as { errno?: number }).errno : undefined;
}

export function isDuplicateKeyError(error: unknown): boolean {
  return errno(error) === DUPLICATE_KEY;
}

/**
 * The transaction lost a write conflict and was rolled back whole: an
 * InnoDB deadlock victim or lock wait, a Galera certification failure
 * (1213 at COMMIT), or one of TiDB's conflicts (9007, 8002, 8005).
 */
export function isWriteConflictError(error: unknown): boolean {
  const n = errno(error);
  return n !== undefined && WRITE_CONFLICTS.has(n);
}

/** The transaction lost a race (a conflict, or a unique key another one took first) and was rolled back whole: running it again is safe. */
export function isRetryableTransactionError(error: unknown): boolean {
  return errno(error) === DUPLICATE_KEY || isWriteConflictError(error);
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
  // 1047: a Galera node cut off from the cluster's primary component ("WSREP has not yet prepared node for
  // application use") refuses every statement until it rejoins.
  'ER_UNKNOWN_COM_ERROR',
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
