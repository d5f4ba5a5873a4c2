// `pnpm start`: the built server in production mode, configuration from the environment.
// With WORKERS > 1 this process is a node:cluster primary and each worker runs the server (cluster.ts).
import cluster from 'node:cluster';
import { DatabaseUnreachableError } from '@minigate/db';
import { createPrimaryLog, startPrimary } from './cluster.js';
import { ConfigError, loadConfigFromEnvironment } from './config.js';
import { SchemaOutdatedError, startServer } from './start-server.js';

try {
  // Checked here, in the primary too, so a bad configuration fails once and not once per worker.
  const config = loadConfigFromEnvironment();
  if (config.workers > 1 && cluster.isPrimary) {
    const primary = startPrimary({ workers: config.workers, log: createPrimaryLog(config.logLevel) });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => primary.shutdown(signal));
    process.exit(await primary.exited);
  }
  await startServer(config);
} catch (error) {
  if (error instanceof ConfigError || error instanceof DatabaseUnreachableError || error instanceof SchemaOutdatedError) {
    console.error(error.message);
  } else {
    console.error('minigate failed to start:', error);
  }
  process.exit(1);
}
