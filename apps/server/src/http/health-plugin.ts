import { createReadinessCheck } from '../readiness.js';
import { transportErrorBody } from '../transport-errors.js';
import type { Application } from '../wiring.js';
import type { RequestOutcomes } from './request-outcomes.js';
import { sharedPlugin } from './shared-plugin.js';

/**
 * /healthz: the process answers. /readyz: the database answers and has
 * every migration this code needs (readiness.ts), else 503 with the reason
 * (DATABASE_UNAVAILABLE, MIGRATIONS_PENDING). Neither is cached.
 */
export const healthPlugin = sharedPlugin<{ db: Application['db']; outcomes: RequestOutcomes }>(
  'minigate-health',
  (server, { db, outcomes }, done) => {
    server.get('/healthz', async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
      return { status: 'ok' };
    });
    const readiness = createReadinessCheck(db);
    server.get('/readyz', async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      const verdict = await readiness.check();
      if (verdict.ready) return { status: 'ready' };
      outcomes.failed(request, undefined, 503, verdict.reason);
      return reply.status(503).send(transportErrorBody(503, verdict.message, verdict.reason));
    });
    done();
  },
);
