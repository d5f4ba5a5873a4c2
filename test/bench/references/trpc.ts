// The server's own @trpc/server (the test package does not depend on it): the
// same version and the very files apps/server/dist/main.js loads, so a
// reference differs from minigate only in what it does, not in what it runs on.
export { initTRPC, TRPCError, type AnyRouter } from '../../../apps/server/node_modules/@trpc/server/dist/index.mjs';
export { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '../../../apps/server/node_modules/@trpc/server/dist/adapters/fastify/index.mjs';
