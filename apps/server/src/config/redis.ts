import { z } from 'zod';
import { commaList, section, setting } from './settings.js';

export const redis = section(
  'Redis',
  'Optional: with Redis, the rate limits, the WeChat access token and the remembered login codes are shared there by every instance.',
  {
    REDIS_URL: setting(z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }), {
      unset: 'none',
      secret: true,
      description: '`redis://…`: rate limits in Redis, shared by every instance (else login/refresh in MySQL, calls in memory)',
    }),
    // A plain redis:// URL gives ioredis a single-node client, so a cluster names its seeds.
    REDIS_CLUSTER_NODES: setting(
      commaList(z.string().regex(/^[^\s:/,]+:\d{1,5}$/, 'must be comma-separated host:port pairs, e.g. 10.0.0.1:7000,10.0.0.2:7000'))
        .refine((nodes) => nodes.length > 0, 'must name at least one host:port')
        .transform((nodes) =>
          nodes.map((node) => {
            const at = node.lastIndexOf(':');
            return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
          }),
        ),
      {
        unset: 'none',
        description:
          '`host:port,host:port,…`: the seeds of a Redis Cluster, used instead of `REDIS_URL` (a plain `redis://` URL gives a single-node client); setting both is refused',
      },
    ),
    REDIS_KEY_PREFIX: setting(z.string().regex(/^[\w:.-]{1,64}$/, 'must be 1-64 letters, digits, _ : . or -'), {
      unset: '`minigate:<appid>:`',
      description: 'starts every Redis key, so mini-games or environments can share one Redis',
    }),
  },
);

type Values = z.output<typeof redis.settings>;

export function redisConflicts(values: Values): string[] {
  if (values.REDIS_URL === undefined || values.REDIS_CLUSTER_NODES === undefined) return [];
  return ['REDIS_URL and REDIS_CLUSTER_NODES: set one of them (a single Redis, or the seeds of a Redis Cluster), not both'];
}

/** `appid`: the default key prefix names the mini-game. */
export function redisConfig(values: Values, appid: string) {
  return {
    /** REDIS_URL: rate limits shared in Redis instead of MySQL (login, refresh) and memory (calls). */
    redisUrl: values.REDIS_URL ?? null,
    /** REDIS_CLUSTER_NODES: the seeds of a Redis Cluster, used instead of REDIS_URL; null without one. */
    redisClusterNodes: values.REDIS_CLUSTER_NODES ?? null,
    /** Every Redis key starts with it: several mini-games (or environments) can share one Redis. */
    redisKeyPrefix: values.REDIS_KEY_PREFIX ?? `minigate:${appid}:`,
  };
}
