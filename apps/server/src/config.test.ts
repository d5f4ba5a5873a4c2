import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const VALID = {
  NODE_ENV: 'production',
  DATABASE_URL: 'mysql://minigate:pw@db.internal:3306/minigate',
  WECHAT_APPID: 'wx1234567890abcdef',
  WECHAT_SECRET: '0123456789abcdef0123456789abcdef',
  JWT_SECRET: 'x'.repeat(32),
  ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('loadConfig accepted a bad configuration');
}

describe('configuration', () => {
  it('reads a complete production configuration with its defaults', () => {
    const config = loadConfig(VALID);
    expect(config).toMatchObject({
      production: true,
      host: '0.0.0.0',
      port: 3000,
      trustProxy: false,
      wechat: { apiBase: 'https://api.weixin.qq.com', appid: VALID.WECHAT_APPID },
      jwt: { audience: `minigate:${VALID.WECHAT_APPID}`, accessTokenTtlSeconds: 7200 },
    });
    expect(config.encryption.key).toHaveLength(32);
  });

  it('names every missing credential in one error', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'DATABASE_URL: is required',
      'WECHAT_APPID: is required',
      'WECHAT_SECRET: is required',
      'JWT_SECRET: is required',
      'ENCRYPTION_KEY: is required',
    ]);
  });

  it('refuses a JWT_SECRET under 32 bytes, a bad key, URL and port, without echoing a secret', () => {
    const found = problems({
      ...VALID,
      JWT_SECRET: 'short-secret-31-bytes-long-xxxx',
      ENCRYPTION_KEY: 'c2hvcnQ=',
      DATABASE_URL: 'postgres://x@y/z',
      PORT: '70000',
      WECHAT_API_BASE: 'ftp://example.com',
    });
    expect(found.map((problem) => problem.split(':')[0])).toEqual(['PORT', 'DATABASE_URL', 'WECHAT_API_BASE', 'JWT_SECRET', 'ENCRYPTION_KEY']);
    expect(found.join('\n')).toMatch(/at least 32 bytes/);
    expect(found.join('\n')).not.toContain('short-secret');
  });

  it('names a bad previous encryption key and a bad TRUST_PROXY by their variable', () => {
    const found = problems({ ...VALID, ENCRYPTION_KEYS_PREVIOUS: `${VALID.ENCRYPTION_KEY},bm90LWEta2V5`, TRUST_PROXY: 'yes' });
    expect(found.map((problem) => problem.split(':')[0])).toEqual(['ENCRYPTION_KEYS_PREVIOUS', 'TRUST_PROXY']);
    expect(found[0]).toMatch(/32 random bytes/);
    expect(problems({ ...VALID, TRUST_PROXY: '10.0.0.0/33' })).toHaveLength(1);
  });

  it('reads TRUST_PROXY as the proxies to trust', () => {
    expect(loadConfig({ ...VALID, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ ...VALID, TRUST_PROXY: '10.0.0.1, 10.0.0.0/8, ::1' }).trustProxy).toEqual(['10.0.0.1', '10.0.0.0/8', '::1']);
    expect(loadConfig({ ...VALID, TRUST_PROXY: 'false' }).trustProxy).toBe(false);
  });

  it('refuses a SESSION_RETENTION shorter than ACCESS_TOKEN_TTL, in one sentence naming both', () => {
    // Pruned revocations would let their tokens in again after a restart (the feed reloads from the table).
    const found = problems({ ...VALID, SESSION_RETENTION: '0' });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^SESSION_RETENTION \(0 s\) must be at least ACCESS_TOKEN_TTL \(7200 s\)/);
    expect(loadConfig({ ...VALID, SESSION_RETENTION: '7200' }).sessions.retentionSeconds).toBe(7200);
    expect(problems({ ...VALID, ACCESS_TOKEN_TTL: String(30 * 24 * 3600) })[0]).toMatch(/SESSION_RETENTION .* ACCESS_TOKEN_TTL/);
  });

  it('reads the hardening settings: SESSION_MAX_AGE, RATE_LIMIT_LOGOUT, METRICS_HOST, REDIS_CLUSTER_NODES', () => {
    const defaults = loadConfig(VALID);
    expect(defaults.sessions.maxAgeSeconds).toBe(90 * 24 * 3600);
    expect(defaults.rateLimits?.logout).toEqual({ points: 120, durationSeconds: 60 });
    expect(defaults.metricsHost).toBe('127.0.0.1');
    expect(defaults.redisClusterNodes).toBeNull();
    const set = loadConfig({
      ...VALID,
      SESSION_MAX_AGE: '3',
      RATE_LIMIT_LOGOUT: '5/10',
      METRICS_HOST: '10.0.0.5',
      REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001',
    });
    expect(set.sessions.maxAgeSeconds).toBe(3);
    expect(set.rateLimits?.logout).toEqual({ points: 5, durationSeconds: 10 });
    expect(set.metricsHost).toBe('10.0.0.5');
    expect(set.redisClusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ]);
    expect(problems({ ...VALID, SESSION_MAX_AGE: '0' })[0]).toMatch(/^SESSION_MAX_AGE:/);
    expect(problems({ ...VALID, REDIS_CLUSTER_NODES: 'redis://a:7000' })[0]).toMatch(/^REDIS_CLUSTER_NODES: must be comma-separated host:port/);
    expect(problems({ ...VALID, REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'a:7000' })).toEqual([
      'REDIS_URL and REDIS_CLUSTER_NODES: set one of them (a single Redis, or the seeds of a Redis Cluster), not both',
    ]);
  });
});
