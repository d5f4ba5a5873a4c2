import { describe, expect, it } from 'vitest';
import { ADMIN_ENTRY, run, TSX } from './support/processes.js';

// `pnpm admin --help` answers with the usage and does nothing else; a bad option fails before any database is reached.
// Nothing listens on port 1: an admin that tried to connect would fail.
const NOWHERE = 'mysql://root@127.0.0.1:1/minigate_nowhere';
const TASKS = [
  'find',
  'sessions',
  'ban',
  'unban',
  'revoke',
  'online',
  'orders',
  'order',
  'deliver',
  'refund',
  'present',
  'cancel-spend',
  'mail',
  'remove-score',
  'operator:create',
];

async function admin(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const cli = run([TSX, ADMIN_ENTRY, ...args], { DATABASE_URL: NOWHERE, USER: 'ops-test', ...env });
  const code = await cli.exited;
  return { code, output: cli.output().trim() };
}

describe('pnpm admin --help', { timeout: 120_000 }, () => {
  it('--help and -h list every task, exit 0 and touch no database', async () => {
    const help = await admin(['--help']);
    expect(help.code, help.output).toBe(0);
    expect(help.output).toMatch(/^usage: pnpm admin <task> \[options\]\n/);
    const listed = help.output.split('\n').flatMap((line) => /^ {2}([a-z:-]+) /.exec(line)?.[1] ?? []);
    expect(listed).toEqual(TASKS);
    expect(help.output).toContain('--help, -h');

    // Anywhere before `--`, even after a task that would act, and without a usable DATABASE_URL.
    for (const args of [['-h'], ['ban', '1', '--reason', 'x', '--help'], ['revoke', '1', '--reason', '-h'], ['online', '--frobnicate', '--help']]) {
      expect(await admin(args), args.join(' ')).toEqual(help);
    }
    expect(await admin(['--help'], { DATABASE_URL: 'not a url' })).toEqual(help);
  });

  it('an unknown option fails with one line naming it, then the usage, exit 1, before any database', async () => {
    const usage = (await admin(['--help'])).output;
    expect(await admin(['online', '--frobnicate'])).toEqual({ code: 1, output: `unknown option "--frobnicate"\n${usage}` });
    expect(await admin(['ban', '1', '--reason'])).toEqual({ code: 1, output: `--reason needs a value\n${usage}` });
    expect(await admin(['drop'])).toEqual({ code: 1, output: `unknown task "drop"\n${usage}` });
    // A good command line does reach the database (and says so when none answers).
    expect(await admin(['online'])).toMatchObject({ code: 1, output: expect.stringContaining('does not answer') });
  });
});
