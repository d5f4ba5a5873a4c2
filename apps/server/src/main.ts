// `pnpm start`: the built server in production mode, configuration from the environment.
import { DatabaseUnreachableError } from '@minigate/db';
import { ConfigError, loadConfigFromEnvironment } from './config.js';
import { SchemaOutdatedError, startServer } from './start-server.js';

try {
  const config = loadConfigFromEnvironment();
  await startServer(config);
} catch (error) {
  if (error instanceof ConfigError || error instanceof DatabaseUnreachableError || error instanceof SchemaOutdatedError) {
    console.error(error.message);
  } else {
    console.error('minigate failed to start:', error);
  }
  process.exit(1);
}
