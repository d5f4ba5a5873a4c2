import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

/**
 * A database or Redis process the cluster suite started, in a process group
 * of its own (so that a kill reaches the helpers it forked too: Galera's
 * state-transfer scripts and their rsync daemons). Every one still running
 * is killed when the test process exits, however it exits.
 */
export interface Daemon {
  pid: number;
  /** Resolves with the exit code (null after a signal) once the process ended. */
  exited: Promise<number | null>;
  running(): boolean;
  /** Signals the whole process group. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<Daemon>();
let hooked = false;

function killLeftovers(): void {
  for (const daemon of live) daemon.signal('SIGKILL');
}

/** Starts `command args`, its stdout and stderr appended to `logFile`. */
export function startDaemon(command: string, args: string[], logFile: string, options: { cwd?: string } = {}): Daemon {
  if (!hooked) {
    hooked = true;
    process.once('exit', killLeftovers);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        killLeftovers();
        process.exit(1);
      });
    }
  }
  const log = openSync(logFile, 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log], ...(options.cwd ? { cwd: options.cwd } : {}) });
  closeSync(log);
  let ended = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      ended = true;
      live.delete(daemon);
      resolve(code);
    });
    child.once('error', () => {
      ended = true;
      live.delete(daemon);
      resolve(-1);
    });
  });
  const pid = child.pid ?? 0;
  const daemon: Daemon = {
    pid,
    exited,
    running: () => !ended,
    signal(signal) {
      if (!pid) return;
      try {
        process.kill(-pid, signal);
      } catch {
        // the group is gone already
      }
    },
    async stop(graceMs = 15_000) {
      if (ended) return;
      daemon.signal('SIGTERM');
      const timer = setTimeout(() => daemon.signal('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Helpers of the group that outlived their parent.
      daemon.signal('SIGKILL');
    },
  };
  live.add(daemon);
  return daemon;
}
