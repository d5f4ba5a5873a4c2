import { randomBytes } from 'node:crypto';
import { createDatabase, createDatabaseIfMissing, migrateToLatest, type Database, type Kysely } from '@minigate/db';
import { startWeChatSimulator, type WeChatSimulator } from '@minigate/wechat-sim';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ENTRY, run, TSX } from '../support/processes.js';
import { TEST_APPID, TEST_WECHAT_SECRET } from '../support/stack.js';
import { startGaleraCluster, type GaleraCluster } from './support/galera.js';
import { call, playerIp, serverErrors, startServers, stopServers, tally, type Answer, type ServerInstance } from './support/servers.js';

// minigate on a real 3-node MariaDB Galera cluster (test/cluster/support/galera.ts): three built
// servers, instance i talking to node i only, as a deployment without a proxy in front of Galera would.
// On Galera two nodes that write the same row at once both succeed locally; the loser fails at COMMIT
// with a deadlock (1213). Every figure docs/operations.md quotes is printed on a line starting with [cluster].

let galera: GaleraCluster;
let simulator: WeChatSimulator;
let db: Kysely<Database>;
let databaseName: string;
let servers: ServerInstance[] = [];
const urlOn = (node: number) => `${galera.nodes[node - 1]!.serverUrl}/${databaseName}`;
const summary = (line: string) => console.log(`[cluster] ${line}`);

beforeAll(async () => {
  galera = await startGaleraCluster();
  databaseName = `minigate_cluster_${randomBytes(4).toString('hex')}`;
  await createDatabaseIfMissing(urlOn(1));
  db = createDatabase(urlOn(1), { connectionLimit: 5 });
  await migrateToLatest(db);
  simulator = await startWeChatSimulator({ apps: [{ appid: TEST_APPID, secret: TEST_WECHAT_SECRET }] });
  // Instance i on node i. A feed poll of 500 ms, as the revocation tests use.
  servers = await startServers([urlOn(1), urlOn(2), urlOn(3)], simulator.url, { REVOCATION_POLL_MS: '500' });
}, 300_000);

afterAll(async () => {
  await stopServers(servers);
  await simulator?.close();
  await db?.destroy();
  await galera?.close();
}, 120_000);

const login = (server: ServerInstance, player: string, ip: string) =>
  call(server, 'auth.wechatLogin', { input: { code: simulator.issueCode(TEST_APPID, player) }, ip });

/** The accounts missing their profile or their WeChat identity (a login half-written). */
async function halfWrittenAccounts(): Promise<number[]> {
  const rows = await sql<{ accountId: number }>`
    SELECT a.account_id AS accountId FROM account a
    WHERE NOT EXISTS (SELECT 1 FROM account_profile p WHERE p.account_id = a.account_id)
       OR NOT EXISTS (SELECT 1 FROM account_auth i WHERE i.account_id = a.account_id)`.execute(db);
  return rows.rows.map((row) => Number(row.accountId));
}

/** The servers' error lines (pino level 50 and up), the first few: what a 5xx was. */
const errorLines = () =>
  servers
    .flatMap((server) => server.process.output().split('\n'))
    .filter((line) => /"level":(50|60)/.test(line))
    .slice(0, 4)
    .join('\n');

/** Lines of the servers' logs that mention `pattern`, counted. */
const logCount = (pattern: RegExp) =>
  servers.reduce(
    (sum, server) =>
      sum +
      server.process
        .output()
        .split('\n')
        .filter((line) => pattern.test(line)).length,
    0,
  );

