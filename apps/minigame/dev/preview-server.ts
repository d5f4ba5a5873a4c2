// The browser preview of the sample game, served beside `pnpm dev` (never in
// production): a page with the game's canvas, the game's own game.js, and
// a small wx of our own (browser-wx.ts). The page reaches minigate and the
// WeChat simulator through this server, so neither needs CORS.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { loadMinigameConfig } from './config.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const MINIGAME = resolve(ROOT, 'apps/minigame');
/** Largest request body the page sends (a tRPC batch): the server's own default BODY_LIMIT. */
const MAX_BODY = 102_400;

export interface BrowserPreviewOptions {
  host: string;
  /** Default MINIGAME_PREVIEW_PORT (3002); 0 picks a free port. */
  port?: number;
  /** The minigate tRPC endpoint the game calls, e.g. http://127.0.0.1:3000/trpc: the only origin the page's wx.request reaches. */
  serverUrl: string;
  /** The WeChat simulator: wx.login codes and user info come from it. */
  simulatorUrl: string;
  /** The appid the simulator issues codes for (the server's WeChat game). */
  appid: string;
  /**
   * Douyin's and QQ's games (pnpm dev's sample apps file): the page plays
   * them with ?runtime=tt or ?runtime=qq, over a tt or qq of its own.
   */
  apps?: { tt?: string; qq?: string };
  /**
   * Where the page's game.js and wx.js are: .minigate/preview by default
   * (development state, like the dev secrets; apps/minigame/dist stays what
   * `pnpm build` made for DevTools). Unless `build` is false,
   * `node scripts/build.mjs minigame --server-url <serverUrl> --out <dir> --preview`
   * first builds them there, from the current sources, for this server.
   */
  dir?: string;
  build?: boolean;
}

export interface BrowserPreview {
  /** The page, e.g. http://127.0.0.1:3002/ (add ?player=bob to play as another simulated player). */
  url: string;
  close(): Promise<void>;
}

/** `pnpm build`'s build of the sample game, for the server the preview runs beside. */
function buildGame(serverUrl: string, dir: string): Promise<void> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [resolve(ROOT, 'scripts/build.mjs'), 'minigame', '--server-url', serverUrl, '--out', dir, '--preview'],
      { cwd: ROOT },
      (error, _stdout, stderr) => (error ? fail(new Error(`building the sample game failed: ${stderr || error.message}`)) : done()),
    );
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) req.destroy(new Error('body too large'));
    });
    req.on('end', () => done(body));
    req.on('error', fail);
  });
}

const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) =>
  void res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);

export async function startBrowserPreview(options: BrowserPreviewOptions): Promise<BrowserPreview> {
  const dir = options.dir ?? resolve(ROOT, '.minigate/preview');
  if (options.build !== false) await buildGame(options.serverUrl, dir);
  const serverOrigin = new URL(options.serverUrl).origin;
  const apps: Record<string, string | undefined> = { wx: options.appid, ...options.apps };
  // The page's runtime learns its appid before the game starts (getAccountInfoSync is synchronous).
  const pageConfig = `<script>window.__MINIGATE_PREVIEW__ = ${JSON.stringify({ apps })};</script>`;
  const files: Record<string, [string, string]> = {
    '/': [resolve(MINIGAME, 'dev/index.html'), 'text/html; charset=utf-8'],
    '/game.js': [resolve(dir, 'game.js'), 'text/javascript; charset=utf-8'],
    '/wx.js': [resolve(dir, 'wx.js'), 'text/javascript; charset=utf-8'],
  };

  /** wx.request, made from here: only to minigate, with the page's method, headers and body. */
  async function forwardRequest(body: string, res: ServerResponse): Promise<void> {
    const call = JSON.parse(body) as { url: string; method: string; header: Record<string, string>; data?: unknown };
    if (new URL(call.url).origin !== serverOrigin) {
      send(res, 403, 'text/plain', `The preview's wx.request reaches ${serverOrigin} only, not ${call.url}`);
      return;
    }
    const method = call.method.toUpperCase();
    const payload = call.data === undefined || method === 'GET' ? undefined : typeof call.data === 'string' ? call.data : JSON.stringify(call.data);
    const answer = await fetch(call.url, { method, headers: call.header, ...(payload === undefined ? {} : { body: payload }) });
    const header: Record<string, string> = {};
    answer.headers.forEach((value, name) => (header[name] = value));
    send(res, 200, 'application/json', JSON.stringify({ statusCode: answer.status, header, data: await answer.text() }));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://preview');
    const file = req.method === 'GET' ? files[url.pathname] : undefined;
    if (file) {
      const content = await readFile(file[0]).catch(() => null);
      if (content && url.pathname === '/')
        send(res, 200, file[1], content.toString('utf8').replace('<script src="/wx.js">', `${pageConfig}<script src="/wx.js">`));
      else if (content) send(res, 200, file[1], content);
      else send(res, 503, 'text/plain', `${file[0]} is missing: restart pnpm dev`);
      return;
    }
    // A login code for the player (/__wx/login), or a Douyin anonymous code for the player's browser (/__wx/anonymous).
    if ((url.pathname === '/__wx/login' || url.pathname === '/__wx/anonymous') && req.method === 'GET') {
      const appid = apps[url.searchParams.get('runtime') ?? 'wx'];
      if (!appid) return send(res, 404, 'text/plain', `no game for the runtime ${url.searchParams.get('runtime')}`);
      const player = url.searchParams.get('player') ?? '';
      const anonymous = url.pathname === '/__wx/anonymous';
      const query = new URLSearchParams({ appid, ...(anonymous ? { device: `${player}-browser` } : { player }), format: 'text' });
      const answer = await fetch(`${options.simulatorUrl}/sim/${anonymous ? 'anonymous' : 'login'}?${query.toString()}`);
      send(res, answer.status, 'text/plain', await answer.text());
      return;
    }
    if (url.pathname === '/__wx/userinfo' && req.method === 'POST') {
      const { player } = JSON.parse(await readBody(req)) as { player?: string };
      const answer = await fetch(`${options.simulatorUrl}/sim/userinfo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appid: options.appid, player }),
      });
      send(res, answer.status, 'application/json', await answer.text());
      return;
    }
    if (url.pathname === '/__wx/request' && req.method === 'POST') {
      await forwardRequest(await readBody(req), res);
      return;
    }
    send(res, 404, 'text/plain', 'not found');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // The page's wx turns this into a fail callback, as wx.request does when the network fails.
      if (!res.headersSent) send(res, 502, 'text/plain', error instanceof Error ? error.message : String(error));
      else res.destroy();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? loadMinigameConfig().previewPort, options.host, () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
