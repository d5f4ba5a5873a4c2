import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimulatedApp {
  appid: string;
  secret: string;
  /**
   * Set when the app is bound to a WeChat open platform account: its players
   * then get a unionid, the same across apps of that platform.
   */
  openPlatform?: string;
}

export interface WeChatSimulatorOptions {
  apps: SimulatedApp[];
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** How long a code stays valid; WeChat's is 5 minutes. */
  codeTtlMs?: number;
  /** jscode2session calls allowed per player per minute; WeChat's is 100. */
  callsPerPlayerPerMinute?: number;
  /** The clock, for tests that let codes expire. */
  now?: () => number;
}

/** A fault WeChat may answer with, injected for the next jscode2session calls. */
export type SimulatedFault =
  | { kind: 'errcode'; errcode: number; errmsg?: string }
  /** Answers after this many milliseconds (a slow WeChat). */
  | { kind: 'delay'; ms: number }
  /** An HTTP error page instead of JSON (a broken gateway). */
  | { kind: 'http'; status: number; body: string };

export interface WeChatSimulator {
  /** Base URL, to use as WECHAT_API_BASE. */
  readonly url: string;
  /** Issues a wx.login code for a simulated player of an app (what wx.login gives the game). */
  issueCode(appid: string, player: string): string;
  /** The openid WeChat gives this player in this app. */
  openidFor(appid: string, player: string): string;
  /** Answers the next `times` jscode2session calls with a fault. */
  injectFault(fault: SimulatedFault, times?: number): void;
  /** Marks a player as high-risk: WeChat answers 40226. */
  blockPlayer(appid: string, player: string): void;
  /** jscode2session calls received so far. */
  readonly code2sessionCalls: number;
  close(): Promise<void>;
}

interface IssuedCode {
  appid: string;
  player: string;
  issuedAt: number;
  used: boolean;
}

const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function newCode(): string {
  const bytes = randomBytes(32);
  let code = '';
  for (const byte of bytes) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
  return code;
}

function stableId(prefix: string, ...parts: string[]): string {
  return prefix + createHash('sha256').update(parts.join('\0')).digest('base64url').slice(0, 27);
}

function errmsgOf(errcode: number): string {
  const rid = randomBytes(6).toString('hex');
  const messages: Record<number, string> = {
    [-1]: 'system error',
    40029: 'invalid code',
    40163: 'code been used',
    45011: 'api minute-quota reach limit  mustslower  retry next minute',
    40226: 'invalid code, high risk user',
    40013: 'invalid appid',
    40125: 'invalid appsecret',
    41002: 'appid missing',
    41004: 'appsecret missing',
    41008: 'missing code',
  };
  return `${messages[errcode] ?? 'unknown error'}, rid: ${rid}`;
}

/**
 * Stands in for WeChat's servers in development and tests: jscode2session
 * behaves like WeChat's, errors included, and /sim/login issues the codes
 * that wx.login would give a named player.
 */
