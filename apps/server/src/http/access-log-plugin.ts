import { clientVersionOf, pathOf } from '../access-log.js';
import { clientIp } from '../client-ip.js';
import type { RequestOutcomes } from './request-outcomes.js';
import { sharedPlugin } from './shared-plugin.js';

/**
 * Every request's id echoed back (x-request-id: genReqId's, see
 * request-id.ts), its outcome followed from the start, and one access line
 * once it has been answered: method, procedures (or path), status,
 * duration, reasons, client version, IP. Fastify's own request lines are
 * off (disableRequestLogging). Registered first: the hooks after it (closing,
 * 405) report their answers into an outcome that already exists.
 */
export const accessLogPlugin = sharedPlugin<{ outcomes: RequestOutcomes }>('minigate-access-log', (server, { outcomes }, done) => {
  server.addHook('onRequest', (request, reply, next) => {
    void reply.header('x-request-id', request.id);
    outcomes.begin(request);
    next();
  });
  server.addHook('onResponse', (request, reply, next) => {
    outcomes.answered(request, reply);
    next();
  });
  outcomes.onAnswered(({ request, reply, status, calls, reasons }) => {
    const client = clientVersionOf(request.headers['x-minigate-client']);
    request.log.info(
      {
        method: request.method,
        ...(calls ? { procedures: calls.map((call) => call.procedure).join(',') } : { path: pathOf(request.url).slice(0, 200) }),
        status,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        ...(reasons.length > 0 ? { reasons: reasons.join(',') } : {}),
        ...(client ? { client } : {}),
        ip: clientIp(request),
      },
      'request',
    );
  });
  done();
});
