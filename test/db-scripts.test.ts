import { knownMigrations } from '@minigate/db';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describeDatabaseUrl, dropDatabaseIfExists } from '@minigate/db';
import { TEST_DATABASE_SERVER } from '@minigate/db/testing';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const TSX = createRequire(resolve(ROOT, 'package.json')).resolve('tsx/cli');
const SCRIPT = resolve(ROOT, 'packages/db/src/scripts/db.ts');
const DATABASE_URL = `${TEST_DATABASE_SERVER}/minigate_test_scripts_${randomBytes(4).toString('hex')}`;
const where = describeDatabaseUrl(DATABASE_URL);

async function db(task: string, env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [TSX, SCRIPT, task], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL, ...env },
    });
    return { code: 0, output: (stdout + stderr).trim() };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: (failed.stdout + failed.stderr).trim() };
  }
}

afterAll(() => dropDatabaseIfExists(DATABASE_URL));

// Each case spawns tsx several times: slow on a loaded machine.
describe('pnpm db:* scripts', { timeout: 120_000 }, () => {
  it('create, migrate and seed are idempotent and say what they did', async () => {
    expect(await db('create')).toEqual({ code: 0, output: `created ${where}` });
    expect(await db('create')).toEqual({ code: 0, output: `${where} exists` });
    expect((await db('migrate')).output).toBe(`${where} exists\napplied migrations: ${knownMigrations().join(', ')}`);
    expect((await db('migrate')).output).toBe(`${where} exists\nmigrations: up to date`);
    expect((await db('seed')).output).toMatch(/demo accounts: created alice, bob, carol$/);
    expect((await db('seed')).output).toMatch(/demo accounts: none created; already there: alice, bob, carol$/);
  });

  it('reset drops and rebuilds, and refuses in production', async () => {
    expect((await db('reset')).output).toBe(`dropped ${where}\ncreated ${where}\napplied migrations: ${knownMigrations().join(', ')}`);
    expect(await db('reset', { NODE_ENV: 'production' })).toEqual({
      code: 1,
      output: 'db:reset drops every account: it refuses to run with NODE_ENV=production',
    });
  });

  it('says in one line when no database answers', async () => {
    const result = await db('migrate', { DATABASE_URL: 'mysql://root@127.0.0.1:1/minigate_nowhere' });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/^No MySQL or MariaDB answers at 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
    expect(result.output.split('\n')).toHaveLength(1);
  });
});
