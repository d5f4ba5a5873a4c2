import type { ServiceLogger } from './services/service-logger.js';

/** Work run every few seconds in the background; it answers how many rows it touched. */
export interface Job {
  everySeconds: number;
  /** What the log line says when it touched some. */
  name: string;
  run(): Promise<number>;
}

/**
 * The periodic jobs, on unref'ed timers (they never keep the process up):
 * a run that touched rows is logged with the count, one that failed is
 * logged and tried again at its next turn.
 */
export function createJobs(logger: ServiceLogger, jobs: readonly Job[]): { start(): void; stop(): void } {
  const timers: Array<ReturnType<typeof setInterval>> = [];
  return {
    start() {
      for (const job of jobs) {
        const timer = setInterval(() => {
          job.run().then(
            (count) => {
              if (count > 0) logger.info({ count }, job.name);
            },
            (error: unknown) => logger.warn({ error: (error as Error).message }, `${job.name} failed; will try again`),
          );
        }, job.everySeconds * 1000);
        timer.unref();
        timers.push(timer);
      }
    },
    stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
    },
  };
}
