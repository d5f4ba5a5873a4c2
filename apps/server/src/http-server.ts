import { appRouter, retryAfterSeconds } from '@minigate/api';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Config } from './config.js';
import { loggerOptions, type LogStream } from './logger.js';
import type { Application } from './wiring.js';
import { clientIp } from './client-ip.js';
import { transportErrorBody, transportStatus } from './transport-errors.js';

/**
 * Fastify with tRPC at /trpc (measured 5–15 % faster than tRPC's standalone
 * adapter here) and /healthz. Bodies are capped, batches too; errors leave
 * without stack traces.
 */
export function createHttpServer(
  config: Config,
  wire: (logger: FastifyInstance['log']) => Application,
  options: { logStream?: LogStream } = {},
): { server: FastifyInstance; application: Application } {
  const server = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
    // No line per request (access logs come with the operations work); errors are logged where they happen.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // Batched calls put every procedure name in the path.
    routerOptions: { maxParamLength: 5_000 },
    // Errors Fastify meets while routing (a path over maxParamLength, bad URL encoding).
    frameworkErrors: (error, _request, reply) => {
      const status = transportStatus(error);
      void (reply as FastifyReply).status(status).send(transportErrorBody(status, error.message));
    },
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  const application = wire(server.log);

  const trpcOptions: FastifyTRPCPluginOptions<typeof appRouter>['trpcOptions'] = {
    router: appRouter,
    maxBatchSize: config.maxBatchSize,
    // Multipart bodies bypass Fastify's JSON parser, so tRPC gets the same cap.
    maxBodySize: config.bodyLimitBytes,
    createContext: ({ req }) =>
      application.createContext({ authorization: req.headers.authorization, ip: clientIp(req), userAgent: req.headers['user-agent'] }),
    responseMeta: ({ errors }) => {
      const retryAfter = retryAfterSeconds(errors);
      return retryAfter === undefined ? {} : { headers: { 'retry-after': String(retryAfter) } };
    },
    onError: ({ error, path, req }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        req.log.error({ err: error.cause ?? error, path }, 'procedure failed');
      }
    },
  };
  void server.register(fastifyTRPCPlugin, { prefix: '/trpc', trpcOptions });

  server.get('/healthz', async () => ({ status: 'ok' }));

  server.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = transportStatus(error);
    if (status === 500) request.log.error({ err: error }, 'request failed');
    void reply.status(status).send(transportErrorBody(status, error.message));
  });
  server.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(transportErrorBody(404, `No route ${request.method} ${request.url.split('?')[0]}`));
  });

  server.addHook('onClose', async () => application.close());
  return { server, application };
}
