import { pingDatabaseServer } from '@minigate/db';
import { TEST_DATABASE_SERVER } from '@minigate/db/testing';

/** Fails the run at once, in one sentence, when no MySQL/MariaDB answers. */
export default async function checkDatabaseServer(): Promise<void> {
  await pingDatabaseServer(`${TEST_DATABASE_SERVER}/minigate_test_ping`);
}
