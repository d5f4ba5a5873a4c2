import type { Run } from './processes.js';

// The WORKERS primary's JSON log lines, read from a built server's output:
// how the workers tests see workers start, listen and die.

export interface PrimaryLine {
  role: 'primary';
  level: number;
  pid: number;
  msg: string;
  workerPid?: number;
  exitCode?: number;
}

/** The primary's JSON log lines (the workers' lines have no `role`). */
export function primaryLines(server: Run): PrimaryLine[] {
  return server
    .output()
    .split('\n')
    .flatMap((line) => {
      try {
        const parsed = JSON.parse(line) as Partial<PrimaryLine>;
        return parsed.role === 'primary' ? [parsed as PrimaryLine] : [];
      } catch {
        return [];
      }
    });
}

/** The pids of the workers the primary said are listening, in order. */
export const listeningPids = (server: Run): number[] =>
  primaryLines(server).flatMap((line) => (line.msg === 'worker listening' && line.workerPid ? [line.workerPid] : []));

/** Polls until `probe` answers something other than undefined; generous: the machine's two cores are shared with other suites. */
export async function eventually<T>(what: string, server: Run, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error(`${what} did not happen within ${timeoutMs / 1000} s:\n${server.output()}`);
}
