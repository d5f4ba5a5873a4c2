import type { Api } from '@minigate/api';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolUse } from './db-pool-use.js';
import type { WeChatCallRecord } from './wechat-calls.js';

/** One tRPC call of a request (a batch carries several), as the answer gave it. */
export interface CallOutcome {
  procedure: string;
  /** The call's own HTTP status: its error's, else 200 (a batch answers 207 when they differ). */
  status: number;
  /** `data.reason` of its error. */
  reason?: string;
  /** `data.limit` of a RATE_LIMITED error: which limit refused it. */
  limit?: string;
}

/** One HTTP request, when its answer has left. */
export interface RequestRecord {
  /** `/trpc`, `/healthz`, `/readyz`, `/metrics`, or `unmatched` (a 404 ROUTE_NOT_FOUND). */
  route: string;
  status: number;
  seconds: number;
  /** Under /trpc: every call it carried. */
  calls: CallOutcome[];
}

export interface Metrics {
  readonly registry: Registry;
  observeRequest(request: RequestRecord): void;
  /** A connection Node's HTTP parser refused (431, 400, 408): no request, no route. */
  observeRefusedConnection(status: number, reason: string): void;
  observeWeChatCall(call: WeChatCallRecord): void;
  /** The database pools' use, read at every scrape. */
  watchPools(source: () => PoolUse | null): void;
  /** The in-memory caches: account views (account.me) and revocations with their change feed. */
  watchCaches(source: () => CacheStats): void;
  /** Failed calls by reason since this process started (minigate_errors_total): the console's errors chart. */
  errorCounts(): Promise<Array<{ reason: string; count: number }>>;
}

export type CacheStats = ReturnType<Api['cacheStats']>;

const LOGIN_PROCEDURE = 'auth.wechatLogin';
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Reasons are our own UPPER_SNAKE names; anything else is not a label value. */
const reasonLabel = (reason: string | undefined) => (reason && /^[A-Z][A-Z0-9_]{0,47}$/.test(reason) ? reason : 'OTHER');
const limitLabel = (call: CallOutcome) => {
  if (call.limit && /^[a-z][a-z0-9_]{0,31}$/.test(call.limit)) return call.limit;
  return call.reason === 'WECHAT_RATE_LIMITED' ? 'wechat' : 'unknown';
};

/**
 * minigate's Prometheus metrics, in a registry of its own (never
 * prom-client's global one, so two servers in one process, as in the tests,
 * keep apart), with Node's default process metrics. Every label takes its
 * values from a bounded set: procedure names the router knows (others are
 * `unknown`), statuses, reasons, WeChat endpoint paths.
 */
