import { knownMigrations } from '@minigate/db';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createDatabaseIfMissing, describeDatabaseUrl, dropDatabaseIfExists } from '@minigate/db';
import { TEST_DATABASE_SERVER } from '@minigate/db/testing';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const TSX = createRequire(resolve(ROOT, 'package.json')).resolve('tsx/cli');
const SCRIPT = resolve(ROOT, 'packages/db/src/scripts/db.ts');
const SUFFIX = randomBytes(4).toString('hex');
// Named like the test helpers' databases: minigate_test_<hex> does not end in _test, so db:reset needs --drop.
const NAME = `minigate_test_scripts_${SUFFIX}`;
const DATABASE_URL = `${TEST_DATABASE_SERVER}/${NAME}`;
const where = describeDatabaseUrl(DATABASE_URL);
// Databases db:reset drops without --drop (outside production), and one that --help and bad options must not create.
const DISPOSABLE = [`minigate_scripts_${SUFFIX}_dev`, `minigate_scripts_${SUFFIX}_test`].map((name) => `${TEST_DATABASE_SERVER}/${name}`);
const UNTOUCHED = `${TEST_DATABASE_SERVER}/minigate_scripts_${SUFFIX}_untouched_test`;
const NOWHERE = 'mysql://root@127.0.0.1:1/minigate_nowhere';
const MIGRATED = `applied migrations: ${knownMigrations().join(', ')}`;

async function db(args: string | string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [TSX, SCRIPT, ...[args].flat()], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL, ...env },
    });
    return { code: 0, output: (stdout + stderr).trim() };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: (failed.stdout + failed.stderr).trim() };
  }
}

/** Whether the URL's database exists (a database this asks about and did not exist is dropped again). */
async function exists(url: string): Promise<boolean> {
  const made = await createDatabaseIfMissing(url);
  if (made) await dropDatabaseIfExists(url);
  return !made;
}

/** db:seed on a seeded database keeps every account: the database was not dropped in between. */
const STILL_SEEDED = /demo accounts: none created; already there: alice, bob, carol$/;

afterAll(() => Promise.all([DATABASE_URL, ...DISPOSABLE, UNTOUCHED].map(dropDatabaseIfExists)));

// Each case spawns tsx several times: slow on a loaded machine.
describe('pnpm db:* scripts', { timeout: 120_000 }, () => {
  it('create, migrate and seed are idempotent and say what they did', async () => {
    expect(await db('create')).toEqual({ code: 0, output: `created ${where}` });
    expect(await db('create')).toEqual({ code: 0, output: `${where} exists` });
    expect((await db('migrate')).output).toBe(`${where} exists\n${MIGRATED}`);
    expect((await db('migrate')).output).toBe(`${where} exists\nmigrations: up to date`);
    expect((await db('seed')).output).toMatch(/demo accounts: created alice, bob, carol$/);
    expect((await db('seed')).output).toMatch(/demo accounts: none created; already there: alice, bob, carol$/);
  });

  it('reset refuses a database named neither *_dev nor *_test, and NODE_ENV=production, unless --drop names the database', async () => {
    expect((await db('seed')).code).toBe(0);
    expect(await db('reset')).toEqual({
      code: 1,
      output: `db:reset drops every account: it refuses ${where}, whose name ends in neither _dev nor _test, unless given --drop <database name>`,
    });
    expect(await db(['reset', '--drop', `${NAME}_x`])).toEqual({
      code: 1,
      output: `db:reset: --drop ${NAME}_x does not name DATABASE_URL's database (${where}): nothing dropped`,
    });
    expect(await db(['reset', '--drop', NAME.toUpperCase()])).toMatchObject({ code: 1 });
    expect(await db('reset', { NODE_ENV: 'production' })).toEqual({
      code: 1,
      output: `db:reset drops every account: it refuses to run with NODE_ENV=production (${where}) unless given --drop <database name>`,
    });
    expect((await db('seed')).output).toMatch(STILL_SEEDED);

    expect(await db(['reset', '--drop', NAME])).toEqual({ code: 0, output: `dropped ${where}\ncreated ${where}\n${MIGRATED}` });
    expect(await db(['reset', `--drop=${NAME}`], { NODE_ENV: 'production' })).toEqual({
      code: 0,
      output: `dropped ${where}\ncreated ${where}\n${MIGRATED}`,
    });
  });

  it('reset drops a *_dev or *_test database without --drop, except with NODE_ENV=production', async () => {
    for (const url of DISPOSABLE) {
      const at = describeDatabaseUrl(url);
      expect(await db('reset', { DATABASE_URL: url })).toEqual({ code: 0, output: `${at} did not exist\ncreated ${at}\n${MIGRATED}` });
      expect(await db('reset', { DATABASE_URL: url, NODE_ENV: 'production' })).toEqual({
        code: 1,
        output: `db:reset drops every account: it refuses to run with NODE_ENV=production (${at}) unless given --drop <database name>`,
      });
    }
  });

  it('--help and -h print the usage, exit 0 and touch no database', async () => {
    for (const task of ['create', 'migrate', 'reset', 'seed']) {
      // Nothing listens on port 1: a script that tried to connect would fail.
      const help = await db([task, '--help'], { DATABASE_URL: NOWHERE });
      expect(help.code, `db:${task} --help: ${help.output}`).toBe(0);
      expect(help.output).toMatch(/^usage: pnpm db:<task>/);
      expect(help.output).toContain('db:reset [--drop <database>]');
      expect(await db([task, '-h'], { DATABASE_URL: UNTOUCHED })).toEqual(help);
    }
    expect(await db('--help', { DATABASE_URL: NOWHERE })).toMatchObject({ code: 0, output: expect.stringMatching(/^usage: /) });
    expect(await exists(UNTOUCHED)).toBe(false);

    // The seeded database, which reset --drop would drop: --help wins, even after --drop.
    expect((await db('seed')).code).toBe(0);
    for (const args of [
      ['reset', '--drop', NAME, '--help'],
      ['reset', '--drop', '--help'],
      ['reset', '-h'],
    ]) {
      expect(await db(args, { NODE_ENV: 'production' })).toMatchObject({ code: 0, output: expect.stringMatching(/^usage: /) });
    }
    expect((await db('seed')).output).toMatch(STILL_SEEDED);
  });

  it('an unknown option, task or argument fails in one line and touches no database', async () => {
    const bad: [string[], string][] = [
      [['migrate', '--frobnicate'], 'db:migrate: unknown option "--frobnicate" (--help for the usage)'],
      [['create', '--drop', 'x'], 'db:create: unknown option "--drop" (--help for the usage)'],
      [['reset', '--drop'], 'db:reset: --drop needs a value: --drop <database name>'],
      [['reset', 'minigate_scripts_x_test'], 'db:reset takes no argument "minigate_scripts_x_test" (--help for the usage)'],
      [['drop'], 'unknown task "drop": db.ts create|migrate|reset|seed (--help for the usage)'],
      [[], 'no task given: db.ts create|migrate|reset|seed (--help for the usage)'],
    ];
    for (const [args, output] of bad) expect(await db(args, { DATABASE_URL: UNTOUCHED })).toEqual({ code: 1, output });
    expect(await exists(UNTOUCHED)).toBe(false);
  });

  it('says in one line when no database answers', async () => {
    const result = await db('migrate', { DATABASE_URL: NOWHERE });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/^No MySQL or MariaDB answers at 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
    expect(result.output.split('\n')).toHaveLength(1);
  });
});
