import { subscribe, unsubscribe } from 'node:diagnostics_channel';

/** The connections of the pools to one database, at one moment. */
export interface PoolUse {
  inUse: number;
  idle: number;
  /** Callers waiting for a connection. */
  queued: number;
  /** The most connections the pools may open. */
  limit: number;
}

export interface PoolUseWatch {
  /** Null until a pool to the database has handed out a connection. */
  read(): PoolUse | null;
  close(): void;
}

/** mysql2's pool, as far as it is read here (its own fields: mysql2 has no public accessor for them). */
interface MysqlPool {
  _closed?: boolean;
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
  config?: { connectionLimit?: number; connectionConfig?: { host?: string; port?: number; database?: string } };
}

/**
 * mysql2 publishes every pool's getConnection on the diagnostics channel
 * `mysql2:pool:connect`; the connection it hands out knows its pool.
 */
const POOL_CONNECTED = 'tracing:mysql2:pool:connect:asyncStart';

/**
 * The use of this process's mysql2 pools to `target`'s database: Kysely's
 * (which @minigate/db's createDatabase keeps to itself) and the rate-limit
 * store's. The pools are found as they hand out connections, through
 * mysql2's diagnostics channel, and read at each scrape; nothing in their
 * behaviour changes.
 */
export function watchPoolUse(target: { host: string; port: number; database: string }): PoolUseWatch {
  const pools = new Set<MysqlPool>();
  const onConnected = (message: unknown) => {
    const pool = (message as { result?: { _pool?: MysqlPool } }).result?._pool;
    if (!pool || pools.has(pool)) return;
    const connection = pool.config?.connectionConfig;
    if (connection?.host === target.host && connection.port === target.port && connection.database === target.database) pools.add(pool);
  };
  subscribe(POOL_CONNECTED, onConnected);
  return {
    read() {
      for (const pool of pools) if (pool._closed) pools.delete(pool);
      if (pools.size === 0) return null;
      const use: PoolUse = { inUse: 0, idle: 0, queued: 0, limit: 0 };
      for (const pool of pools) {
        const all = pool._allConnections?.length ?? 0;
        const idle = pool._freeConnections?.length ?? 0;
        use.inUse += all - idle;
        use.idle += idle;
        use.queued += pool._connectionQueue?.length ?? 0;
        use.limit += pool.config?.connectionLimit ?? 0;
      }
      return use;
    },
    close() {
      unsubscribe(POOL_CONNECTED, onConnected);
      pools.clear();
    },
  };
}