export async function startWeChatSimulator(options: WeChatSimulatorOptions): Promise<WeChatSimulator> {
  const apps = new Map(options.apps.map((app) => [app.appid, app]));
  const codeTtlMs = options.codeTtlMs ?? 5 * 60_000;
  const callsPerMinute = options.callsPerPlayerPerMinute ?? 100;
  const now = options.now ?? Date.now;
  const codes = new Map<string, IssuedCode>();
  const faults: SimulatedFault[] = [];
  const blocked = new Set<string>();
  const callWindows = new Map<string, { startedAt: number; calls: number }>();
  let code2sessionCalls = 0;

  const openidFor = (appid: string, player: string) => stableId('o', appid, player);

  const issueCode = (appid: string, player: string) => {
    // Forget codes long expired so a long dev session does not grow the map.
    if (codes.size > 10_000) {
      for (const [code, issued] of codes) if (now() - issued.issuedAt > codeTtlMs) codes.delete(code);
    }
    const code = newCode();
    codes.set(code, { appid, player, issuedAt: now(), used: false });
    return code;
  };

  const overQuota = (appid: string, player: string) => {
    const key = `${appid}\0${player}`;
    const window = callWindows.get(key);
    if (!window || now() - window.startedAt >= 60_000) {
      callWindows.set(key, { startedAt: now(), calls: 1 });
      return false;
    }
    window.calls += 1;
    return window.calls > callsPerMinute;
  };

  const jscode2session = (query: URLSearchParams): Record<string, unknown> => {
    const fail = (errcode: number) => ({ errcode, errmsg: errmsgOf(errcode) });
    const appid = query.get('appid');
    const secret = query.get('secret');
    const jsCode = query.get('js_code');
    if (!appid) return fail(41002);
    if (!secret) return fail(41004);
    if (!jsCode) return fail(41008);
    const app = apps.get(appid);
    if (!app) return fail(40013);
    if (app.secret !== secret) return fail(40125);
    const issued = codes.get(jsCode);
    if (!issued || issued.appid !== appid || now() - issued.issuedAt > codeTtlMs) return fail(40029);
    if (issued.used) return fail(40163);
    if (overQuota(appid, issued.player)) return fail(45011);
    issued.used = true;
    if (blocked.has(`${appid}\0${issued.player}`)) return fail(40226);
    const answer: Record<string, unknown> = {
      openid: openidFor(appid, issued.player),
      session_key: randomBytes(16).toString('base64'),
    };
    if (app.openPlatform) answer.unionid = stableId('u', app.openPlatform, issued.player);
    return answer;
  };

  const defaultAppid = options.apps[0]?.appid;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const send = (status: number, body: unknown, contentType = 'application/json') => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };

    if (url.pathname === '/sns/jscode2session' && req.method === 'GET') {
      code2sessionCalls += 1;
      const fault = faults.shift();
      if (fault?.kind === 'http') return send(fault.status, fault.body, 'text/html');
      if (fault?.kind === 'errcode') return send(200, { errcode: fault.errcode, errmsg: fault.errmsg ?? errmsgOf(fault.errcode) });
      const answer = jscode2session(url.searchParams);
      // WeChat answers with text/plain; clients must not rely on the content type.
      if (fault?.kind === 'delay') {
        setTimeout(() => send(200, answer, 'text/plain'), fault.ms).unref();
        return;
      }
      return send(200, answer, 'text/plain');
    }

    if (url.pathname === '/sim/login' && (req.method === 'GET' || req.method === 'POST')) {
      const respond = (params: { appid?: unknown; player?: unknown }) => {
        const appid = typeof params.appid === 'string' && params.appid ? params.appid : defaultAppid;
        const player = typeof params.player === 'string' ? params.player.trim() : '';
        if (!appid || !apps.has(appid)) return send(400, { error: 'unknown appid', field: 'appid' });
        if (!player || player.length > 64) return send(400, { error: 'name a player (1 to 64 characters)', field: 'player' });
        const code = issueCode(appid, player);
        return url.searchParams.get('format') === 'text' ? send(200, code, 'text/plain') : send(200, { code });
      };
      if (req.method === 'GET') return respond({ appid: url.searchParams.get('appid'), player: url.searchParams.get('player') });
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > 4096) req.destroy();
      });
      req.on('end', () => {
        try {
          respond(JSON.parse(body || '{}') as Record<string, unknown>);
        } catch {
          send(400, { error: 'the body must be JSON: {"appid": "...", "player": "..."}' });
        }
      });
      return;
    }

    send(404, { errcode: 404, errmsg: 'not found' });
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    issueCode,
    openidFor,
    injectFault(fault, times = 1) {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    blockPlayer(appid, player) {
      blocked.add(`${appid}\0${player}`);
    },
    get code2sessionCalls() {
      return code2sessionCalls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