export function createMetrics(knownProcedures: ReadonlySet<string>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const requests = new Histogram({
    name: 'minigate_http_request_duration_seconds',
    help: 'HTTP requests by route, tRPC procedure (one observation per call of a batch, with the batch duration) and status',
    labelNames: ['route', 'procedure', 'status'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const refused = new Counter({
    name: 'minigate_http_refused_connections_total',
    help: "Connections answered before any request existed: Node's HTTP parser refused the bytes",
    labelNames: ['status', 'reason'] as const,
    registers,
  });
  const logins = new Counter({
    name: 'minigate_logins_total',
    help: 'auth.wechatLogin calls by outcome: success, or the error reason',
    labelNames: ['outcome'] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: 'minigate_rate_limited_total',
    help: 'Calls refused by a rate limit (RATE_LIMITED, or any 429), by procedure and limit',
    labelNames: ['procedure', 'limit'] as const,
    registers,
  });
  const wechatCalls = new Histogram({
    name: 'minigate_wechat_request_duration_seconds',
    help: 'Calls to WeChat by endpoint path and outcome (ok, errcode, http_error, timeout, unreachable)',
    labelNames: ['endpoint', 'outcome'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const errors = new Counter({
    name: 'minigate_errors_total',
    help: 'Calls answered with an error, by its reason (data.reason)',
    labelNames: ['reason'] as const,
    registers,
  });
  const wechatErrors = new Counter({
    name: 'minigate_wechat_errors_total',
    help: 'Calls to WeChat that did not succeed, by endpoint and error (timeout, unreachable, http_<status>, errcode_<errcode>)',
    labelNames: ['endpoint', 'error'] as const,
    registers,
  });

  let readPools: () => PoolUse | null = () => null;
  new Gauge({
    name: 'minigate_db_pool_connections',
    help: "Connections of this process's database pools (Kysely's and the rate-limit store's) by state: in_use, idle",
    labelNames: ['state'] as const,
    registers,
    collect() {
      this.reset();
      const use = readPools();
      if (!use) return;
      this.set({ state: 'in_use' }, use.inUse);
      this.set({ state: 'idle' }, use.idle);
    },
  });
  new Gauge({
    name: 'minigate_db_pool_queued_requests',
    help: 'Callers waiting for a database pool connection',
    registers,
    collect() {
      this.set(readPools()?.queued ?? 0);
    },
  });
  new Gauge({
    name: 'minigate_db_pool_max_connections',
    help: 'The most connections the database pools may open',
    registers,
    collect() {
      this.set(readPools()?.limit ?? 0);
    },
  });

  let readCaches: (() => CacheStats) | null = null;
  new Gauge({
    name: 'minigate_account_views',
    help: 'account.me answers held in memory (ACCOUNT_CACHE_MAX at most)',
    registers,
    collect() {
      this.set(readCaches?.().views.entries ?? 0);
    },
  });
  new Counter({
    name: 'minigate_account_view_lookups_total',
    help: 'account.me calls answered from memory (hit) or from the database (miss)',
    labelNames: ['result'] as const,
    registers,
    collect() {
      const views = readCaches?.().views;
      if (!views) return;
      this.reset();
      this.inc({ result: 'hit' }, views.hits);
      this.inc({ result: 'miss' }, views.misses);
    },
  });
  new Gauge({
    name: 'minigate_revocations',
    help: 'Revocations held in memory: sessions revoked and accounts disabled or deleted within ACCESS_TOKEN_TTL',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      const revocations = readCaches?.().revocations;
      if (!revocations) return;
      this.set({ kind: 'session' }, revocations.revokedSessions);
      this.set({ kind: 'account' }, revocations.blockedAccounts);
    },
  });
  new Gauge({
    name: 'minigate_change_feed_current',
    help: '1 while the change feed was read within 4 s (memory answers); 0 while protected calls and account.me read the database',
    registers,
    // Under WORKERS: 0 when any worker's feed is stale.
    aggregator: 'min',
    collect() {
      const revocations = readCaches?.().revocations;
      this.set(revocations && !revocations.degraded ? 1 : 0);
    },
  });

  const procedureLabel = (name: string) => (knownProcedures.has(name) ? name : 'unknown');

  return {
    registry,
    observeRequest({ route, status, seconds, calls }) {
      if (calls.length === 0) {
        requests.observe({ route, procedure: '', status: String(status) }, seconds);
        if (status === 429) rateLimited.inc({ procedure: '', limit: 'unknown' });
        return;
      }
      for (const call of calls) {
        const procedure = procedureLabel(call.procedure);
        requests.observe({ route, procedure, status: String(call.status) }, seconds);
        if (procedure === LOGIN_PROCEDURE) logins.inc({ outcome: call.status < 400 ? 'success' : reasonLabel(call.reason) });
        if (call.reason === 'RATE_LIMITED' || call.status === 429) rateLimited.inc({ procedure, limit: limitLabel(call) });
        if (call.status >= 400) errors.inc({ reason: reasonLabel(call.reason) });
      }
    },
    observeRefusedConnection(status, reason) {
      refused.inc({ status: String(status), reason: reasonLabel(reason) });
    },
    observeWeChatCall({ endpoint, seconds, outcome, detail }) {
      wechatCalls.observe({ endpoint, outcome }, seconds);
      if (outcome === 'ok') return;
      const error = outcome === 'errcode' ? `errcode_${detail}` : outcome === 'http_error' ? `http_${detail}` : outcome;
      wechatErrors.inc({ endpoint, error });
    },
    watchPools(source) {
      readPools = source;
    },
    watchCaches(source) {
      readCaches = source;
    },
    async errorCounts() {
      const { values } = await errors.get();
      return values.map((value) => ({ reason: String(value.labels.reason), count: value.value }));
    },
  };
}
