import { pendingMigrations, type Kysely } from '@minigate/db';
import { sql } from 'kysely';

/** What /readyz answers: ready, or why not. */
export type Readiness = { ready: true } | { ready: false; reason: 'DATABASE_UNAVAILABLE' | 'MIGRATIONS_PENDING'; message: string };

export interface ReadinessCheck {
  check(): Promise<Readiness>;
}

export interface ReadinessOptions {
  /** How long the database may take to answer before the instance counts as not ready; default 1000 ms. */
  timeoutMs?: number;
  /** The migrations the code needs that the database lacks; default @minigate/db's pendingMigrations. */
  pending?: (db: Kysely<any>) => Promise<string[]>;
}

class ProbeTimeout extends Error {}

/**
 * Ready means the database answers `SELECT 1` within the timeout and has
 * every migration this code knows applied. One probe runs at a time: an
 * orchestrator polling a hung database waits on the probe already out, so
 * probes never pile up in the pool. Once the migrations are found current
 * they stay so (they only ever get added), and later probes skip the read.
 */
export function createReadinessCheck(db: Kysely<any>, options: ReadinessOptions = {}): ReadinessCheck {
  const timeoutMs = options.timeoutMs ?? 1_000;
  const pending = options.pending ?? pendingMigrations;
  let migrationsCurrent = false;
  let probe: Promise<Readiness> | null = null;

  async function run(): Promise<Readiness> {
    try {
      await sql`SELECT 1`.execute(db);
    } catch (error) {
      return { ready: false, reason: 'DATABASE_UNAVAILABLE', message: `The database does not answer (${describe(error)})` };
    }
    if (migrationsCurrent) return { ready: true };
    let missing: string[];
    try {
      missing = await pending(db);
    } catch (error) {
      return { ready: false, reason: 'DATABASE_UNAVAILABLE', message: `The migrations could not be read (${describe(error)})` };
    }
    if (missing.length > 0) {
      return { ready: false, reason: 'MIGRATIONS_PENDING', message: `Migrations not applied: ${missing.join(', ')} (run pnpm db:migrate)` };
    }
    migrationsCurrent = true;
    return { ready: true };
  }

  return {
    async check() {
      probe ??= run().finally(() => {
        probe = null;
      });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ProbeTimeout()), timeoutMs);
      });
      try {
        return await Promise.race([probe, timeout]);
      } catch (error) {
        if (!(error instanceof ProbeTimeout)) throw error;
        return { ready: false, reason: 'DATABASE_UNAVAILABLE', message: `The database did not answer within ${timeoutMs} ms` };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** An error's code (ECONNREFUSED, ER_ACCESS_DENIED_ERROR) or message, never a driver's SQL. */
function describe(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') return code;
  return typeof message === 'string' ? message.slice(0, 200) : 'unknown error';
}
