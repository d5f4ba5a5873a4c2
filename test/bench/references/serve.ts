import Fastify, { type FastifyInstance } from 'fastify';
import { fastifyTRPCPlugin, type AnyRouter, type FastifyTRPCPluginOptions } from './trpc.js';

/**
 * A reference server as the bench starts it: Fastify with tRPC's Fastify
 * adapter at /trpc (the adapter minigate uses), /healthz, no logging, on
 * PORT; SIGTERM closes it.
 */
export async function serveReference<TRouter extends AnyRouter>(
  router: TRouter,
  createContext?: FastifyTRPCPluginOptions<TRouter>['trpcOptions']['createContext'],
): Promise<FastifyInstance> {
  const server = Fastify({ logger: false });
  // Whether createContext is required depends on the router's context type: TypeScript cannot follow it through the generic.
  const trpcOptions = { router, ...(createContext ? { createContext } : {}) } as FastifyTRPCPluginOptions<TRouter>['trpcOptions'];
  const options: FastifyTRPCPluginOptions<TRouter> = { prefix: '/trpc', trpcOptions };
  await server.register(fastifyTRPCPlugin, options);
  server.get('/healthz', async () => ({ status: 'ok' }));
  await server.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
  process.once('SIGTERM', () => {
    void server.close().then(() => process.exit(0));
  });
  return server;
}
