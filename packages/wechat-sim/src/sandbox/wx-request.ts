import type { SandboxRequest } from '../minigame-sandbox.js';
import { httpRequest } from './http-request.js';
import { settle, type CallbackOptions } from './wx-callbacks.js';

/** wx.request's concurrency limit in the mini-game runtime. */
const MAX_REQUESTS_IN_FLIGHT = 10;
const METHODS = new Set(['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT']);

export type WxRequestParams = CallbackOptions & {
  url: string;
  data?: unknown;
  header?: Record<string, string>;
  method?: string;
  dataType?: string;
  responseType?: string;
  timeout?: number;
};

function queryString(data: unknown): string {
  if (data === undefined || data === null) return '';
  if (typeof data === 'string') return data;
  const params: string[] = [];
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    params.push(`${encodeURIComponent(key)}=${encodeURIComponent(typeof value === 'object' ? JSON.stringify(value) : String(value))}`);
  }
  return params.join('&');
}

/** wx.request as the mini-game runtime has it (at most 10 in flight), reaching real HTTP servers; each request goes into `requests`. */
export function createWxRequest(requests: SandboxRequest[]) {
  let inFlight = 0;
  return (params: WxRequestParams) => {
    let abort: (() => void) | undefined;
    let aborted = false;
    const work = (async () => {
      const method = (params.method ?? 'GET').toUpperCase();
      if (!METHODS.has(method)) throw new Error(`invalid method ${method}`);
      if (!/^https?:\/\//.test(params.url)) throw new Error('invalid url');
      if (inFlight >= MAX_REQUESTS_IN_FLIGHT) throw new Error('exceed max task count');
      const header: Record<string, string> = { ...(params.header ?? {}) };
      let url = params.url;
      let body: string | undefined;
      if (method === 'GET') {
        const query = queryString(params.data);
        if (query) url += (url.includes('?') ? '&' : '?') + query;
      } else if (params.data !== undefined) {
        const contentType = Object.entries(header).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? 'application/json';
        body = typeof params.data === 'string' ? params.data : contentType.includes('json') ? JSON.stringify(params.data) : queryString(params.data);
        if (!Object.keys(header).some((name) => name.toLowerCase() === 'content-type')) header['content-type'] = contentType;
      }
      requests.push({ method, url, header });
      inFlight += 1;
      try {
        const res = await httpRequest(url, { method, headers: header, body, timeoutMs: params.timeout ?? 60_000 }, (a) => {
          abort = a;
          if (aborted) a();
        });
        let data: unknown = res.body;
        if ((params.dataType ?? 'json') === 'json') {
          try {
            data = JSON.parse(res.body);
          } catch {
            // wx leaves a body that is not JSON as the string it was.
          }
        }
        return { data, statusCode: res.status, header: res.headers, cookies: [], errMsg: 'request:ok' };
      } finally {
        inFlight -= 1;
      }
    })();
    // wx.request answers with a task, never a promise: without callbacks a failure goes nowhere.
    settle(params, work, (error) => ({ errMsg: `request:fail ${error.message}` }))?.catch(() => undefined);
    return {
      abort() {
        aborted = true;
        abort?.();
      },
    };
  };
}
