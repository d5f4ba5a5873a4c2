import type { ServiceLogger } from './services/service-logger.js';

/** What every procedure reports to the process that runs it. */
export interface ProcedureRuntime {
  /** A procedure started; call the returned function when it has ended (however). */
  started(): () => void;
  /** Resolves once no procedure is running (after close() has been asked, no new one should start). */
  idle(): Promise<void>;
  /** A call met an unreachable database; logged at most once a second, with the count. */
  databaseUnavailable(error: unknown): void;
}

/**
 * Counts the procedures in flight, so the pool closes only after the last
 * one ended, including those whose client hung up (the HTTP server no
 * longer waits for them). Logs a database outage once a second, not one
 * stack trace per request.
 */
export function createProcedureRuntime(logger: ServiceLogger, now: () => number = Date.now): ProcedureRuntime {
  let running = 0;
  let waiters: Array<() => void> = [];
  let refusedSinceLog = 0;
  let lastLogAt = 0;

  return {
    started() {
      running += 1;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        running -= 1;
        if (running === 0) {
          for (const waiter of waiters) waiter();
          waiters = [];
        }
      };
    },
    idle() {
      return running === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
    databaseUnavailable(error) {
      refusedSinceLog += 1;
      if (now() - lastLogAt < 1_000) return;
      const { code, message } = error as { code?: unknown; message?: unknown };
      logger.warn(
        { refused: refusedSinceLog, code, error: typeof message === 'string' ? message : String(error) },
        'database unavailable: calls answered 503',
      );
      lastLogAt = now();
      refusedSinceLog = 0;
    },
  };
}
