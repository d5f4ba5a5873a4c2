import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

/** An APPS_FILE holding `content` (a string as it is, else JSON). */
function appsFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'minigate-config-')), 'apps.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

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
      wechat: {
        apiBase: 'https://api.weixin.qq.com',
        app: { appid: VALID.WECHAT_APPID, secret: VALID.WECHAT_SECRET, apiBase: 'https://api.weixin.qq.com' },
      },
      apps: [{ appid: VALID.WECHAT_APPID, platform: 'wechat', secret: VALID.WECHAT_SECRET, apiBase: 'https://api.weixin.qq.com' }],
      jwt: { audience: `minigate:${VALID.WECHAT_APPID}`, accessTokenTtlSeconds: 7200 },
    });
    expect(config.encryption.key).toHaveLength(32);
  });

  it('names every missing credential in one error', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'DATABASE_URL: is required',
      'JWT_SECRET: is required',
      'ENCRYPTION_KEY: is required',
      'WECHAT_APPID: is required (or APPS_FILE, listing the games)',
      'WECHAT_SECRET: is required (or APPS_FILE, listing the games)',
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

  describe('APPS_FILE', () => {
    const { WECHAT_APPID, WECHAT_SECRET, ...withoutWeChat } = VALID;
    const games = [
      { appid: 'wx1234567890abcdef', platform: 'wechat', secret: 'wechat-secret-0001', name: 'On WeChat' },
      { appid: 'tt1234567890abcdef', platform: 'douyin', secret: 'douyin-secret-0001', apiBase: 'http://127.0.0.1:4000' },
      { appid: '1110000001', platform: 'qq', secret: 'qq-secret-00000001' },
    ];

    it("lists the games: each platform's own API unless apiBase replaces its scheme and host", () => {
      const config = loadConfig({ ...withoutWeChat, APPS_FILE: appsFile(games) });
      expect(config.apps).toEqual([
        { appid: 'wx1234567890abcdef', platform: 'wechat', secret: 'wechat-secret-0001', apiBase: 'https://api.weixin.qq.com', name: 'On WeChat' },
        { appid: 'tt1234567890abcdef', platform: 'douyin', secret: 'douyin-secret-0001', apiBase: 'http://127.0.0.1:4000' },
        { appid: '1110000001', platform: 'qq', secret: 'qq-secret-00000001', apiBase: 'https://api.q.qq.com' },
      ]);
      expect(config.wechat.app?.appid).toBe('wx1234567890abcdef');
      expect(config.jwt.audience).toBe('minigate:wx1234567890abcdef');
    });

    it('refuses APPS_FILE with WECHAT_APPID or WECHAT_SECRET in one sentence: one source of truth', () => {
      const found = problems({ ...VALID, APPS_FILE: appsFile(games) });
      expect(found).toEqual([
        'APPS_FILE and WECHAT_APPID and WECHAT_SECRET: APPS_FILE lists every game, the WeChat one too; unset WECHAT_APPID and WECHAT_SECRET (one source of truth)',
      ]);
    });

    it('names every problem of the file in one message, never a secret', () => {
      const bad = [
        { appid: 'wx1234567890abcdef', platform: 'wechat', secret: 'a-secret-that-must-not-leak' },
        { appid: 'wx1234567890abcdef', platform: 'wechat', secret: 'another-secret-not-to-leak' },
        { appid: 'not-a-douyin-appid', platform: 'douyin', secret: 'douyin-secret-0001' },
        { appid: '1110000001', platform: 'icq', secret: 'short' },
        { appid: '1110000002', platform: 'qq', secret: 'qq-secret-00000002', apiBase: 'http://127.0.0.1:4000/some/path' },
        { appid: '1110000003', platform: 'qq', secret: 'qq-secret-00000003', colour: 'blue' },
      ];
      const [message, ...others] = problems({ ...withoutWeChat, APPS_FILE: appsFile(bad) });
      expect(others).toEqual([]);
      expect(message).toMatch(/^APPS_FILE: has 6 problems: /);
      for (const expected of [
        '[1].appid: wx1234567890abcdef is listed already, at [0]',
        '[2].appid: must be a douyin appid (tt followed by letters and digits)',
        '[3].platform: must be wechat, douyin or qq',
        '[3].secret: must be the app secret',
        '[4].apiBase: must be a scheme and host only',
        '[5]: unknown field colour',
      ]) {
        expect(message).toContain(expected);
      }
      expect(message).not.toContain('must-not-leak');
      expect(message).not.toContain('not-to-leak');
    });

    it('says so when the file is missing, is not JSON, or lists nothing', () => {
      expect(problems({ ...withoutWeChat, APPS_FILE: '/nonexistent/apps.json' })).toEqual(['APPS_FILE: cannot be read (ENOENT)']);
      expect(problems({ ...withoutWeChat, APPS_FILE: appsFile('{ not json') })).toEqual(['APPS_FILE: is not JSON']);
      expect(problems({ ...withoutWeChat, APPS_FILE: appsFile([]) })).toEqual(['APPS_FILE: has a problem: lists no app: name at least one']);
      expect(problems(withoutWeChat)).toEqual([
        'WECHAT_APPID: is required (or APPS_FILE, listing the games)',
        'WECHAT_SECRET: is required (or APPS_FILE, listing the games)',
      ]);
    });
  });
});
