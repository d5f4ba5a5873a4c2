import { WeChatTransportError, type WeChatRequest, type WeChatResponse, type WeChatTransport } from './transport.js';

/**
 * WeChat's API domains (接口域名说明): api.weixin.qq.com picks the nearest
 * access point; api2.weixin.qq.com is the general disaster-recovery domain
 * for when the first cannot be reached; sh., sz. and hk.api.weixin.qq.com
 * are the Shanghai, Shenzhen and Hong Kong access points.
 */
export const WECHAT_API_BASE = 'https://api.weixin.qq.com';
export const WECHAT_BACKUP_API_BASES: readonly string[] = [
  'https://api2.weixin.qq.com',
  'https://sh.api.weixin.qq.com',
  'https://sz.api.weixin.qq.com',
  'https://hk.api.weixin.qq.com',
];

export interface CircuitBreakerOptions {
  /** Consecutive calls that found WeChat unreachable (no connection, a timeout, a dropped connection) before it opens; default 5. */
  failureThreshold?: number;
  /** How long it stays open, refusing calls at once, before one probe call may go through; default 10 s. */
  openMs?: number;
}

/** What the transport tells the operator (the server logs it). */
export type ResilienceEvent =
  { kind: 'backup-used'; from: string; to: string } | { kind: 'circuit-opened'; failures: number; openMs: number } | { kind: 'circuit-closed' };

export interface ResilientTransportOptions {
  /** WECHAT_API_BASE: the URLs the WeChat client builds start with it. */
  primaryBase: string;
  /** Tried in order when a connection to the primary cannot even be made. */
  backupBases?: readonly string[];
  breaker?: CircuitBreakerOptions;
  onEvent?: (event: ResilienceEvent) => void;
  now?: () => number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface ResilientTransport {
  send: WeChatTransport;
  /** The breaker's state now. */
  state(): CircuitState;
}

/** After a backup answered, it is tried first for this long (the primary's connect failures cost time). */
const PREFER_BACKUP_MS = 60_000;

const trimBase = (base: string) => base.replace(/\/+$/, '');

/**
 * A WeChat transport that survives WeChat's outages without making them
 * worse:
 *
 * - Backup domains: when a connection to one domain cannot be made at all
 *   (refused, no such host, no route: nothing was sent), the same request
 *   goes to the next of `backupBases`. That is safe even for jscode2session,
 *   whose code is single-use: WeChat never saw it. A request that reached
 *   WeChat (an answer, a timeout, a connection dropped mid-way) is never
 *   sent again here; whether to repeat it is the caller's call.
 * - A circuit breaker: after `failureThreshold` consecutive calls found
 *   WeChat unreachable on every domain, calls fail at once (WeChatTransportError
 *   with circuitOpenSeconds, nothing sent) for `openMs`; then one probe goes
 *   through, and its success closes the breaker, its failure opens it again.
 *   Any answer from WeChat, an errcode included, counts as reachable.
 */
export function createResilientTransport(send: WeChatTransport, options: ResilientTransportOptions): ResilientTransport {
  const now = options.now ?? Date.now;
  const primary = trimBase(options.primaryBase);
  const bases = [primary, ...(options.backupBases ?? []).map(trimBase).filter((base) => base !== primary)];
  const threshold = Math.max(1, options.breaker?.failureThreshold ?? 5);
  const openMs = Math.max(1, options.breaker?.openMs ?? 10_000);
  const emit = (event: ResilienceEvent) => options.onEvent?.(event);

  let failures = 0;
  let openUntil = 0;
  let opened = false;
  let probing = false;
  let preferred: { index: number; until: number } | null = null;

  const state = (): CircuitState => (!opened ? 'closed' : now() < openUntil || probing ? 'open' : 'half-open');

  const succeeded = () => {
    failures = 0;
    if (opened) {
      opened = false;
      emit({ kind: 'circuit-closed' });
    }
  };
  const failed = () => {
    failures += 1;
    if (opened || failures >= threshold) {
      opened = true;
      openUntil = now() + openMs;
      emit({ kind: 'circuit-opened', failures, openMs });
    }
  };

  /** The bases in the order to try: a backup that answered lately first. */
  const order = (): number[] => {
    const indexes = bases.map((_, index) => index);
    if (!preferred || now() >= preferred.until) return indexes;
    const first = preferred.index;
    return [first, ...indexes.filter((index) => index !== first)];
  };

  const sendVia = async (request: WeChatRequest): Promise<WeChatResponse> => {
    if (!request.url.startsWith(`${primary}/`)) return send(request);
    const path = request.url.slice(primary.length);
    let lastError: unknown;
    for (const index of order()) {
      const base = bases[index] as string;
      try {
        const response = await send({ ...request, url: `${base}${path}` });
        if (index !== 0) {
          if (preferred?.index !== index) emit({ kind: 'backup-used', from: primary, to: base });
          preferred = { index, until: now() + PREFER_BACKUP_MS };
        } else preferred = null;
        return response;
      } catch (error) {
        lastError = error;
        // Only a connection never made may go elsewhere: anything else may have reached WeChat.
        if (!(error instanceof WeChatTransportError && error.connectFailed)) throw error;
        if (index === preferred?.index) preferred = null;
      }
    }
    throw lastError;
  };

  return {
    state,
    async send(request) {
      const current = state();
      if (current === 'open') {
        const seconds = Math.max(1, Math.ceil((openUntil - now()) / 1000));
        throw new WeChatTransportError(`WeChat was unreachable for the last calls: not calling it for ${seconds} s`, false, {
          circuitOpenSeconds: seconds,
        });
      }
      const probe = current === 'half-open';
      if (probe) probing = true;
      try {
        const response = await sendVia(request);
        succeeded();
        return response;
      } catch (error) {
        if (error instanceof WeChatTransportError) failed();
        throw error;
      } finally {
        if (probe) probing = false;
      }
    },
  };
}
