import { connect } from 'node:net';
import type { LeakScan } from './leaks.js';

export interface Answer {
  status: number;
  /** The parsed JSON body, or undefined when it is not JSON. */
  body: any;
  text: string;
  headers: Headers;
}

export type CallKind = 'query' | 'mutation';

/**
 * HTTP as a game or curl speaks it, every answer handed to the leak scan.
 * `baseUrl` is the server's root (http://127.0.0.1:<port>).
 */
export class RecordingClient {
  constructor(private readonly leaks: LeakScan) {}

  async request(url: string, init: RequestInit = {}): Promise<Answer> {
    const response = await fetch(url, init);
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const headerLines = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
    this.leaks.answer(`${init.method ?? 'GET'} ${new URL(url).pathname}`, `${response.status}\n${headerLines}\n\n${text}`, text);
    return { status: response.status, body, text, headers: response.headers };
  }

  /** One tRPC call: a query as GET (input in the query string), a mutation as POST with a JSON body. */
  call(baseUrl: string, kind: CallKind, path: string, input?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    if (kind === 'query') {
      const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
      return this.request(`${baseUrl}/trpc/${path}${query}`, { headers });
    }
    return this.request(`${baseUrl}/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(input ?? {}),
    });
  }

  /** Raw bytes over TCP, for what fetch refuses to send: everything the server wrote until it closed. */
  raw(baseUrl: string, bytes: string | Buffer, where = 'raw request'): Promise<RawAnswer> {
    const { hostname, port } = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const answer = parseRaw(raw);
        this.leaks.answer(where, raw, answer.text);
        resolve(answer);
      });
      socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer within 10 s to ${where}`)));
      socket.end(bytes);
    });
  }
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
  /** The body as text. */
  text: string;
  raw: string;
}

function parseRaw(raw: string): RawAnswer {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const text = split === -1 ? '' : raw.slice(split + 4);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body, text, raw };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** What is wrong with an error answer's shape (tRPC's, with our reason), or null when it is right. */
export function errorShapeProblem(status: number, body: any): string | null {
  const error = body?.error;
  if (typeof error !== 'object' || error === null) return 'no error object';
  if (typeof error.message !== 'string' || error.message === '') return 'no message';
  if (typeof error.code !== 'number') return 'no numeric code';
  const data = error.data;
  if (typeof data !== 'object' || data === null) return 'no data';
  if (typeof data.code !== 'string') return 'no data.code';
  if (data.httpStatus !== status) return `data.httpStatus ${data.httpStatus} is not the HTTP status ${status}`;
  if (typeof data.reason !== 'string' || !/^[A-Z][A-Z0-9_]+$/.test(data.reason)) return `no UPPER_SNAKE data.reason (${data.reason})`;
  if ('stack' in data) return 'data.stack present';
  return null;
}

/** Each error of a batch answer, or the one error of a single answer. */
export function errorsOf(body: any): any[] {
  const items = Array.isArray(body) ? body : [body];
  return items.filter((item) => item && typeof item === 'object' && 'error' in item);
}
