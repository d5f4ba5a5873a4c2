import { appRouter, retryAfterSeconds } from '@minigate/api';
import { parseDatabaseUrl } from '@minigate/db';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import { getErrorShape } from '@trpc/server/unstable-core-do-not-import';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Config } from './config.js';
import { loggerOptions, type LogStream } from './logger.js';
import type { Application } from './wiring.js';
import { clientIp } from './client-ip.js';
import { clientVersionOf, pathOf, proceduresOf } from './access-log.js';
import { watchPoolUse } from './db-pool-use.js';
import { createMetrics, type CallOutcome, type Metrics } from './metrics.js';
import { startMetricsListener, type MetricsListener } from './metrics-listener.js';
import { reportMetricsToPrimary } from './cluster-metrics.js';
import { createReadinessCheck } from './readiness.js';
import { requestIdOf } from './request-id.js';
import { answerClientError, clientErrorAnswer, transportErrorBody, transportStatus } from './transport-errors.js';

/** What a request's answer was, gathered while it is served, for its access line and the metrics. */
interface RequestOutcome {
  /** Under /trpc: each call, its status 0 until its error (if any) is known. */
  calls: CallOutcome[] | null;
  /** An error that answered the whole request (a body too large, a batch too large, a 404). */
  failure?: { status: number; reason: string };
}

const ALLOWED_METHODS = 'GET, POST';
/** HEAD comes with every GET route. */
const SERVED_METHODS = new Set(['GET', 'HEAD', 'POST']);

/**
 * Fastify with tRPC at /trpc (measured 5–15 % faster than tRPC's standalone
 * adapter here), /healthz, /readyz and /metrics. Bodies are capped, batches
 * too; errors leave without stack traces and always in tRPC's shape with a
 * reason, even those Node's HTTP parser answers. Every request gets an id
 * (the caller's x-request-id when acceptable), echoed back, on every line it
 * logs, and one access line when it has been answered.
 */
