import { z } from 'zod';
import { port, section, setting } from './settings.js';

export const observability = section('Observability', 'Logs, and the Prometheus metrics (docs/operations.md: Observability).', {
  LOG_LEVEL: setting(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), {
    default: 'info',
    description: 'pino level: `fatal` … `trace`, `silent`',
  }),
  METRICS_PORT: setting(port(), {
    unset: '`/metrics` is served on `PORT`',
    production: 'unset: `/metrics` is served nowhere',
    description: "a port of its own for Prometheus' `/metrics` (e.g. `9464`), on `METRICS_HOST`",
  }),
  METRICS_HOST: setting(z.string().min(1), {
    default: '127.0.0.1',
    description:
      'the address `METRICS_PORT` listens on: loopback unless you name a private interface (or `0.0.0.0` inside a container whose port is published privately)',
  }),
});

export function observabilityConfig(values: z.output<typeof observability.settings>) {
  return {
    logLevel: values.LOG_LEVEL,
    /** METRICS_PORT: /metrics on a listener of its own; null serves it on PORT outside production, and nowhere in production. */
    metricsPort: values.METRICS_PORT ?? null,
    /** METRICS_HOST: the address METRICS_PORT binds; loopback unless set, so /metrics never reaches players by accident. */
    metricsHost: values.METRICS_HOST,
  };
}
