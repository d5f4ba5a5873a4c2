import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ownerOfConnection } from './support/connection-owner.js';
import { eventually, listeningPids, primaryLines } from './support/primary-log.js';
import { BUILT_SERVER, freePort, run } from './support/processes.js';
import { useDatabaseAndSimulator } from './support/database-and-simulator.js';
import { testEnvironment } from './support/stack.js';

// WORKERS=2 on the built server: a worker killed with SIGKILL must not take
// with it a connection it never accepted. Every call sent right after the
// kill is answered (by the other worker) or refused at once; none hangs.

const shared = useDatabaseAndSimulator();

/** Far above a call's latency (milliseconds), even on a loaded machine: a call still open after this is hung. */
const HANG_BOUND_MS = 3_000;
const ROUNDS = 20;
/** Rounds per server: the primary gives up after max(10, 2 × WORKERS) deaths in a minute, and backs off from the second. */
const ROUNDS_PER_SERVER = 5;
const CALLS_PER_ROUND = 4;

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

type Outcome =
  { kind: 'answered'; status: number; ms: number } | { kind: 'refused'; code: string; ms: number } | { kind: 'hung'; path: string; heldBy: string };

/**
 * One call on a new connection. Answered, refused (a connection error), or,
 * when neither came within HANG_BOUND_MS, hung: then it says which process
 * holds the server side of the connection, and closes it.
 */
function callOnce(port: number, path: string, holders: Record<number, string>): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const outgoing = request({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      response.resume();
      response.on('end', () => settle({ kind: 'answered', status: response.statusCode ?? 0, ms: ms() }));
      response.on('aborted', () => settle({ kind: 'refused', code: 'aborted', ms: ms() }));
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => settle({ kind: 'refused', code: error.code ?? error.message, ms: ms() }));
    outgoing.end();
    const timer = setTimeout(() => {
      const localPort = outgoing.socket?.localPort;
      const pids = Object.keys(holders).map(Number);
      void (localPort === undefined ? Promise.resolve(undefined) : ownerOfConnection(port, localPort, pids)).then((owner) => {
        settle({ kind: 'hung', path, heldBy: owner === undefined ? 'no live process' : `${holders[owner]} (pid ${owner})` });
        outgoing.destroy();
      });
    }, HANG_BOUND_MS);
  });
}

describe('WORKERS=2: a worker killed with SIGKILL', () => {
  it(
    `leaves no call hanging: ${ROUNDS} rounds of kill-and-call, each call answered or refused within ${HANG_BOUND_MS / 1000} s`,
    { timeout: 600_000 },
    async () => {
      const outcomes: Outcome[] = [];
      for (let batch = 0; batch < ROUNDS / ROUNDS_PER_SERVER; batch++) {
        const port = await freePort();
        const server = run([BUILT_SERVER], {
          NODE_ENV: 'production',
          PORT: String(port),
          WORKERS: '2',
          ...testEnvironment(shared.database.url, shared.simulator.url),
        });
        const killed = new Set<number>();
        const live = () => [...new Set(listeningPids(server))].filter((pid) => !killed.has(pid));
        try {
          await eventually('two workers listening', server, () => (live().length === 2 ? true : undefined));
          const primaryPid = primaryLines(server)[0]!.pid;
          for (let round = 0; round < ROUNDS_PER_SERVER; round++) {
            const workers = live();
            const victim = workers[round % 2]!;
            const holders: Record<number, string> = { [primaryPid]: 'the primary', [victim]: 'the killed worker' };
            for (const pid of workers) holders[pid] ??= 'the other worker';
            process.kill(victim, 'SIGKILL');
            killed.add(victim);
            const paths = Array.from({ length: CALLS_PER_ROUND }, (_, index) => (index % 2 ? '/trpc/account.me' : '/healthz'));
            outcomes.push(...(await Promise.all(paths.map((path) => callOnce(port, path, holders)))));
            await eventually('a replacement worker listening', server, () => (live().length === 2 && !isAlive(victim) ? true : undefined));
          }
        } finally {
          server.stop();
        }
        expect(await server.exited).toBe(0);
      }

      const count = (kind: Outcome['kind']) => outcomes.filter((outcome) => outcome.kind === kind).length;
      const slowest = Math.max(0, ...outcomes.flatMap((outcome) => ('ms' in outcome ? [outcome.ms] : [])));
      const hung = outcomes.filter((outcome) => outcome.kind === 'hung');
      console.log(
        `${ROUNDS} rounds × ${CALLS_PER_ROUND} calls after a SIGKILL: ${count('answered')} answered, ${count('refused')} refused, ${hung.length} hung` +
          ` (slowest settled call ${slowest} ms)` +
          (hung.length ? `; hung calls held by: ${hung.map((outcome) => outcome.heldBy).join(', ')}` : ''),
      );
      expect(hung).toEqual([]);
      // An answer is the call's own: the health check's 200, account.me's 401 without a token; never a 5xx.
      for (const outcome of outcomes) if (outcome.kind === 'answered') expect([200, 401]).toContain(outcome.status);
    },
  );
});
