import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP hop between the server and the WeChat simulator that keeps every
 * session_key and access_token WeChat answered, and every js_code sent: the
 * leak scan's list of what WeChat handed out. (The simulator only tells the
 * latest session key of a player; parallel logins of one player see several.)
 * Not for fault tests: a refused connection to the simulator becomes a
 * dropped one here.
 */
export interface WeChatTap {
  /** Use as WECHAT_API_BASE. */
  readonly url: string;
  /** Where requests go: the simulator's URL (may be set after the tap started). */
  target: string;
  readonly sessionKeys: ReadonlySet<string>;
  readonly accessTokens: ReadonlySet<string>;
  readonly codes: ReadonlySet<string>;
  readonly forwarded: number;
  close(): Promise<void>;
}

export async function startWeChatTap(target = ''): Promise<WeChatTap> {
  const sessionKeys = new Set<string>();
  const accessTokens = new Set<string>();
  const codes = new Set<string>();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let forwarded = 0;
  const tap: { target: string } = { target };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', tap.target);
      const code = url.searchParams.get('js_code');
      if (code) codes.add(code);
      forwarded += 1;
      const headers = { ...req.headers, host: url.host };
      const upstream = http.request(url, { method: req.method ?? 'GET', headers, agent }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(parts);
          const text = body.toString('utf8');
          for (const match of text.matchAll(/"session_key"\s*:\s*"([^"]+)"/g)) sessionKeys.add(match[1]!);
          for (const match of text.matchAll(/"access_token"\s*:\s*"([^"]+)"/g)) accessTokens.add(match[1]!);
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(body);
        });
        answer.on('error', () => res.destroy());
      });
      // WeChat dropped the connection (or never answered and the server gave up): so does the tap.
      upstream.on('error', () => res.socket?.destroy());
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      upstream.end(Buffer.concat(chunks));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get target() {
      return tap.target;
    },
    set target(value: string) {
      tap.target = value;
    },
    sessionKeys,
    accessTokens,
    codes,
    get forwarded() {
      return forwarded;
    },
    async close() {
      agent.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
