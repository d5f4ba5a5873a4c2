import { appRouter } from '@minigate/api';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { accessLogPlugin } from './http/access-log-plugin.js';
import { closingPlugin, createClosing, type Closing } from './http/closing-plugin.js';
import { consolePlugin } from './http/console-plugin.js';
import { healthPlugin } from './http/health-plugin.js';
import { pushPlugin } from './http/push-plugin.js';
import { metricsPlugin } from './http/metrics-plugin.js';
import { RequestOutcomes } from './http/request-outcomes.js';
import { transportErrorOptions, transportErrorsPlugin } from './http/transport-errors-plugin.js';
import { trpcPlugin } from './http/trpc-plugin.js';
import { loggerOptions, type LogStream } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { requestIdOf } from './request-id.js';
import type { Application } from './wiring.js';

export interface HttpServer {
  server: FastifyInstance;
  application: Application;
  metrics: Metrics;
  /** The server's one closing flag: set by close() (preClose), or first by a signal's shutdown (start-server.ts). */
  closing: Closing;
}

/**
 * Fastify with tRPC at /trpc, /healthz, /readyz and /metrics, each concern
 * a plugin of ./http. Bodies are capped, batches too; errors leave without
 * stack traces and always in tRPC's shape with a reason, even those Node's
 * HTTP parser answers. Every request gets an id (the caller's x-request-id
 * when acceptable), echoed back, on every line it logs, and one access line
 * when it has been answered.
 */
export function createHttpServer(
  config: Config,
  wire: (logger: FastifyInstance['log']) => Application,
  options: {
    logStream?: LogStream;
    /** A WORKERS worker: the primary serves METRICS_PORT with every worker's metrics summed. */
    metricsFromPrimary?: boolean;
    /** Once closing, every answer says Connection: close (startServer's; closing-plugin.ts). */
    connectionCloseWhileClosing?: boolean;
  } = {},
): HttpServer {
  const metrics = createMetrics(new Set(Object.keys(appRouter._def.procedures)));
  const outcomes = new RequestOutcomes();
  const closing = createClosing();

  const server = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream, { pretty: !config.production }, [
      ...config.apps.map((app) => app.secret),
      config.jwt.secret,
      ...config.jwt.previousSecrets,
      config.encryption.key.toString('base64'),
      ...config.apps
        .flatMap((app) => (app.pay ? [app.pay.appKey, app.pay.sandboxAppKey, app.pay.pushToken, app.pay.pushAesKey] : []))
        .filter((secret): secret is string => !!secret),
    ]),
    // Fastify's own request lines are replaced by the one access line (access-log-plugin.ts); errors are logged where they happen.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // Batched calls put every procedure name in the path.
    routerOptions: { maxParamLength: 5_000 },
    // Errors Fastify meets while routing, and bytes Node's HTTP parser refuses: no hook runs for these.
    ...transportErrorOptions({ outcomes, metrics, maxBatchSize: config.maxBatchSize }),
    forceCloseConnections: 'idle',
    // Fastify's own 503 while closing has its own body: closing-plugin.ts answers those requests in our shape instead.
    return503OnClosing: false,
  });
  // The logger came with the server, before the application: everything it logs goes to the same lines.
  const application = wire(server.log);
  server.addHook('onClose', async () => application.close());

  // In this order: the access log first follows every request; the hooks that answer early (closing, 405) come
  // next; the error handlers are in place before the routes, which take the handler in force when added.
  void server.register(accessLogPlugin, { outcomes });
  void server.register(closingPlugin, { closing, outcomes, connectionClose: options.connectionCloseWhileClosing ?? false });
  void server.register(transportErrorsPlugin, { outcomes });
  void server.register(metricsPlugin, { config, metrics, application, outcomes, fromPrimary: options.metricsFromPrimary ?? false });
  void server.register(healthPlugin, { db: application.db, outcomes });
  void server.register(trpcPlugin, { config, application, outcomes });
  // Encapsulated: its text body parser serves /push/* only.
  void server.register(pushPlugin, { application, outcomes });
  // The operator console: its page and its own API, only when CONSOLE_ENABLED.
  if (config.console.enabled) void server.register(consolePlugin, { config, application, metrics, outcomes });
  return { server, application, metrics, closing };
}
