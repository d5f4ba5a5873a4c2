import { z } from 'zod';
import { databaseSettings, section, setting } from './settings.js';

export const database = section('Database', 'Any MySQL 8.x or MariaDB 10.11+ reachable over TCP, named by one URL.', {
  DATABASE_URL: databaseSettings.shape.DATABASE_URL,
  MIGRATE_ON_START: setting(
    z.enum(['true', 'false']).transform((value) => value === 'true'),
    {
      default: 'false',
      description: '`true`: apply pending migrations at start instead of refusing to run on an older schema',
    },
  ),
});

export function databaseConfig(values: z.output<typeof database.settings>) {
  return {
    databaseUrl: values.DATABASE_URL,
    /** MIGRATE_ON_START: apply pending migrations at start instead of refusing to run. */
    migrateOnStart: values.MIGRATE_ON_START,
  };
}
