// pnpm db:create | db:migrate | db:reset | db:seed, against DATABASE_URL.
// Each is idempotent and says what it did; --help (-h) prints the usage and
// does nothing else. db:reset, the one that destroys data, refuses any
// database not named *_dev or *_test, and NODE_ENV=production, unless
// --drop names the database.
import { parseArgs } from 'node:util';
import { DEV_DATABASE_URL, loadDatabaseConfig } from '../config.js';
import { createDatabase } from '../database.js';
import { describeDatabaseUrl, parseDatabaseUrl } from '../database-url.js';
import { createDatabaseIfMissing, dropDatabaseIfExists } from '../database-server.js';
import { migrateToLatest } from '../migrator.js';
import { seedDemoAccounts } from '../seed.js';

type Task = 'create' | 'migrate' | 'reset' | 'seed';
const TASKS: Task[] = ['create', 'migrate', 'reset', 'seed'];

/** The options each task takes, besides --help. */
const OPTIONS: Record<Task, string[]> = { create: [], migrate: [], reset: ['drop'], seed: [] };

/** Names db:reset drops without --drop (outside production). */
const DISPOSABLE_NAME = /_(dev|test)$/;

const USAGE = `usage: pnpm db:<task> [options]   (in the image: node apps/server/dist/db.js <task> [options])
  db:create                      creates DATABASE_URL's database (utf8mb4) unless it exists
  db:migrate                     creates it if needed, applies pending migrations
  db:seed                        migrates, then adds the demo accounts alice, bob and carol unless present
  db:reset [--drop <database>]   drops the database, creates it, migrates it. It refuses a database whose
                                 name ends in neither _dev nor _test, and NODE_ENV=production, unless
                                 --drop gives the name of DATABASE_URL's database, exactly
  --help, -h                     prints this and does nothing else
DATABASE_URL is mysql://user:pass@host:port/database; outside production it defaults to
${DEV_DATABASE_URL}`;

/** What the command line asks for. A mistake on it throws: one line, exit 1, nothing done. */
type CommandLine = { help: true } | { help: false; task: Task; drop: string | undefined };

function parseCommandLine(args: string[]): CommandLine {
  const { tokens } = parseArgs({
    args,
    options: { drop: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  // --help wins wherever it stands before `--`, even as another option's value (`--drop --help`).
  const end = args.indexOf('--');
  const before = end === -1 ? args : args.slice(0, end);
  if (before.includes('--help') || before.includes('-h') || tokens.some((token) => token.kind === 'option' && token.name === 'help')) {
    return { help: true };
  }

  const positionals = tokens.flatMap((token) => (token.kind === 'positional' ? [token.value] : []));
  const [task, ...extra] = positionals;
  if (task === undefined) throw new Error(`no task given: db.ts ${TASKS.join('|')} (--help for the usage)`);
  if (!TASKS.includes(task as Task)) throw new Error(`unknown task "${task}": db.ts ${TASKS.join('|')} (--help for the usage)`);
  const name = `db:${task}`;
  if (extra.length > 0) throw new Error(`${name} takes no argument "${extra[0]}" (--help for the usage)`);

  let drop: string | undefined;
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (!OPTIONS[task as Task].includes(token.name)) throw new Error(`${name}: unknown option "${token.rawName}" (--help for the usage)`);
    if (token.value === undefined || token.value === '') throw new Error(`${name}: ${token.rawName} needs a value: ${token.rawName} <database name>`);
    drop = token.value;
  }
  return { help: false, task: task as Task, drop };
}

/** Throws unless db:reset may drop this database: see USAGE. */
function checkResetAllowed(databaseUrl: string, production: boolean, drop: string | undefined): void {
  const { database } = parseDatabaseUrl(databaseUrl);
  const where = describeDatabaseUrl(databaseUrl);
  if (drop !== undefined) {
    if (drop !== database) throw new Error(`db:reset: --drop ${drop} does not name DATABASE_URL's database (${where}): nothing dropped`);
    return;
  }
  if (production) {
    throw new Error(`db:reset drops every account: it refuses to run with NODE_ENV=production (${where}) unless given --drop <database name>`);
  }
  if (!DISPOSABLE_NAME.test(database)) {
    throw new Error(
      `db:reset drops every account: it refuses ${where}, whose name ends in neither _dev nor _test, unless given --drop <database name>`,
    );
  }
}

async function main(args: string[]): Promise<void> {
  const command = parseCommandLine(args);
  if (command.help) {
    console.log(USAGE);
    return;
  }
  const { task, drop } = command;
  const { databaseUrl, production } = loadDatabaseConfig();
  const where = describeDatabaseUrl(databaseUrl);

  if (task === 'reset') {
    checkResetAllowed(databaseUrl, production, drop);
    const dropped = await dropDatabaseIfExists(databaseUrl);
    console.log(dropped ? `dropped ${where}` : `${where} did not exist`);
  }
  const created = await createDatabaseIfMissing(databaseUrl);
  console.log(created ? `created ${where}` : `${where} exists`);
  if (task === 'create') return;

  const db = createDatabase(databaseUrl, { connectionLimit: 2 });
  try {
    const applied = await migrateToLatest(db);
    console.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'migrations: up to date');
    if (task === 'seed') {
      const seeded = await seedDemoAccounts(db);
      console.log(
        `demo accounts: ${seeded.created.length ? `created ${seeded.created.join(', ')}` : 'none created'}` +
          (seeded.kept.length ? `; already there: ${seeded.kept.join(', ')}` : ''),
      );
    }
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
