// pnpm db:create | db:migrate | db:reset | db:seed, against DATABASE_URL.
// Each is idempotent and says what it did.
import { loadDatabaseConfig } from '../config.js';
import { createDatabase } from '../database.js';
import { describeDatabaseUrl } from '../database-url.js';
import { createDatabaseIfMissing, dropDatabaseIfExists } from '../database-server.js';
import { migrateToLatest } from '../migrator.js';
import { seedDemoAccounts } from '../seed.js';

type Task = 'create' | 'migrate' | 'reset' | 'seed';
const TASKS: Task[] = ['create', 'migrate', 'reset', 'seed'];

async function main(task: string | undefined): Promise<void> {
  if (!TASKS.includes(task as Task)) throw new Error(`usage: db.ts ${TASKS.join('|')}`);
  const { databaseUrl, production } = loadDatabaseConfig();
  const where = describeDatabaseUrl(databaseUrl);

  if (task === 'reset') {
    if (production) throw new Error('db:reset drops every account: it refuses to run with NODE_ENV=production');
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

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
