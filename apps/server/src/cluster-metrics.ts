import { AggregatorRegistry, type Registry } from 'prom-client';
import type { MetricsSource } from './metrics-listener.js';

// Under WORKERS each worker counts its own requests; a scrape answered by
// one of them would show that worker alone, and counters that jump between
// workers' values from one scrape to the next. So the primary serves
// METRICS_PORT (on METRICS_HOST, as a single process does: main.ts) and
// answers with the workers' metrics summed (prom-client's AggregatorRegistry
// asks each worker over the cluster's IPC channel).

/** In a worker: the registry the primary sums into its answer. */
export function reportMetricsToPrimary(registry: Registry): void {
  // Constructing one is what makes a worker answer the primary's requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries(registry);
}

/** In the primary: every worker's metrics, summed (gauges that say so take the minimum, e.g. whether the feed is current). */
export function workersMetrics(): MetricsSource {
  const aggregator = new AggregatorRegistry();
  return { contentType: aggregator.contentType, metrics: () => aggregator.clusterMetrics() };
}
