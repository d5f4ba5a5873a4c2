import { parseDatabaseUrl } from '@minigate/db';
import type { Config } from '../config.js';
import { reportMetricsToPrimary } from '../cluster-metrics.js';
import { watchPoolUse } from '../db-pool-use.js';
import type { Metrics } from '../metrics.js';
import { startMetricsListener, type MetricsListener } from '../metrics-listener.js';
import type { Application } from '../wiring.js';
import type { AnsweredRequest, RequestOutcomes } from './request-outcomes.js';
import { sharedPlugin } from './shared-plugin.js';

export interface MetricsPluginOptions {
  config: Pick<Config, 'databaseUrl' | 'metricsHost' | 'metricsPort' | 'production'>;
  metrics: Metrics;
  application: Application;
  outcomes: RequestOutcomes;
  /** A WORKERS worker: the primary serves METRICS_PORT with every worker's metrics summed. */
  fromPrimary: boolean;
}

/**
 * The Prometheus metrics: every answered request, WeChat's calls, the
 * database pools and the in-memory caches. /metrics is served on its own
 * listener when METRICS_PORT is set (the primary's, under WORKERS), bound
 * to METRICS_HOST (loopback unless told otherwise, whatever HOST is); on
 * this port only outside production.
 */
export const metricsPlugin = sharedPlugin<MetricsPluginOptions>('minigate-metrics', (server, options, done) => {
  const { config, metrics, application, outcomes } = options;
  outcomes.onAnswered((answered) =>
    metrics.observeRequest({
      route: routeOf(answered),
      status: answered.status,
      seconds: answered.reply.elapsedTime / 1000,
      calls: answered.calls ?? [],
    }),
  );
  application.wechatCalls.listen(metrics.observeWeChatCall);
  const pools = watchPoolUse(parseDatabaseUrl(config.databaseUrl));
  metrics.watchPools(pools.read);
  metrics.watchCaches(application.cacheStats);
  server.addHook('onClose', (_instance, next) => {
    pools.close();
    next();
  });

  let listener: MetricsListener | null = null;
  const port = config.metricsPort;
  if (port !== null && options.fromPrimary) {
    reportMetricsToPrimary(metrics.registry);
  } else if (port !== null) {
    server.addHook('onReady', async () => {
      listener = await startMetricsListener(metrics.registry, config.metricsHost, port);
      server.log.info({ url: listener.url }, 'metrics listening');
    });
    server.addHook('onClose', async () => listener?.close());
  } else if (!config.production) {
    server.get('/metrics', async (_request, reply) => {
      void reply.header('cache-control', 'no-store').type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  }
  done();
});

/** The route label: `/trpc`, a fixed path, or `unmatched`. */
function routeOf({ request, calls, failure }: AnsweredRequest): string {
  const route = request.routeOptions.url;
  if (route === undefined || failure?.reason === 'ROUTE_NOT_FOUND') return calls ? '/trpc' : 'unmatched';
  return route.startsWith('/trpc') ? '/trpc' : route;
}
