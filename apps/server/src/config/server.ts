import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { databaseSettings, port, section, setting } from './settings.js';

/** WORKERS' bound, `auto` included: each worker keeps its own database pool. */
const MAX_WORKERS = 64;

export const server = section('Server', 'The mode, where the server listens, and how many processes serve.', {
  NODE_ENV: databaseSettings.shape.NODE_ENV,
  HOST: setting(z.string().min(1), {
    unset: '`127.0.0.1`',
    production: '`0.0.0.0` when unset',
    description: 'listen address',
  }),
  PORT: setting(port(), {
    default: '3000',
    description: 'listen port; tRPC is at `/trpc`, health at `/healthz` and `/readyz`',
  }),
  // Each worker is a full instance with its own database pool.
  WORKERS: setting(
    z
      .string()
      .refine(
        (value) => value === 'auto' || (/^\d{1,2}$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_WORKERS),
        `must be auto (one per core) or a number from 1 to ${MAX_WORKERS}`,
      )
      .transform((value) => (value === 'auto' ? Math.min(MAX_WORKERS, availableParallelism()) : Number(value))),
    {
      default: '1',
      description: `server processes sharing \`PORT\` (node:cluster) for \`pnpm start\` and the image (\`pnpm dev\` runs one): \`auto\` is one per core (at most ${MAX_WORKERS}), or a number 1–${MAX_WORKERS}; each is a full instance with its own database pools; a worker that dies is replaced, \`SIGTERM\` drains them all (docs/operations.md: Scaling out)`,
    },
  ),
});

/** HOST, or where the server listens when it is unset: every interface in production, loopback elsewhere. */
export const hostOf = (host: string | undefined, production: boolean) => host ?? (production ? '0.0.0.0' : '127.0.0.1');

export function serverConfig(values: z.output<typeof server.settings>) {
  const production = values.NODE_ENV === 'production';
  return {
    production,
    host: hostOf(values.HOST, production),
    port: values.PORT,
    /** WORKERS: server processes sharing the port (node:cluster); 1 runs no cluster. */
    workers: values.WORKERS,
  };
}
