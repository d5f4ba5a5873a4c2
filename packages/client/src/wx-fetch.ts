import type { MinigameWx, WxRequestOptions } from './minigame-wx.js';

/** The subset of fetch's Response that tRPC's links read. */
interface WxResponse {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
  text(): Promise<string>;
}

interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: { aborted: boolean; addEventListener(type: 'abort', listener: () => void): void } | null;
}

/** wx.request failed before any HTTP answer: offline, timed out, or interrupted when the game went to background. */
export class MinigateNetworkError extends Error {
  override name = 'MinigateNetworkError';
}

/**
 * A fetch for tRPC built on wx.request. `success` fires for every HTTP
 * status (4xx, 5xx, tRPC's 207), so each resolves; only transport failures
 * reject. dataType is not 'json': we parse the text ourselves, so an HTML
 * 502 page from a gateway becomes a clear error instead of garbage.
 */
export function createWxFetch(wx: MinigameWx, options: { timeoutMs: number; maxInFlight: number }) {
  // wx.request allows 10 requests in flight (the game's own included) and
  // fails the 11th: calls beyond maxInFlight wait here for a free slot.
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const acquire = (): Promise<void> => {
    if (inFlight < options.maxInFlight) {
      inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else inFlight -= 1;
  };

  const send = (url: string, init: FetchInit): Promise<WxResponse> =>
    new Promise((resolve, reject) => {
      if (init.signal?.aborted) {
        reject(new MinigateNetworkError('request:fail abort'));
        return;
      }
      const task = wx.request({
        url,
        method: (init.method ?? 'GET') as WxRequestOptions['method'],
        header: init.headers ?? {},
        ...(typeof init.body === 'string' ? { data: init.body } : {}),
        dataType: 'text',
        responseType: 'text',
        timeout: options.timeoutMs,
        success: (result) => resolve(toResponse(result.statusCode, result.data, result.header ?? {})),
        fail: (error) => reject(new MinigateNetworkError(error.errMsg || 'request:fail')),
      });
      init.signal?.addEventListener('abort', () => task.abort());
    });

  return async (url: string, init: FetchInit = {}): Promise<WxResponse> => {
    await acquire();
    try {
      return await send(url, init);
    } finally {
      release();
    }
  };
}

function toResponse(status: number, data: unknown, header: Record<string, string>): WxResponse {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  const lowerCaseHeader: Record<string, string> = {};
  for (const name of Object.keys(header)) lowerCaseHeader[name.toLowerCase()] = String(header[name]);
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (name) => lowerCaseHeader[name.toLowerCase()] ?? null },
    text: async () => text,
    json: async () => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new Error(`The server answered HTTP ${status} with a body that is not JSON (${text.slice(0, 60)})`);
      }
    },
  };
}
