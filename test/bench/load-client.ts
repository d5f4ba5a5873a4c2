// The orchestrator's side of the load generator: forks load.ts once, runs
// rounds on it, and brackets each round with the server's CPU time and
// memory read from /proc.
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { LoadMessage, LoadResult, LoadSpec } from './load.js';
import { cpuMs, peakRssKb, resetPeaks, rssKb } from './procfs.js';
import { ROOT, type ServerProcess } from './servers.js';

export interface Measured extends LoadResult {
  /** Server CPU (user + system, all its processes) during the round, milliseconds. */
  serverCpuMs: number;
  /** Peak resident memory of the server's processes during the round, MB (VmHWM after a reset; sampled VmRSS where a reset is refused). */
  peakRssMb: number;
  /** The load's start and end, microseconds of CLOCK_MONOTONIC (what a V8 CPU profile's timestamps count). */
  windowUs: [number, number];
}

export class LoadGenerator {
  private nextId = 1;
  private readonly waiting = new Map<number, (message: LoadMessage) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: LoadMessage) => this.waiting.get(message.id)?.(message));
  }

  static start(): LoadGenerator {
    const child = fork(resolve(import.meta.dirname, 'load.ts'), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new LoadGenerator(child);
  }

  /** One round against `server`; its CPU and memory are read at the load's start and end. */
  run(spec: Omit<LoadSpec, 'id'>, server: ServerProcess): Promise<Measured> {
    const id = this.nextId++;
    return new Promise((resolvePromise, reject) => {
      let pids: number[] = [];
      let cpuAtStart = 0;
      let peaksReset = false;
      let sampledPeakKb = 0;
      let sampler: ReturnType<typeof setInterval> | undefined;
      let serverCpuMs = 0;
      let peakKb = 0;
      const windowUs: [number, number] = [0, 0];
      const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
      const sample = () => (sampledPeakKb = Math.max(sampledPeakKb, rssKb(pids)));
      const exited = () => reject(new Error('the load generator exited'));
      this.child.once('exit', exited);
      this.waiting.set(id, (message) => {
        switch (message.type) {
          case 'started':
            windowUs[0] = monotonicUs();
            pids = server.pids();
            peaksReset = resetPeaks(pids);
            cpuAtStart = cpuMs(pids);
            sample();
            sampler = setInterval(sample, 200);
            return;
          case 'finished':
            windowUs[1] = monotonicUs();
            serverCpuMs = cpuMs(pids) - cpuAtStart;
            clearInterval(sampler);
            sample();
            peakKb = peaksReset ? Math.max(peakRssKb(pids), sampledPeakKb) : sampledPeakKb;
            return;
          case 'result':
          case 'failed':
            this.waiting.delete(id);
            this.child.off('exit', exited);
            clearInterval(sampler);
            if (message.type === 'failed') return reject(new Error(`load generator: ${message.error}`));
            return resolvePromise({ ...message.result, serverCpuMs, peakRssMb: Math.round(peakKb / 102.4) / 10, windowUs });
        }
      });
      this.child.send({ type: 'run', spec: { ...spec, id } });
    });
  }

  close(): void {
    if (this.child.connected) this.child.send({ type: 'exit' });
  }
}
