import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyServerOptions } from 'fastify';
import { pathOf } from '../access-log.js';
import type { Metrics } from '../metrics.js';
import { answerClientError, clientErrorAnswer, transportErrorBody, transportStatus } from '../transport-errors.js';
import type { RequestOutcomes } from './request-outcomes.js';
import { sharedPlugin } from './shared-plugin.js';

const ALLOWED_METHODS = 'GET, POST';
/** HEAD comes with every GET route. */
const SERVED_METHODS = new Set(['GET', 'HEAD', 'POST']);

/**
 * Fastify's options for what fails before any hook runs, answered in tRPC's
 * error shape with a reason like every other error: a path Fastify cannot
 * route (longer than maxParamLength, broken percent-encoding), and bytes
 * Node's HTTP parser refuses (headers too large, a malformed request line),
 * which never become a request.
 */
export function transportErrorOptions({
  outcomes,
  metrics,
  maxBatchSize,
}: {
  outcomes: RequestOutcomes;
  metrics: Metrics;
  maxBatchSize: number;
}): Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> {
  return {
    frameworkErrors: (error, request, reply) => {
      const routed = transportStatus(error);
      // A path too long to route because it names more procedures than a batch may hold is that batch's error,
      // as tRPC would give it; otherwise the URL is not echoed back (it may be kilobytes).
      const batchTooLarge = routed === 414 && callsNamedIn(request.url) > maxBatchSize;
      const status = batchTooLarge ? 400 : routed;
      const body = batchTooLarge
        ? transportErrorBody(400, `Batch call exceeds maximum size: at most ${maxBatchSize} calls in one request`, 'BATCH_TOO_LARGE')
        : routed === 414
          ? transportErrorBody(414, 'The URL is too long')
          : // A URL whose percent-encoding is broken is a bad request, not a bad body.
            transportErrorBody(status, error.message, error.code === 'FST_ERR_BAD_URL' ? 'REQUEST_INVALID' : undefined);
      outcomes.refused(request, { status, reason: body.error.data.reason });
      // No onResponse hook runs for these either.
      reply.raw.once('finish', () => outcomes.answered(request, reply as FastifyReply));
      void (reply as FastifyReply).header('x-request-id', request.id).status(status).send(body);
    },
    // Fastify calls it with the instance as `this`: its logger, the one every line goes to.
    clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket) {
      const answer = clientErrorAnswer(error);
      if (!answer || socket.destroyed) return;
      const requestId = randomUUID();
      this.log.info({ requestId, status: answer.status, reasons: answer.reason, ip: socket.remoteAddress }, 'request');
      metrics.observeRefusedConnection(answer.status, answer.reason);
      answerClientError(socket, answer, requestId);
    },
  };
}

/**
 * The errors of routed requests, in tRPC's shape with a reason: methods
 * other than GET, HEAD and POST (405, OPTIONS included: no CORS), errors
 * Fastify raises (a body too large or not JSON, 4xx as they are, anything
 * else 500 without its message), and paths no route serves (404
 * ROUTE_NOT_FOUND). Registered before the routes, which take the error
 * handler in force when they are added.
 */
export const transportErrorsPlugin = sharedPlugin<{ outcomes: RequestOutcomes }>('minigate-transport-errors', (server, { outcomes }, done) => {
  server.addHook('onRequest', (request, reply, next) => {
    if (SERVED_METHODS.has(request.method)) {
      next();
      return;
    }
    outcomes.failed(request, undefined, 405, 'METHOD_NOT_SUPPORTED');
    // OPTIONS is a CORS preflight: mini-games call through wx.request, which needs no CORS, so none is offered.
    const message =
      request.method === 'OPTIONS'
        ? 'OPTIONS is not supported: minigate does not serve browsers cross-origin (no CORS)'
        : `${request.method} is not supported: use GET or POST`;
    void reply.header('allow', ALLOWED_METHODS).status(405).send(transportErrorBody(405, message));
  });
  server.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = transportStatus(error);
    if (status === 500) request.log.error({ err: error }, 'request failed');
    const body = transportErrorBody(status, error.message);
    outcomes.failed(request, undefined, status, body.error.data.reason);
    void reply.status(status).send(body);
  });
  server.setNotFoundHandler((request, reply) => {
    outcomes.failed(request, undefined, 404, 'ROUTE_NOT_FOUND');
    void reply.status(404).send(transportErrorBody(404, `No route ${request.method} ${pathOf(request.url)}`));
  });
  done();
});

/** How many procedures a `/trpc/a,b,c` path names (the whole path, however long). */
function callsNamedIn(url: string): number {
  const path = pathOf(url);
  if (!path.startsWith('/trpc/')) return 0;
  let commas = 0;
  for (let index = path.indexOf(','); index !== -1; index = path.indexOf(',', index + 1)) commas++;
  return commas + 1;
}
