import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface Received {
  method: string;
  query: Record<string, string>;
  body: string;
}

export type ReceiverAnswer = (request: Received) => { status: number; body: string } | Promise<{ status: number; body: string }>;

/** A tiny real HTTP server standing in for the game's push URL: it records every request and answers as told. */
export async function startReceiver(answer: ReceiverAnswer) {
  const received: Received[] = [];
  let current = answer;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      const request = { method: req.method ?? 'GET', query: Object.fromEntries(url.searchParams), body };
      received.push(request);
      void Promise.resolve(current(request)).then((reply) => {
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(reply.body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/push/app`,
    received,
    answerWith(next: ReceiverAnswer) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export const SUCCESS = { status: 200, body: '{"ErrCode":0,"ErrMsg":"Success"}' };
export const FAILURE = { status: 200, body: '{"ErrCode":1,"ErrMsg":"not yet"}' };
