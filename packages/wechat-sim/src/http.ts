import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errmsgOf, parseJsonObject } from './answers.js';
import type { SimRoute, SimulatedEndpointDefinition } from './endpoint.js';
import type { SimulatedEndpoint, SimulatedRequest } from './types.js';

export interface SimulatorHttpOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The endpoint a request is for, or null (the query picks between platforms sharing a path). */
  route(method: string, url: URL): SimulatedEndpointDefinition | null;
  simRoutes: readonly SimRoute[];
  /** Whether the simulator plays this app. */
  knowsApp(appid: string): boolean;
  /** The app a /sim/* request means when it names none. */
  defaultAppid: string | undefined;
  now: () => number;
  /** Told of each call of an endpoint as it arrives, before its body is read (faulted ones included). */
  onCall(endpoint: SimulatedEndpoint): void;
  /** Told of each call of an endpoint once its body is in. */
  onRequest(request: SimulatedRequest): void;
}

export interface SimulatorHttp {
  readonly url: string;
  /** false closes the port and drops open connections; true listens on the same port again. */
  setReachable(reachable: boolean): Promise<void>;
  close(): Promise<void>;
}

type Send = (status: number, body: unknown, contentType?: string) => void;

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_SIM_BODY_CHARS = 16_384;
const JSON_ANSWER = 'application/json; encoding=utf-8';

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

/** One call of a WeChat endpoint: counted, then its fault (if any) or its answer. */
function serveEndpoint(endpoint: SimulatedEndpointDefinition, req: http.IncomingMessage, url: URL, send: Send, options: SimulatorHttpOptions) {
  const method = req.method ?? 'GET';
  options.onCall(endpoint.name);
  const fault = endpoint.faults.take();
  void readBody(req).then((body) => {
    if (body === null) return send(413, '<html>request entity too large</html>', 'text/html');
    options.onRequest({ endpoint: endpoint.name, method, query: Object.fromEntries(url.searchParams), body, at: options.now() });
    if (fault?.kind === 'timeout') return;
    if (fault?.kind === 'reset') return req.socket.destroy();
    if (fault?.kind === 'http') return send(fault.status, fault.body, 'text/html');
    if (fault?.kind === 'errcode') {
      const faultAnswer = endpoint.faultAnswer ?? ((errcode, errmsg) => ({ errcode, errmsg: errmsg ?? errmsgOf(errcode) }));
      return send(200, faultAnswer(fault.errcode, fault.errmsg));
    }
    const answer = endpoint.answer({ method, query: url.searchParams, body });
    const contentType = endpoint.contentType ?? JSON_ANSWER;
    if (fault?.kind === 'delay') {
      setTimeout(() => send(200, answer, contentType), fault.ms).unref();
      return;
    }
    send(200, answer, contentType);
  });
}

/** A /sim/* request: its parameters (the query of a GET, the JSON body of a POST), checked, then the route's reply. */
function serveSim(route: SimRoute, req: http.IncomingMessage, url: URL, send: Send, options: SimulatorHttpOptions) {
  const respond = (params: Record<string, unknown>) => {
    const appid = typeof params.appid === 'string' && params.appid ? params.appid : options.defaultAppid;
    const subject = route.subject ?? 'player';
    const named = params[subject];
    const player = typeof named === 'string' ? named.trim() : '';
    if (!appid || !options.knowsApp(appid)) return send(400, { error: 'unknown appid', field: 'appid' });
    if (!player || player.length > 64) return send(400, { error: `name a ${subject} (1 to 64 characters)`, field: subject });
    const reply = route.answer({ appid, player }, params, url.searchParams);
    send(reply.status, reply.body, reply.contentType);
  };
  if (req.method === 'GET') return respond(Object.fromEntries(url.searchParams));
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
    if (body.length > MAX_SIM_BODY_CHARS) req.destroy();
  });
  req.on('end', () => {
    const params = parseJsonObject(body || '{}');
    if (params) respond(params);
    else send(400, { error: 'the body must be a JSON object: {"appid": "...", "player": "..."}' });
  });
}

/** Serves the simulator over HTTP: the platforms' endpoints, the /sim/* routes, 404 for the rest. */
export async function serveSimulator(options: SimulatorHttpOptions): Promise<SimulatorHttp> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const send: Send = (status, body, contentType = 'application/json') => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    const endpoint = options.route(req.method ?? 'GET', url);
    if (endpoint) return serveEndpoint(endpoint, req, url, send, options);
    const simRoute = req.method === 'GET' || req.method === 'POST' ? options.simRoutes.find((route) => route.path === url.pathname) : undefined;
    if (simRoute) return serveSim(simRoute, req, url, send, options);
    send(404, { errcode: 404, errmsg: 'not found' });
  });
  server.keepAliveTimeout = 30_000;

  const listen = (port: number, host: string) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  await listen(options.port, options.host);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    async setReachable(reachable) {
      if (reachable && !server.listening) await listen(address.port, address.address);
      if (!reachable) await stop();
    },
    close: stop,
  };
}
