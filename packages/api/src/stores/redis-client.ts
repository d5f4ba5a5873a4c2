import type { Cluster, Redis } from 'ioredis';
import { SharedStoreUnavailableError } from '../errors.js';

/** A single Redis (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES): every store here works on either. */
export type RedisClient = Redis | Cluster;

/** A Redis command that failed (Redis down, or cut off): an upstream fault, answered 503, never a bare 500. */
export async function redisCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new SharedStoreUnavailableError(`Redis: ${(error as Error).message}`, { cause: error });
  }
}