export function createHttpServer(
  config: Config,
  wire: (logger: FastifyInstance['log']) => Application,
  options: {
    logStream?: LogStream;
    /** A WORKERS worker: the primary serves METRICS_PORT with every worker's metrics summed. */
    metricsFromPrimary?: boolean;
  } = {},
): { server: FastifyInstance; application: Application; metrics: Metrics } {
  const metrics = createMetrics(new Set(Object.keys(appRouter._def.procedures)));
  const outcomes = new WeakMap<FastifyRequest, RequestOutcome>();

  const server = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream, { pretty: !config.production }, [
      config.wechat.secret,
      config.jwt.secret,
      ...config.jwt.previousSecrets,
      config.encryption.key.toString('base64'),
    ]),
    // Fastify's own request lines are replaced by the one access line below (onResponse); errors are logged where they happen.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // Batched calls put every procedure name in the path.
    routerOptions: { maxParamLength: 5_000 },
    // Errors Fastify meets while routing (a path over maxParamLength, bad URL encoding): no hook runs for these.
    frameworkErrors: (error, request, reply) => {
      const routed = transportStatus(error);
      // A path too long to route because it names more procedures than a batch may hold is that batch's error,
      // as tRPC would give it; otherwise the URL is not echoed back (it may be kilobytes).
      const batchTooLarge = routed === 414 && callsNamedIn(request.url) > config.maxBatchSize;
      const status = batchTooLarge ? 400 : routed;
      const body = batchTooLarge
        ? transportErrorBody(400, `Batch call exceeds maximum size: at most ${config.maxBatchSize} calls in one request`, 'BATCH_TOO_LARGE')
        : routed === 414
          ? transportErrorBody(414, 'The URL is too long')
          : // A URL whose percent-encoding is broken is a bad request, not a bad body.
            transportErrorBody(status, error.message, error.code === 'FST_ERR_BAD_URL' ? 'REQUEST_INVALID' : undefined);
      outcomes.set(request, { calls: null, failure: { status, reason: body.error.data.reason } });
      reply.raw.once('finish', () => answered(request, reply as FastifyReply));
      void (reply as FastifyReply).header('x-request-id', request.id).status(status).send(body);
    },
    // Bytes Node's HTTP parser refuses (headers too large, a malformed request line) never become a request.
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => {
      const answer = clientErrorAnswer(error);
      if (!answer || socket.destroyed) return;
      const requestId = randomUUID();
      server.log.info({ requestId, status: answer.status, reasons: answer.reason, ip: socket.remoteAddress }, 'request');
      metrics.observeRefusedConnection(answer.status, answer.reason);
      answerClientError(socket, answer, requestId);
    },
    forceCloseConnections: 'idle',
    // Fastify's own 503 while closing has its own body: onRequest answers those requests in our shape instead.
    return503OnClosing: false,
  });
  let closing = false;
  server.addHook('preClose', async () => {
    closing = true;
  });
  const application = wire(server.log);
  application.wechatCalls.listen(metrics.observeWeChatCall);
  const pools = watchPoolUse(parseDatabaseUrl(config.databaseUrl));
  metrics.watchPools(pools.read);
  metrics.watchCaches(() => ({ views: application.views.stats(), revocations: application.revocations.stats() }));
  server.addHook('onClose', async () => pools.close());

  /** The error of one call (path set) or of the whole request (path undefined), as the caller gets it. */
  const failed = (request: FastifyRequest, path: string | undefined, status: number, reason: string, limit?: unknown) => {
    const outcome = outcomes.get(request);
    if (!outcome) return;
    const call = path === undefined ? undefined : outcome.calls?.find((candidate) => candidate.procedure === path && candidate.status === 0);
    if (call) Object.assign(call, { status, reason, ...(typeof limit === 'string' ? { limit } : {}) });
    else outcome.failure ??= { status, reason };
  };

  /** The access line and the metrics, once the answer has left. */
  const answered = (request: FastifyRequest, reply: FastifyReply) => {
    const outcome = outcomes.get(request) ?? { calls: null };
    const status = reply.statusCode;
    const calls = outcome.calls ?? [];
    for (const call of calls) {
      if (call.status !== 0) continue;
      if (outcome.failure) Object.assign(call, outcome.failure);
      else call.status = status >= 400 ? status : 200;
    }
    const reasons = [...new Set([...calls.map((call) => call.reason), outcome.failure?.reason].filter(Boolean))];
    const durationMs = Math.round(reply.elapsedTime * 10) / 10;
    const client = clientVersionOf(request.headers['x-minigate-client']);
    request.log.info(
      {
        method: request.method,
        ...(outcome.calls ? { procedures: calls.map((call) => call.procedure).join(',') } : { path: pathOf(request.url).slice(0, 200) }),
        status,
        durationMs,
        ...(reasons.length > 0 ? { reasons: reasons.join(',') } : {}),
        ...(client ? { client } : {}),
        ip: clientIp(request),
      },
      'request',
    );
    metrics.observeRequest({ route: routeOf(request, outcome), status, seconds: reply.elapsedTime / 1000, calls });
  };

  server.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    const procedures = proceduresOf(request.url);
    outcomes.set(request, { calls: procedures && procedures.map((procedure) => ({ procedure, status: 0 })) });
    // A request on a kept-alive connection after the close began: the load balancer sends it elsewhere.
    if (closing) {
      failed(request, undefined, 503, 'SERVER_CLOSING');
      void reply
        .header('connection', 'close')
        .header('retry-after', '1')
        .status(503)
        .send(transportErrorBody(503, 'This instance is shutting down: try again', 'SERVER_CLOSING'));
      return;
    }
    if (!SERVED_METHODS.has(request.method)) {
      failed(request, undefined, 405, 'METHOD_NOT_SUPPORTED');
      // OPTIONS is a CORS preflight: mini-games call through wx.request, which needs no CORS, so none is offered.
      const message =
        request.method === 'OPTIONS'
          ? 'OPTIONS is not supported: minigate does not serve browsers cross-origin (no CORS)'
          : `${request.method} is not supported: use GET or POST`;
      void reply.header('allow', ALLOWED_METHODS).status(405).send(transportErrorBody(405, message));
      return;
    }
    done();
  });
  server.addHook('onResponse', (request, reply, done) => {
    answered(request, reply);
    done();
  });

  const trpcOptions: FastifyTRPCPluginOptions<typeof appRouter>['trpcOptions'] = {
    router: appRouter,
    maxBatchSize: config.maxBatchSize,
    // Multipart bodies bypass Fastify's JSON parser, so tRPC gets the same cap.
    maxBodySize: config.bodyLimitBytes,
    createContext: ({ req }) =>
      application.createContext({ authorization: req.headers.authorization, ip: clientIp(req), userAgent: req.headers['user-agent'], log: req.log }),
    responseMeta: ({ errors }) => {
      const retryAfter = retryAfterSeconds(errors);
      return retryAfter === undefined ? {} : { headers: { 'retry-after': String(retryAfter) } };
    },
    onError: ({ error, path, req, type, input, ctx }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        req.log.error({ err: error.cause ?? error, path }, 'procedure failed');
      }
      // The reason exactly as the caller gets it: the router's own error formatter.
      const { data } = getErrorShape({ config: appRouter._def._config, error, type, path, input, ctx }) as {
        data: { httpStatus: number; reason: string; limit?: unknown };
      };
      failed(req, path, data.httpStatus, data.reason, data.limit);
    },
  };
  void server.register(fastifyTRPCPlugin, { prefix: '/trpc', trpcOptions });

  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');
  server.get('/healthz', async (_request, reply) => {
    noStore(reply);
    return { status: 'ok' };
  });
  const readiness = createReadinessCheck(application.db);
  server.get('/readyz', async (request, reply) => {
    noStore(reply);
    const verdict = await readiness.check();
    if (verdict.ready) return { status: 'ready' };
    failed(request, undefined, 503, verdict.reason);
    return reply.status(503).send(transportErrorBody(503, verdict.message, verdict.reason));
  });

  // /metrics: on its own listener when METRICS_PORT is set (the primary's, under WORKERS), bound to METRICS_HOST
  // (loopback unless told otherwise, whatever HOST is); on this port only outside production.
  let metricsListener: MetricsListener | null = null;
  if (config.metricsPort !== null && options.metricsFromPrimary) {
    reportMetricsToPrimary(metrics.registry);
  } else if (config.metricsPort !== null) {
    const port = config.metricsPort;
    server.addHook('onReady', async () => {
      metricsListener = await startMetricsListener(metrics.registry, config.metricsHost, port);
      server.log.info({ url: metricsListener.url }, 'metrics listening');
    });
    server.addHook('onClose', async () => metricsListener?.close());
  } else if (!config.production) {
    server.get('/metrics', async (_request, reply) => {
      noStore(reply).type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  }

  server.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = transportStatus(error);
    if (status === 500) request.log.error({ err: error }, 'request failed');
    const body = transportErrorBody(status, error.message);
    failed(request, undefined, status, body.error.data.reason);
    void reply.status(status).send(body);
  });
  server.setNotFoundHandler((request, reply) => {
    failed(request, undefined, 404, 'ROUTE_NOT_FOUND');
    void reply.status(404).send(transportErrorBody(404, `No route ${request.method} ${pathOf(request.url)}`));
  });

  server.addHook('onClose', async () => application.close());
  return { server, application, metrics };
}

/** How many procedures a `/trpc/a,b,c` path names (the whole path, however long). */
function callsNamedIn(url: string): number {
  const path = pathOf(url);
  if (!path.startsWith('/trpc/')) return 0;
  let commas = 0;
  for (let index = path.indexOf(','); index !== -1; index = path.indexOf(',', index + 1)) commas++;
  return commas + 1;
}

/** The route label: `/trpc`, a fixed path, or `unmatched`. */
function routeOf(request: FastifyRequest, outcome: RequestOutcome): string {
  const route = request.routeOptions.url;
  if (route === undefined || outcome.failure?.reason === 'ROUTE_NOT_FOUND') return outcome.calls ? '/trpc' : 'unmatched';
  return route.startsWith('/trpc') ? '/trpc' : route;
}
