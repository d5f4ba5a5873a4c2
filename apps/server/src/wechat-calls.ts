import { WeChatTransportError, type HttpTransport, type WeChatRequest, type WeChatTransport } from '@minigate/wechat';

/** One call to WeChat as /metrics counts it. */
export interface WeChatCallRecord {
  /** The URL's path, e.g. `/sns/jscode2session`: never the query, which holds the secret and the code. */
  endpoint: string;
  seconds: number;
  /** `ok`; `errcode` (WeChat answered a non-zero errcode); `http_error` (a non-2xx status); `timeout`; `unreachable`. */
  outcome: 'ok' | 'errcode' | 'http_error' | 'timeout' | 'unreachable';
  /** The non-zero errcode, or the HTTP status, when there is one. */
  detail?: number;
}

export type WeChatCallListener = (call: WeChatCallRecord) => void;

/** Times every call through a WeChat transport for whoever listens (the metrics). */
export interface WeChatCallTimer {
  /** The same transport, its `send` timed. */
  instrument(transport: HttpTransport): HttpTransport;
  listen(listener: WeChatCallListener): void;
}

const ERRCODE = /"errcode"\s*:\s*(-?\d+)/;

export function createWeChatCallTimer(): WeChatCallTimer {
  const listeners: WeChatCallListener[] = [];
  const emit = (call: WeChatCallRecord) => {
    for (const listener of listeners) listener(call);
  };

  const timed =
    (send: WeChatTransport): WeChatTransport =>
    async (request: WeChatRequest) => {
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      const endpoint = endpointOf(request.url);
      try {
        const response = await send(request);
        const errcode = Number(ERRCODE.exec(response.body)?.[1] ?? 0);
        if (response.status < 200 || response.status >= 300) emit({ endpoint, seconds: seconds(), outcome: 'http_error', detail: response.status });
        else if (errcode !== 0) emit({ endpoint, seconds: seconds(), outcome: 'errcode', detail: errcode });
        else emit({ endpoint, seconds: seconds(), outcome: 'ok' });
        return response;
      } catch (error) {
        emit({ endpoint, seconds: seconds(), outcome: error instanceof WeChatTransportError && error.timedOut ? 'timeout' : 'unreachable' });
        throw error;
      }
    };

  return {
    instrument: (transport) => ({ ...transport, send: timed(transport.send) }),
    listen: (listener) => void listeners.push(listener),
  };
}

function endpointOf(url: string): string {
  try {
    return new URL(url).pathname.slice(0, 100);
  } catch {
    return 'unknown';
  }
}