describe('minigate on a 3-node MariaDB Galera cluster, one instance per node', () => {
  it.each([1, 2, 3])(
    '400 first logins of 20 players over the 3 instances (round %i, 20 new players): exactly 20 accounts and no 5xx',
    async (round) => {
      const accountsBefore = Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM account`.execute(db)).rows[0]!.n);
      const deadlocksBefore = logCount(/Deadlock|ER_LOCK_DEADLOCK|1213/);
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 400 }, (_, i) => {
          const player = i % 20;
          return login(servers[i % 3]!, `galera-first-${round}-${player}`, playerIp(player)).then((answer) => ({ player, answer }));
        }),
      );
      const elapsed = Date.now() - started;
      const all = answers.map(({ answer }) => answer);
      const errors = serverErrors(all);
      const accounts = Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM account`.execute(db)).rows[0]!.n) - accountsBefore;
      const deadlocks = logCount(/Deadlock|ER_LOCK_DEADLOCK|1213/) - deadlocksBefore;
      summary(
        `round ${round}: 400 first logins of 20 players over 3 instances on 3 Galera nodes: ${JSON.stringify(tally(all))} in ${elapsed} ms; ` +
          `${errors.length} 5xx (${[...new Set(errors.map((error) => error.reason))].join(', ') || 'none'}); ` +
          `${deadlocks} deadlock line(s) in the servers' logs; ${accounts} accounts`,
      );
      expect(errors, `${JSON.stringify(errors.slice(0, 3))}\n${errorLines()}`).toEqual([]);
      expect(accounts).toBe(20);
      for (let player = 0; player < 20; player++) {
        const ids = new Set(answers.filter((entry) => entry.player === player).map(({ answer }) => answer.data?.account.id));
        expect(ids.size, `player ${player}: ${[...ids].join(', ')}`).toBe(1);
      }
      expect(await halfWrittenAccounts()).toEqual([]);
    },
  );

  it("WeChat's access token, refreshed at once by instances on two nodes, costs one stable_token call", async () => {
    const players = await Promise.all(
      servers.slice(0, 2).map(async (server, i) => {
        const answer = await login(server, `galera-token-${i}`, playerIp(100 + i));
        expect(answer.status).toBe(200);
        return { server, token: answer.data.accessToken as string };
      }),
    );
    const before = simulator.callCount('stable_token');
    const writes = await Promise.all(
      players.flatMap(({ server, token }) =>
        Array.from({ length: 4 }, (_, n) => call(server, 'ranking.submitScore', { input: { key: `s${n}`, score: n }, token })),
      ),
    );
    const stableTokenCalls = simulator.callCount('stable_token') - before;
    summary(`access token refreshed at once on nodes 1 and 2: ${JSON.stringify(tally(writes))}; ${stableTokenCalls} stable_token call(s)`);
    expect(writes.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    expect(stableTokenCalls).toBe(1);
  });

  it('a ban written on node 3 (pnpm admin ban) refuses the token on every instance within 5 s', async () => {
    const sessions = [];
    for (const server of servers) {
      const answer = await login(server, 'galera-banned', playerIp(200));
      expect(answer.status).toBe(200);
      sessions.push({ server, token: answer.data.accessToken as string, accountId: answer.data.account.id as number });
    }
    for (const { server, token } of sessions) expect((await call(server, 'account.heartbeat', { token })).status).toBe(200);

    const cli = run([TSX, ADMIN_ENTRY, 'ban', String(sessions[0]!.accountId), '--reason', 'cluster test', '--by', 'cluster-suite'], {
      DATABASE_URL: urlOn(3),
      USER: 'cluster-suite',
    });
    expect(await cli.exited, cli.output()).toBe(0);
    const committed = Date.now();
    const refusedAfter = await Promise.all(
      sessions.map(async ({ server, token }) => {
        for (;;) {
          const answer = await call(server, 'account.heartbeat', { token });
          if (answer.status !== 200) return { ms: Date.now() - committed, reason: answer.reason };
          if (Date.now() - committed > 10_000) return { ms: Date.now() - committed, reason: 'still served after 10 s' };
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }),
    );
    summary(
      `ban written on node 3: refused on instances 1/2/3 after ${refusedAfter.map((seen) => seen.ms).join('/')} ms (${refusedAfter[0]!.reason})`,
    );
    for (const seen of refusedAfter) {
      expect(seen.reason).toBe('ACCOUNT_DISABLED');
      expect(seen.ms).toBeLessThan(5_000);
    }
  });

  it('node 3 killed under load: instances 1 and 2 serve on without an error, instance 3 answers typed 503s until node 3 rejoins, then recovers', async () => {
    interface Sample {
      server: number;
      phase: 'before' | 'down' | 'rejoining' | 'after';
      answer: Answer;
    }
    let phase: Sample['phase'] = 'before';
    const samples: Sample[] = [];
    let stop = false;
    let sequence = 0;
    // Two workers per instance, each a loop of a first login then heartbeats with its token.
    const worker = async (server: number, lane: number) => {
      let token: string | null = null;
      while (!stop) {
        const at = phase;
        let answer: Answer;
        if (token === null || sequence % 4 === 0) {
          const n = sequence++;
          answer = await login(servers[server]!, `galera-load-${server}-${lane}-${n}`, playerIp(300 + (n % 200)));
          if (answer.status === 200) token = answer.data.accessToken as string;
        } else {
          sequence++;
          answer = await call(servers[server]!, 'account.heartbeat', { token });
        }
        samples.push({ server, phase: at, answer });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const load = Promise.all([0, 1, 2].flatMap((server) => [worker(server, 0), worker(server, 1)]));
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    await sleep(2_000);
    const node3 = galera.nodes[2];
    phase = 'down';
    const killedAt = Date.now();
    await node3.kill();
    // Down long enough for the group to evict it and for instance 3 to meet it gone.
    await sleep(8_000);
    phase = 'rejoining';
    const restartAt = Date.now();
    await node3.restart();
    const syncedAt = Date.now();
    phase = 'after';
    // Instance 3 recovers by itself: no restart, no operator.
    let recoveredAt: number | null = null;
    while (Date.now() - syncedAt < 60_000) {
      const recent = samples.filter((sample) => sample.server === 2 && sample.phase === 'after').slice(-6);
      if (recent.length === 6 && recent.every((sample) => sample.answer.status === 200)) {
        recoveredAt = Date.now();
        break;
      }
      await sleep(200);
    }
    await sleep(2_000);
    stop = true;
    await load;

    const of = (server: number, ...phases: Array<Sample['phase']>) =>
      samples.filter((sample) => sample.server === server && phases.includes(sample.phase)).map((sample) => sample.answer);
    const survivors = [...of(0, 'before', 'down', 'rejoining', 'after'), ...of(1, 'before', 'down', 'rejoining', 'after')];
    const survivorFailures = survivors.filter((answer) => answer.status !== 200);
    const orphan = of(2, 'down', 'rejoining', 'after');
    const orphanOther = orphan.filter((answer) => answer.status !== 200 && answer.status !== 503);
    const orphan503 = orphan.filter((answer) => answer.status === 503);
    const half = await halfWrittenAccounts();
    const accounts = Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM account`.execute(db)).rows[0]!.n);
    summary(
      `node 3 SIGKILLed under load: instances 1+2 answered ${JSON.stringify(tally(survivors))} (slowest ${Math.max(...survivors.map((a) => a.ms))} ms); ` +
        `instance 3 answered ${JSON.stringify(tally(orphan))} after the kill (503 reasons: ${[...new Set(orphan503.map((a) => a.reason))].join(', ')}); ` +
        `node 3 rejoined ${((syncedAt - restartAt) / 1000).toFixed(1)} s after its restart (down ${((restartAt - killedAt) / 1000).toFixed(1)} s); ` +
        `instance 3 served again ${recoveredAt === null ? 'never' : `${((recoveredAt - syncedAt) / 1000).toFixed(1)} s after node 3 was Synced`}; ` +
        `${accounts} accounts, ${half.length} half-written`,
    );
    expect(survivorFailures, JSON.stringify(survivorFailures.slice(0, 5))).toEqual([]);
    expect(orphan503.length).toBeGreaterThan(0);
    expect(orphanOther, `${JSON.stringify(orphanOther.slice(0, 5))}\n${errorLines()}`).toEqual([]);
    for (const answer of orphan503) expect(['DATABASE_UNAVAILABLE', 'SHARED_STORE_UNAVAILABLE']).toContain(answer.reason);
    expect(recoveredAt).not.toBeNull();
    expect(half).toEqual([]);
  });
});
