import cluster from 'node:cluster';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { DatabaseUnreachableError, describeDatabaseUrl, migrateToLatest, pendingMigrations } from '@minigate/db';
import type { Config } from './config.js';
import { createHttpServer } from './http-server.js';
import { wireApplication } from './wiring.js';

const SHUTDOWN_GRACE_MS = 10_000;

/** The database's schema is older than this code needs. */
export class SchemaOutdatedError extends Error {
  override name = 'SchemaOutdatedError';
}

/**
 * Builds and starts the server, checks the database answers, and closes
 * gracefully on SIGTERM/SIGINT: stop accepting, finish what is in flight,
 * release the pool.
 */
export async function startServer(config: Config, options: { onClose?: () => Promise<void> } = {}): Promise<FastifyInstance> {
  const { server, application, closing } = createHttpServer(config, (log) => wireApplication(config, log), {
    metricsFromPrimary: cluster.isWorker,
    connectionCloseWhileClosing: true,
  });
  if (options.onClose) server.addHook('onClose', options.onClose);
  try {
    await sql`SELECT 1`.execute(application.db);
  } catch (error) {
    await server.close();
    throw new DatabaseUnreachableError(
      `The database at ${describeDatabaseUrl(config.databaseUrl)} does not answer (${(error as { code?: string }).code ?? (error as Error).message}): start it or fix DATABASE_URL.`,
    );
  }
  // An instance of this release needs its migrations: migrations only add, so
  // instances of the previous release keep running on the migrated schema.
  const pending = await pendingMigrations(application.db);
  if (pending.length > 0) {
    if (!config.migrateOnStart) {
      await server.close();
      throw new SchemaOutdatedError(
        `The database at ${describeDatabaseUrl(config.databaseUrl)} lacks migrations ${pending.join(', ')}: run pnpm db:migrate (or start with MIGRATE_ON_START=true).`,
      );
    }
    server.log.info({ applied: await migrateToLatest(application.db) }, 'applied pending migrations (MIGRATE_ON_START)');
  }
  // The revocation window is loaded before the first call is served.
  await application.start();
  await server.listen({ host: config.host, port: config.port });

  const shutdown = (signal: string) => {
    // From here on every answer says Connection: close, and a new request is 503 SERVER_CLOSING (closing-plugin.ts).
    if (!closing.begin()) return;
    server.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    force.unref();
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return server;
}
