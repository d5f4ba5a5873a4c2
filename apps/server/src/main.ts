// `pnpm start`: the built server in production mode, configuration from the environment.
// With WORKERS > 1 this process is a node:cluster primary and each worker runs the server (cluster.ts).
import cluster from 'node:cluster';
import { DatabaseUnreachableError } from '@minigate/db';
import { workersMetrics } from './cluster-metrics.js';
import { createPrimaryLog, startPrimary } from './cluster.js';
import { ConfigError, loadConfigFromEnvironment } from './config.js';
import { startMetricsListener } from './metrics-listener.js';
import { SchemaOutdatedError, startServer } from './start-server.js';

try {
  // Checked here, in the primary too, so a bad configuration fails once and not once per worker.
  const config = loadConfigFromEnvironment();
  if (config.workers > 1 && cluster.isPrimary) {
    const log = createPrimaryLog(config.logLevel);
    // The workers' metrics, summed, on METRICS_PORT: served by the primary, which outlives any one worker;
    // listening before any worker starts, so a port already taken fails the start once. Bound to METRICS_HOST
    // (loopback unless told otherwise), not HOST: players reach HOST.
    const metrics = config.metricsPort === null ? null : await startMetricsListener(workersMetrics(), config.metricsHost, config.metricsPort);
    if (metrics) log.info({ url: metrics.url }, 'metrics listening (every worker summed)');
    const primary = startPrimary({ workers: config.workers, log });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => primary.shutdown(signal));
    const code = await primary.exited;
    await metrics?.close();
    process.exit(code);
  }
  await startServer(config);
} catch (error) {
  if (error instanceof ConfigError || error instanceof DatabaseUnreachableError || error instanceof SchemaOutdatedError) {
    console.error(error.message);
  } else {
    console.error('minigate failed to start:', error);
  }
  process.exit(1);
}
