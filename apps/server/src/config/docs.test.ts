import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { GENERATED_FILES } from './docs.js';
import { SECTIONS, serverSettings } from './sections.js';

const ROOT = resolve(import.meta.dirname, '../../../..');

function onDisk(path: string): string {
  try {
    return readFileSync(resolve(ROOT, path), 'utf8');
  } catch {
    return '';
  }
}

const REQUIRED = {
  NODE_ENV: 'production',
  DATABASE_URL: 'mysql://minigate:pw@db.internal:3306/minigate',
  WECHAT_APPID: 'wx1234567890abcdef',
  WECHAT_SECRET: '0123456789abcdef0123456789abcdef',
  JWT_SECRET: 'x'.repeat(32),
  ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
};

describe('the configuration docs', () => {
  for (const [path, generate] of Object.entries(GENERATED_FILES)) {
    it(`${path} is what the schema generates`, () => {
      expect(onDisk(path), `${path} differs from the configuration's schema: run pnpm docs:config`).toBe(generate());
    });
  }

  it('documents every variable the server reads, each in one section', () => {
    const documented = SECTIONS.flatMap((section) => Object.keys(section.settings.shape));
    expect(new Set(documented).size, 'a variable in two sections').toBe(documented.length);
    for (const name of Object.keys(serverSettings.shape)) expect(documented, name).toContain(name);
  });

  it(".env.example's commented defaults are the ones the server applies", () => {
    const example = onDisk('.env.example');
    const written = Object.fromEntries([...example.matchAll(/^# ([A-Z][A-Z0-9_]*)=(.+)$/gm)].map((match) => [match[1]!, match[2]!]));
    expect(Object.keys(written).length).toBeGreaterThan(30);
    expect(loadConfig({ ...written, ...REQUIRED })).toEqual(loadConfig(REQUIRED));
    // What it leaves uncommented (and empty) is what the server refuses to start without.
    const required = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=$/gm)].map((match) => match[1]);
    expect(required).toEqual(['DATABASE_URL', 'WECHAT_APPID', 'WECHAT_SECRET', 'JWT_SECRET', 'ENCRYPTION_KEY']);
  });
});
