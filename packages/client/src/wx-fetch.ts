import type { MinigameWx, WxRequestOptions } from './minigame-wx.js';
import { kindOfFailure, MinigateNetworkError } from './network-error.js';

/** The subset of fetch's Response that tRPC's links read. */
interface WxResponse {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
}

interface Signal {
  aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
}

interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: Signal | null;
}

const aborted = () => new MinigateNetworkError('ABORTED', 'request:fail abort');

/**
 * A fetch for tRPC built on wx.request. `success` fires for every HTTP
 * status (4xx, 5xx, tRPC's 207), so each resolves; transport failures
 * reject with a MinigateNetworkError of their kind. dataType is not 'json':
 * the text is parsed here, so an HTML 502 page from a gateway becomes a
 * BAD_RESPONSE instead of garbage. Each request is bounded by `timeoutMs`
 * by a timer of its own too, in case wx.request never calls back.
 */
export function createWxFetch(wx: MinigameWx, options: { timeoutMs: number; maxInFlight: number }) {
  // wx.request allows 10 requests in flight (the game's own included) and
  // fails the 11th: calls beyond maxInFlight wait here for a free slot.
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const acquire = (signal: Signal | null | undefined): Promise<void> =>
    new Promise((resolve, reject) => {
      if (inFlight < options.maxInFlight) {
        inFlight += 1;
        resolve();
        return;
      }
      waiting.push(resolve);
      signal?.addEventListener('abort', () => {
        const index = waiting.indexOf(resolve);
        if (index >= 0) {
          waiting.splice(index, 1);
          reject(aborted());
        }
      });
    });
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else inFlight -= 1;
  };

  const send = (url: string, init: FetchInit): Promise<WxResponse> =>
    new Promise((resolve, reject) => {
      if (init.signal?.aborted) return reject(aborted());
      let done = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (error: MinigateNetworkError | null, response?: WxResponse) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(response!);
      };
      timer = setTimeout(() => {
        finish(new MinigateNetworkError('TIMEOUT', `request:fail timeout (no answer within ${options.timeoutMs} ms)`));
        task.abort();
      }, options.timeoutMs);
      const task = wx.request({
        url,
        method: (init.method ?? 'GET') as WxRequestOptions['method'],
        header: init.headers ?? {},
        ...(typeof init.body === 'string' ? { data: init.body } : {}),
        dataType: 'text',
        responseType: 'text',
        timeout: options.timeoutMs,
        success: (result) => finish(null, toResponse(result.statusCode, result.data, result.header ?? {})),
        fail: (error) => {
          const errMsg = (error && error.errMsg) || 'request:fail';
          finish(new MinigateNetworkError(kindOfFailure(errMsg), errMsg));
        },
      });
      init.signal?.addEventListener('abort', () => {
        finish(aborted());
        task.abort();
      });
    });

  return async (url: string, init: FetchInit = {}): Promise<WxResponse> => {
    await acquire(init.signal);
    try {
      return await send(url, init);
    } finally {
      release();
    }
  };
}

/** A tRPC answer: `{ result }` or `{ error }`, or a batch's array of them. */
const isEnvelope = (value: unknown) => typeof value === 'object' && value !== null && ('result' in value || 'error' in value);

function toResponse(status: number, data: unknown, header: Record<string, string>): WxResponse {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  const lowerCaseHeader: Record<string, string> = {};
  for (const name of Object.keys(header)) lowerCaseHeader[name.toLowerCase()] = String(header[name]);
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (name) => lowerCaseHeader[name.toLowerCase()] ?? null },
    json: async () => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
      if (Array.isArray(value) ? value.length > 0 && value.every(isEnvelope) : isEnvelope(value)) return value;
      throw new MinigateNetworkError(
        'BAD_RESPONSE',
        `The server answered HTTP ${status} with a body that is not minigate's (${(text || '').slice(0, 60)})`,
        status,
      );
    },
  };
}
