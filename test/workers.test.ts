import { Agent, request } from 'node:http';
import { availableParallelism, networkInterfaces } from 'node:os';
import { loadConfig } from '@minigate/server';
import { describe, expect, it } from 'vitest';
import { ownerOfConnection } from './support/connection-owner.js';
import { eventually, listeningPids, primaryLines } from './support/primary-log.js';
import { BUILT_SERVER, freePort, run } from './support/processes.js';
import { useDatabaseAndSimulator } from './support/database-and-simulator.js';
import { TEST_APPID, testEnvironment } from './support/stack.js';

// WORKERS=2 on the built server (`pnpm build`, then `node apps/server/dist/main.js`,
// as the Docker image runs it): a node:cluster primary and two full servers on one port.

const shared = useDatabaseAndSimulator();

/** Connections played at most until each of two workers has answered one (each is the kernel's pick). */
const MAX_CONNECTIONS_TO_MEET_BOTH = 40;

interface Answer {
  status: number;
  body: any;
  localPort: number;
}

/**
 * One player on one kept-alive connection: a login then a protected call,
 * both answered by the same worker. Answers which worker that was.
 */
async function playOneConnection(
  port: number,
  player: string,
  pids: number[],
  otherToken?: string,
): Promise<{ owner: number | undefined; login: Answer; me: Answer; other?: Answer }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const call = (method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown) =>
    new Promise<Answer>((resolve, reject) => {
      const outgoing = request({ host: '127.0.0.1', port, method, path, agent, headers }, (response) => {
        const localPort = response.socket.localPort ?? 0;
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text), localPort }));
      });
      outgoing.on('error', reject);
      outgoing.end(body === undefined ? undefined : JSON.stringify(body));
    });
  try {
    const code = shared.simulator.issueCode(TEST_APPID, player);
    const login = await call('POST', '/trpc/auth.wechatLogin', { 'content-type': 'application/json' }, { code });
    const me = await call('GET', '/trpc/account.me', { authorization: `Bearer ${login.body.result?.data?.accessToken}` });
    const other = otherToken === undefined ? undefined : await call('GET', '/trpc/account.me', { authorization: `Bearer ${otherToken}` });
    // The connection is still open (kept alive): find the worker holding it.
    const owner = await ownerOfConnection(port, me.localPort, pids);
    return { owner, login, me, ...(other ? { other } : {}) };
  } finally {
    agent.destroy();
  }
}

