import { existsSync, readFileSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatError, retryAfterSeconds, type ConsoleRouter } from '@minigate/api';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import type { FastifyPluginCallback } from 'fastify';
import { clientIp } from '../client-ip.js';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { Application } from '../wiring.js';
import type { RequestOutcomes } from './request-outcomes.js';

export interface ConsolePluginOptions {
  config: Pick<Config, 'maxBatchSize' | 'bodyLimitBytes'>;
  application: Pick<Application, 'console'>;
  metrics: Pick<Metrics, 'errorCounts'>;
  outcomes: RequestOutcomes;
  /** The built page (apps/console/dist); found next to the sources or the bundle when not given. */
  distDir?: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

// The page's own scripts and styles only; avatars may come from the platforms' CDNs. No framing.
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** apps/console/dist, from the server's sources (src/http) or its bundle (dist). */
export function consoleDistDir(): string | null {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const candidate of [resolve(here, '../../../console/dist'), resolve(here, '../../console/dist')]) {
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return null;
}

/**
 * The operator console (CONSOLE_ENABLED): the built page at /console/ and
 * its own tRPC API at /console/api, whose context is an operator's cookie
 * (never a player's token). Encapsulated like the players' API.
 */
export const consolePlugin: FastifyPluginCallback<ConsolePluginOptions> = (server, options, done) => {
  const { application, metrics, outcomes } = options;
  const dist = options.distDir ?? consoleDistDir();
  const trpcOptions: FastifyTRPCPluginOptions<ConsoleRouter>['trpcOptions'] = {
    router: application.console.router,
    maxBatchSize: options.config.maxBatchSize,
    maxBodySize: options.config.bodyLimitBytes,
    createContext: ({ req, res }) =>
      application.console.createContext({
        cookie: req.headers.cookie,
        csrfToken: typeof req.headers['x-csrf-token'] === 'string' ? req.headers['x-csrf-token'] : undefined,
        ip: clientIp(req),
        userAgent: req.headers['user-agent'],
        log: req.log,
        setCookie: (value) => void res.header('set-cookie', value),
        errorCounts: () => metrics.errorCounts(),
      }),
    responseMeta: ({ errors }) => {
      const retryAfter = retryAfterSeconds(errors);
      return { headers: { 'cache-control': 'no-store', ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }) } };
    },
    onError: ({ error, path, req }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') req.log.error({ err: error.cause ?? error, path }, 'console procedure failed');
      const { data } = formatError(error, path);
      outcomes.failed(req, path, data.httpStatus, data.reason, data.limit);
    },
  };
  void server.register(fastifyTRPCPlugin, { prefix: '/console/api', trpcOptions });

  server.get('/console', (_request, reply) => reply.redirect('/console/', 302));
  server.get('/console/*', (request, reply) => {
    if (!dist) return reply.code(503).type('text/plain; charset=utf-8').send('The console page is not built: run pnpm build');
    const wanted = (request.params as { '*': string })['*'] || 'index.html';
    const file = resolve(dist, wanted);
    // A file of the page, or the page itself for its own routes; never a path outside it.
    const inside = file.startsWith(dist + sep) && existsSync(file) && extname(file) !== '';
    // A script or style of another build (a tab left open across a deploy) is missing, not the page.
    if (!inside && wanted.startsWith('assets/')) return reply.code(404).type('text/plain; charset=utf-8').send('Not found: reload the console');
    const path = inside ? file : join(dist, 'index.html');
    const hashed = inside && wanted.startsWith('assets/');
    return reply
      .headers(PAGE_HEADERS)
      .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
      .type(TYPES[extname(path)] ?? 'application/octet-stream')
      .send(readFileSync(path));
  });
  done();
};
