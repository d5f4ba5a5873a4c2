import { createTestDatabase } from '@minigate/db/testing';
import { describe, expect, it } from 'vitest';
import { BUILT_SERVER, freePort, run, waitFor } from './support/processes.js';
import { useDatabaseAndSimulator } from './support/database-and-simulator.js';
import { TEST_APPID, testEnvironment } from './support/stack.js';

// The built server in production mode: what SIGTERM does to calls in
// flight, and what start does on a database it cannot serve.
const shared = useDatabaseAndSimulator();

/** The server's output without its access lines: what to show when an assertion fails. */
const notable = (output: string) =>
  output
    .split('\n')
    .filter((line) => !line.includes('"msg":"request"'))
    .join('\n');

describe('SIGTERM drains', () => {
  it('during 100 in-flight logins none fails, those whose client hung up still finish, and the process exits 0', async () => {
    const port = await freePort();
    const server = run([BUILT_SERVER], {
      NODE_ENV: 'production',
      PORT: String(port),
      RATE_LIMITS: 'off',
      WECHAT_TIMEOUT_MS: '10000',
      ...testEnvironment(shared.database.url, shared.simulator.url),
    });
    await waitFor(`http://127.0.0.1:${port}/healthz`, server);
    try {
      const login = (player: string, signal?: AbortSignal) =>
        fetch(`http://127.0.0.1:${port}/trpc/auth.wechatLogin`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ code: shared.simulator.issueCode(TEST_APPID, player) }),
          ...(signal ? { signal } : {}),
        });
      const exchanged = shared.simulator.callCount('jscode2session');
      const inFlight = (count: number) =>
        expect.poll(() => shared.simulator.callCount('jscode2session') - exchanged, { timeout: 20_000, interval: 20 }).toBeGreaterThanOrEqual(count);
      // A load generator that disconnects: these 20 clients hang up, and
      // WeChat answers their logins last (6 s), after the HTTP server has
      // closed: the pool must stay open until they end.
      shared.simulator.injectFault({ kind: 'delay', ms: 6_000 }, 20);
      const hangUp = new AbortController();
      const abandoned = Array.from({ length: 20 }, (_, i) =>
        login(`drain-gone-${i}`, hangUp.signal).then(
          (response) => `answered ${response.status}`,
          (error: Error) => (error.name === 'AbortError' ? 'hung up' : String(error.cause ?? error)),
        ),
      );
      await inFlight(20);
      // 100 more, answered by WeChat after 1.5 s.
      shared.simulator.setFault('jscode2session', { kind: 'delay', ms: 1_500 });
      const kept = Array.from({ length: 100 }, (_, i) =>
        login(`drain-${i}`).then(async (response) => ({ status: response.status, body: await response.text() })),
      );
      await inFlight(120);
      hangUp.abort();
      const signalledAt = Date.now();
      server.stop();

      const answers = await Promise.all(kept);
      expect(answers.filter((answer) => answer.status !== 200).map((answer) => answer.body)).toEqual([]);
      expect(await Promise.all(abandoned)).toEqual(Array(20).fill('hung up'));
      expect(await server.exited, notable(server.output())).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
      expect(server.output()).not.toMatch(/closed state|procedure failed|Pool is closed/);
      // The abandoned logins ran to the end: their accounts are complete.
      const accounts = await shared.database.db.selectFrom('accountAuth').select('identifier').where('identifier', 'like', 'o%').execute();
      const abandonedOpenids = Array.from({ length: 20 }, (_, i) => shared.simulator.openidFor(TEST_APPID, `drain-gone-${i}`));
      expect(
        abandonedOpenids.filter((openid) => !accounts.some((row) => row.identifier === openid)),
        notable(server.output()),
      ).toEqual([]);
    } finally {
      shared.simulator.clearFaults();
      server.stop();
    }
  });
});

describe('start on a database it cannot serve', () => {
  it('refuses an unmigrated database in one sentence naming pnpm db:migrate, and migrates it when told to', async () => {
    const empty = await createTestDatabase({ migrate: false });
    try {
      const refused = run([BUILT_SERVER], {
        NODE_ENV: 'production',
        PORT: String(await freePort()),
        ...testEnvironment(empty.url, shared.simulator.url),
      });
      expect(await refused.exited).toBe(1);
      const output = refused.output().trim().split('\n');
      expect(output).toHaveLength(1);
      expect(output[0]).toMatch(
        /^The database at .+ lacks migrations 0001-account-tables, .+: run pnpm db:migrate \(or start with MIGRATE_ON_START=true\)\.$/,
      );

      const port = await freePort();
      const migrating = run([BUILT_SERVER], {
        NODE_ENV: 'production',
        PORT: String(port),
        MIGRATE_ON_START: 'true',
        ...testEnvironment(empty.url, shared.simulator.url),
      });
      try {
        await waitFor(`http://127.0.0.1:${port}/healthz`, migrating);
        const login = await fetch(`http://127.0.0.1:${port}/trpc/auth.wechatLogin`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ code: shared.simulator.issueCode(TEST_APPID, 'fresh-db') }),
        });
        expect(login.status).toBe(200);
        expect(migrating.output()).toContain('applied pending migrations');
      } finally {
        migrating.stop();
        await migrating.exited;
      }
    } finally {
      await empty.drop();
    }
  });
});
