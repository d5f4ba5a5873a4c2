import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { pathOf } from './access-log.js';
import { transportErrorBody } from './transport-errors.js';

/** What /metrics answers: a process's registry, or (under WORKERS) the primary's sum of its workers'. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface MetricsListener {
  /** Where Prometheus scrapes, e.g. http://127.0.0.1:9464/metrics. */
  url: string;
  close(): Promise<void>;
}

/**
 * /metrics on a listener of its own (METRICS_PORT): players reach the API
 * port through the reverse proxy, never this one, so the metrics cannot be
 * exposed by a proxy rule that forwards everything. `host` is METRICS_HOST,
 * never HOST: HOST is 0.0.0.0 in production, and the metrics (procedure
 * names, error reasons, pool sizes) are not for players; loopback unless
 * the deployment says where its Prometheus reaches.
 */
export async function startMetricsListener(source: MetricsSource, host: string, port: number): Promise<MetricsListener> {
  const server: Server = createServer((request, response) => {
    const send = (status: number, contentType: string, body: string) => {
      response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      response.end(body);
    };
    const json = (status: number, message: string) =>
      send(status, 'application/json; charset=utf-8', JSON.stringify(transportErrorBody(status, message)));
    if (pathOf(request.url ?? '') !== '/metrics') return json(404, 'Only /metrics is served here');
    if (request.method !== 'GET' && request.method !== 'HEAD') return json(405, `${request.method ?? ''} is not supported on /metrics: use GET`);
    source.metrics().then(
      (text) => send(200, source.contentType, text),
      () => json(500, 'Internal server error'),
    );
  });
  // A scraper that keeps its connection open must not hold the shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
