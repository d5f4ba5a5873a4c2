import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';

// The Cloud saves section: its defaults, the WECHAT_* game's public collections, APPS_FILE's `storage`, and what is refused.
const VALID = {
  NODE_ENV: 'production',
  DATABASE_URL: 'mysql://minigate:pw@db.internal:3306/minigate',
  WECHAT_APPID: 'wx1234567890abcdef',
  WECHAT_SECRET: '0123456789abcdef0123456789abcdef',
  JWT_SECRET: 'x'.repeat(32),
  ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
};

function appsFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'minigate-storage-config-')), 'apps.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

const withAppsFile = (apps: unknown) => {
  const { WECHAT_APPID: _appid, WECHAT_SECRET: _secret, ...rest } = VALID;
  return { ...rest, APPS_FILE: appsFile(apps) };
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

describe('the Cloud saves section', () => {
  it('has its defaults: 64 KB a value, 1000 objects and 4 MB a player, nothing public, no level rule', () => {
    expect(loadConfig(VALID).storage).toEqual({
      maxValueBytes: 65536,
      maxObjects: 1000,
      maxBytes: 4 * 1024 * 1024,
      publicCollections: { wx1234567890abcdef: [] },
      experiencePerLevel: null,
    });
  });

  it('reads the limits, the WECHAT_* game’s public collections and the level rule', () => {
    const config = loadConfig({
      ...VALID,
      STORAGE_MAX_VALUE_BYTES: '2048',
      STORAGE_MAX_OBJECTS: '50',
      STORAGE_MAX_BYTES: '100000',
      STORAGE_PUBLIC_COLLECTIONS: 'showcase, replays',
      EXPERIENCE_PER_LEVEL: '100',
    });
    expect(config.storage).toEqual({
      maxValueBytes: 2048,
      maxObjects: 50,
      maxBytes: 100000,
      publicCollections: { wx1234567890abcdef: ['showcase', 'replays'] },
      experiencePerLevel: 100,
    });
  });

  it('takes each game’s public collections from its APPS_FILE entry', () => {
    const config = loadConfig(
      withAppsFile([
        { appid: 'wx1234567890abcdef', platform: 'wechat', secret: 's'.repeat(16), storage: { publicCollections: ['showcase'] } },
        { appid: 'ttabcdef123456', platform: 'douyin', secret: 's'.repeat(16) },
      ]),
    );
    expect(config.storage.publicCollections).toEqual({ wx1234567890abcdef: ['showcase'], ttabcdef123456: [] });
  });

  it('refuses a reserved or bad collection, STORAGE_PUBLIC_COLLECTIONS beside APPS_FILE, and a value larger than the bytes quota', () => {
    expect(problems({ ...VALID, STORAGE_PUBLIC_COLLECTIONS: '_profile' })).toEqual([
      expect.stringMatching(/^STORAGE_PUBLIC_COLLECTIONS: .*not starting with _ \(reserved\)/),
    ]);
    expect(
      problems(withAppsFile([{ appid: 'wx1234567890abcdef', platform: 'wechat', secret: 's'.repeat(16), storage: { publicCollections: ['a/b'] } }])),
    ).toEqual([expect.stringMatching(/^APPS_FILE: .*\[0\]\.storage\.publicCollections\.0: must be collection names/)]);
    expect(
      problems({
        ...withAppsFile([{ appid: 'wx1234567890abcdef', platform: 'wechat', secret: 's'.repeat(16) }]),
        STORAGE_PUBLIC_COLLECTIONS: 'showcase',
      }),
    ).toEqual([expect.stringMatching(/^APPS_FILE and STORAGE_PUBLIC_COLLECTIONS: /)]);
    expect(problems({ ...VALID, STORAGE_MAX_VALUE_BYTES: '5000', STORAGE_MAX_BYTES: '4000' })).toEqual([
      expect.stringMatching(/^STORAGE_MAX_VALUE_BYTES: is larger than STORAGE_MAX_BYTES/),
    ]);
  });
});