function expectServed({ login, me }: { login: Answer; me: Answer }) {
  expect(login.status).toBe(200);
  expect(me.status).toBe(200);
  expect(me.body.result.data.id).toBe(login.body.result.data.account.id);
  // Both calls went over one connection, so one worker answered both.
  expect(me.localPort).toBe(login.localPort);
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('WORKERS=2: a node:cluster primary and two workers on one port', () => {
  it('serves from both workers, replaces a worker killed with SIGKILL, and drains on SIGTERM', { timeout: 180_000 }, async () => {
    const port = await freePort();
    const server = run([BUILT_SERVER], {
      NODE_ENV: 'production',
      PORT: String(port),
      WORKERS: '2',
      ...testEnvironment(shared.database.url, shared.simulator.url),
    });
    try {
      const first = await eventually('two workers listening', server, () => {
        const pids = [...new Set(listeningPids(server))];
        return pids.length === 2 ? pids : undefined;
      });
      const primaryPid = primaryLines(server)[0]!.pid;
      expect(first).not.toContain(primaryPid);

      // Logins and protected calls, each connection answered by one of the two workers.
      const opening = await playOneConnection(port, 'worker-player-0', first);
      expectServed(opening);
      const owners = new Set([opening.owner]);
      // The kernel picks the worker of each connection (SCHED_NONE: not in turn), so play until both have served.
      for (let index = 1; index < 6 || (owners.size < 2 && index < MAX_CONNECTIONS_TO_MEET_BOTH); index++) {
        // Each connection also presents the first player's token: a worker accepts what another issued.
        const played = await playOneConnection(port, `worker-player-${index}`, first, opening.login.body.result.data.accessToken);
        expectServed(played);
        expect(played.other?.status).toBe(200);
        expect(played.other?.body.result.data.id).toBe(opening.login.body.result.data.account.id);
        owners.add(played.owner);
      }
      expect([...owners].sort()).toEqual([...first].sort());

      // One worker killed: the primary notices, the other keeps serving, a new one takes its place.
      const [victim, survivor] = first as [number, number];
      process.kill(victim, 'SIGKILL');
      await eventually('the primary noticing the death', server, () =>
        primaryLines(server).find((line) => line.workerPid === victim && /killed by SIGKILL: replacing it/.test(line.msg)),
      );
      const during = await playOneConnection(port, 'player-during-replacement', [survivor, victim]);
      expectServed(during);
      const replacement = await eventually('a replacement worker listening', server, () => listeningPids(server).find((pid) => !first.includes(pid)));
      expect(isAlive(victim)).toBe(false);

      const ownersAfter = new Set<number | undefined>();
      for (let index = 0; index < 4 || (ownersAfter.size < 2 && index < MAX_CONNECTIONS_TO_MEET_BOTH); index++) {
        const played = await playOneConnection(port, `worker-player-after-${index}`, [survivor, replacement]);
        expectServed(played);
        ownersAfter.add(played.owner);
      }
      expect([...ownersAfter].sort()).toEqual([survivor, replacement].sort());
    } finally {
      server.stop();
    }
    expect(await server.exited).toBe(0);
    const lines = primaryLines(server);
    expect(lines.some((line) => /^stopping/.test(line.msg))).toBe(true);
    expect(lines.at(-1)).toMatchObject({ msg: 'every worker has exited', exitCode: 0 });
    for (const pid of listeningPids(server)) expect(isAlive(pid)).toBe(false);
  });

  it('serves METRICS_PORT from the primary with every worker summed, the same totals at each scrape', { timeout: 120_000 }, async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const server = run([BUILT_SERVER], {
      NODE_ENV: 'production',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      WORKERS: '2',
      ...testEnvironment(shared.database.url, shared.simulator.url),
    });
    try {
      const pids = await eventually('two workers listening', server, () => {
        const listening = [...new Set(listeningPids(server))];
        return listening.length === 2 ? listening : undefined;
      });
      const owners = new Set<number | undefined>();
      for (let index = 0; index < 8; index++) {
        const played = await playOneConnection(port, `metrics-player-${index}`, pids);
        expectServed(played);
        owners.add(played.owner);
      }
      // Both workers logged players in, so a worker's own count would be short of 8.
      expect(owners.size).toBe(2);
      const scrape = async () => {
        const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
        expect(response.status).toBe(200);
        const text = await response.text();
        const value = (series: string) =>
          Number(
            text
              .split('\n')
              .find((line) => line.startsWith(`${series} `))
              ?.slice(series.length + 1),
          );
        return { logins: value('minigate_logins_total{outcome="success"}'), feedCurrent: value('minigate_change_feed_current') };
      };
      const scrapes = [await scrape(), await scrape(), await scrape()];
      expect(scrapes).toEqual(Array(3).fill({ logins: 8, feedCurrent: 1 }));
    } finally {
      server.stop();
    }
    expect(await server.exited).toBe(0);
    expect(primaryLines(server).find((line) => line.msg === 'metrics listening (every worker summed)')).toBeDefined();
  });

  it("binds the primary's METRICS_PORT on METRICS_HOST: loopback while HOST is 0.0.0.0", { timeout: 120_000 }, async () => {
    // An IPv4 address of this machine other than loopback, where a player elsewhere would connect; no skip without one.
    const elsewhere = Object.values(networkInterfaces())
      .flat()
      .find((each) => each?.family === 'IPv4' && !each.internal)?.address;
    if (!elsewhere) throw new Error('this machine has no IPv4 address but loopback: the METRICS_HOST test needs one (see `ip addr`)');
    const reach = async (url: string): Promise<number | string> => {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        await response.arrayBuffer();
        return response.status;
      } catch (error) {
        return (error as { cause?: { code?: string } }).cause?.code ?? String(error);
      }
    };
    const [port, metricsPort] = [await freePort(), await freePort()];
    const server = run([BUILT_SERVER], {
      NODE_ENV: 'production',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      WORKERS: '2',
      ...testEnvironment(shared.database.url, shared.simulator.url),
      HOST: '0.0.0.0',
    });
    try {
      await eventually('two workers listening', server, () => (new Set(listeningPids(server)).size === 2 ? true : undefined));
      // The workers answer there (HOST=0.0.0.0): the address is reachable from this process.
      expect(await reach(`http://${elsewhere}:${port}/healthz`)).toBe(200);
      expect(await reach(`http://127.0.0.1:${metricsPort}/metrics`)).toBe(200);
      expect(await reach(`http://${elsewhere}:${metricsPort}/metrics`)).toBe('ECONNREFUSED');
    } finally {
      server.stop();
    }
    expect(await server.exited).toBe(0);
    const listening = primaryLines(server).find((line) => line.msg === 'metrics listening (every worker summed)') as { url?: string } | undefined;
    expect(listening?.url).toBe(`http://127.0.0.1:${metricsPort}/metrics`);
  });

  it('checks the configuration in the primary: a bad one fails once, before any worker starts', async () => {
    const server = run([BUILT_SERVER], { NODE_ENV: 'production', WORKERS: '2', JWT_SECRET: 'too-short' });
    expect(await server.exited).toBe(1);
    const output = server.output();
    expect(output.match(/Bad configuration/g)).toHaveLength(1);
    expect(output).toMatch(/JWT_SECRET: must be at least 32 bytes/);
    expect(primaryLines(server)).toEqual([]);
  });

  it('stops with one clear line when the workers cannot start (no database answers)', { timeout: 60_000 }, async () => {
    const closedPort = await freePort();
    const server = run([BUILT_SERVER], {
      NODE_ENV: 'production',
      PORT: String(await freePort()),
      WORKERS: '2',
      ...testEnvironment(`mysql://root@127.0.0.1:${closedPort}/minigate_nowhere`, shared.simulator.url),
    });
    expect(await server.exited).toBe(1);
    const fatal = primaryLines(server).filter((line) => line.level === 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.msg).toMatch(/before every worker was listening: stopping/);
    expect(server.output()).toMatch(/does not answer \(ECONNREFUSED\)/);
  });
});

describe('WORKERS', () => {
  const env = { NODE_ENV: 'test', ...testEnvironment('mysql://root@127.0.0.1:3306/minigate_x', 'http://127.0.0.1:1') };

  it('is 1 by default, a number from 1 to 64, or auto: one per core', () => {
    expect(loadConfig(env).workers).toBe(1);
    expect(loadConfig({ ...env, WORKERS: '4' }).workers).toBe(4);
    expect(loadConfig({ ...env, WORKERS: '64' }).workers).toBe(64);
    expect(loadConfig({ ...env, WORKERS: 'auto' }).workers).toBe(Math.min(64, availableParallelism()));
  });

  it.each(['0', '65', 'two', '1.5', '-1', ''])('refuses WORKERS=%j, naming it', (value) => {
    expect(() => loadConfig({ ...env, WORKERS: value })).toThrow(/WORKERS: must be auto \(one per core\) or a number from 1 to 64/);
  });
});
