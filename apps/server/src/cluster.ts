// WORKERS > 1: the process started as `node apps/server/dist/main.js`
// becomes a node:cluster primary. It forks that many workers, each running
// the whole server (startServer) on the shared port, and looks after them:
// it answers no HTTP and opens no database pool.
import cluster, { type Worker } from 'node:cluster';
import { hostname } from 'node:os';

/** How long the workers get to drain after a SIGTERM before they are killed (each bounds itself at 10 s). */
export const SHUTDOWN_TIMEOUT_MS = 15_000;
/** The window in which deaths are counted, for the backoff and for giving up. */
const DEATH_WINDOW_MS = 60_000;

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
type Level = keyof typeof LEVELS;

export type PrimaryLog = Record<Exclude<Level, 'trace' | 'debug'>, (fields: Record<string, unknown>, message: string) => void>;

/**
 * The primary's log: JSON lines shaped like the workers' (pino's level,
 * time, pid, hostname, msg), with `role: "primary"`, on stdout.
 */
export function createPrimaryLog(level: string, write: (line: string) => void = (line) => void process.stdout.write(line)): PrimaryLog {
  const threshold = level in LEVELS ? LEVELS[level as Level] : Infinity; // 'silent'
  const host = hostname();
  const at =
    (name: Level) =>
    (fields: Record<string, unknown>, message: string): void => {
      if (LEVELS[name] < threshold) return;
      write(
        `${JSON.stringify({ level: LEVELS[name], time: Date.now(), pid: process.pid, hostname: host, role: 'primary', ...fields, msg: message })}\n`,
      );
    };
  return { info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal') };
}

/**
 * The wait before replacing a worker, given how many have died within the
 * last minute (this one included): the first at once, then 250 ms doubling
 * up to 5 s, so a crash loop does not spin.
 */
export function restartDelayMs(recentDeaths: number, baseMs = 250, maxMs = 5_000): number {
  return recentDeaths <= 1 ? 0 : Math.min(maxMs, baseMs * 2 ** (recentDeaths - 2));
}

/** Deaths within a minute beyond which the primary gives up: a worker that keeps dying will not be saved by another. */
export function restartLimit(workers: number): number {
  return Math.max(10, 2 * workers);
}

export interface PrimaryOptions {
  workers: number;
  log: PrimaryLog;
  /** The script workers run, with its node flags: by default this process's own (main.js). */
  exec?: { file: string; execArgv: string[] };
  /** Added to the environment the workers inherit. */
  env?: Record<string, string>;
  shutdownTimeoutMs?: number;
  restartsPerMinute?: number;
  backoff?: { baseMs: number; maxMs: number };
}

export interface Primary {
  /** Resolves with the exit code once every worker has exited: 0 when all drained by themselves. */
  exited: Promise<number>;
  /** Stops replacing workers and sends each a SIGTERM (each drains itself); kills the ones left after the bound. */
  shutdown(reason: string): void;
  /** The workers alive now. */
  pids(): number[];
}

function describeExit(code: number | null, signal: string | null): string {
  return signal ? `killed by ${signal}` : `exited with code ${code}`;
}

/** Forks the workers and looks after them until shutdown. */
export function startPrimary(options: PrimaryOptions): Primary {
  const { workers, log } = options;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS;
  const limit = options.restartsPerMinute ?? restartLimit(workers);
  const backoff = options.backoff ?? { baseMs: 250, maxMs: 5_000 };
  // The kernel hands each connection to a worker (SCHED_NONE: every worker accepts on the shared socket), not the
  // primary in turn (SCHED_RR, Linux's default). Under SCHED_RR the primary accepts the connection and sends it to a
  // worker, keeping it open until the worker says it took it: a worker killed before it answered never does, and the
  // connection stays open in the primary with no one to serve it (the client hangs until its own timeout). With
  // SCHED_NONE a connection not yet accepted waits in the kernel's queue for the other worker, and one a dead worker had
  // accepted is closed by the kernel: refused at once. Frozen at the first fork or setupPrimary(), so set before either.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  if (options.exec) cluster.setupPrimary({ exec: options.exec.file, execArgv: options.exec.execArgv });

  const alive = new Set<Worker>();
  const listening = new WeakSet<Worker>();
  const pendingRestarts = new Set<ReturnType<typeof setTimeout>>();
  let deaths: number[] = [];
  /** Until every worker of the first round listens, a death is a failure to start: no replacement would fare better. */
  let started = false;
  let stopping = false;
  let exitCode = 0;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  let resolveExited!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExited = resolve));

  const finishIfDone = () => {
    if (!stopping || alive.size > 0) return;
    clearTimeout(killTimer);
    log.info({ exitCode }, 'every worker has exited');
    resolveExited(exitCode);
  };

  const stop = (reason: string, code: number) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    for (const timer of pendingRestarts) clearTimeout(timer);
    pendingRestarts.clear();
    log.info({ reason, workers: alive.size }, 'stopping: each worker drains its requests');
    for (const worker of alive) worker.process.kill('SIGTERM');
    killTimer = setTimeout(() => {
      for (const worker of alive) {
        log.error({ workerPid: worker.process.pid }, `worker still running ${shutdownTimeoutMs / 1000} s after SIGTERM: killed`);
        exitCode = 1;
        worker.process.kill('SIGKILL');
      }
    }, shutdownTimeoutMs);
    finishIfDone();
  };

  const fork = () => {
    const worker = cluster.fork(options.env);
    const workerPid = worker.process.pid;
    alive.add(worker);
    log.info({ workerPid }, 'worker started');
    worker.on('listening', (address: { address: string | null; port: number }) => {
      listening.add(worker);
      log.info({ workerPid, address: address.address, port: address.port }, 'worker listening');
      if (!started && [...alive].every((each) => listening.has(each))) started = true;
    });
    worker.on('error', (error: Error) => log.warn({ workerPid, error: error.message }, 'worker channel error'));
    worker.on('exit', (code: number | null, signal: string | null) => {
      alive.delete(worker);
      if (stopping) {
        // A SIGTERM that came before the worker set up its drain simply ends it: nothing was in flight.
        const clean = code === 0 || signal === 'SIGTERM';
        if (!clean) exitCode = 1;
        log.info({ workerPid, code, signal }, 'worker exited');
        finishIfDone();
        return;
      }
      if (!started) {
        log.fatal(
          { workerPid, code, signal },
          `worker ${workerPid} ${describeExit(code, signal)} before every worker was listening: stopping (the worker's own message, if any, is above)`,
        );
        stop('a worker failed to start', 1);
        return;
      }
      const now = Date.now();
      deaths = deaths.filter((time) => now - time < DEATH_WINDOW_MS);
      deaths.push(now);
      if (deaths.length > limit) {
        log.fatal(
          { workerPid, code, signal, deaths: deaths.length, limit },
          `${deaths.length} workers died within a minute (limit ${limit}): giving up, the last one ${describeExit(code, signal)}`,
        );
        stop('workers keep dying', 1);
        return;
      }
      const delayMs = restartDelayMs(deaths.length, backoff.baseMs, backoff.maxMs);
      log.error({ workerPid, code, signal, delayMs }, `worker ${workerPid} ${describeExit(code, signal)}: replacing it`);
      const timer = setTimeout(() => {
        pendingRestarts.delete(timer);
        fork();
      }, delayMs);
      pendingRestarts.add(timer);
    });
  };

  log.info({ workers }, `starting ${workers} workers`);
  for (let index = 0; index < workers; index++) fork();

  return {
    exited,
    shutdown: (reason) => stop(reason, 0),
    pids: () => [...alive].flatMap((worker) => (worker.process.pid === undefined ? [] : [worker.process.pid])),
  };
}
