import { createTestDatabase, type TestDatabase } from '@minigate/db/testing';
import { startWeChatSimulator, type WeChatSimulator } from '@minigate/wechat-sim';
import { afterAll, beforeAll } from 'vitest';
import { TEST_APPID, TEST_WECHAT_SECRET } from './stack.js';

// A test database of its own (migrated) and a WeChat simulator for the test app, for the tests that start
// their own servers on them (the built processes of instances.ts, or run() of processes.ts); startTestStack
// (stack.ts) makes both for an in-process server.

/** The test database and the simulator: getters, to read in hooks and tests once the beforeAll has made them. */
export interface DatabaseAndSimulator {
  readonly database: TestDatabase;
  readonly simulator: WeChatSimulator;
}

/**
 * Registers where it is called (a file's top level or a describe) a beforeAll that creates the database and
 * starts the simulator, and an afterAll that closes the simulator and drops the database. Call it before the
 * hooks that start servers on them: vitest runs afterAll hooks in reverse order (sequence.hooks 'stack'), so
 * those servers stop first.
 */
export function useDatabaseAndSimulator(): DatabaseAndSimulator {
  let database: TestDatabase | undefined;
  let simulator: WeChatSimulator | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    simulator = await startWeChatSimulator({ apps: [{ appid: TEST_APPID, secret: TEST_WECHAT_SECRET }] });
  });
  afterAll(async () => {
    await simulator?.close();
    await database?.drop();
  });
  const made = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`${what} is not there yet: read it in a hook or a test, after useDatabaseAndSimulator()'s beforeAll`);
    return value;
  };
  return {
    get database() {
      return made('the test database', database);
    },
    get simulator() {
      return made('the WeChat simulator', simulator);
    },
  };
}
