import { createHttpServer, loadConfig, wireApplication, type Application, type Config } from '@minigate/server';
import { createTestDatabase, type TestDatabase } from '@minigate/db/testing';
import { startWeChatSimulator, type SimulatedApp, type WeChatSimulator } from '@minigate/wechat-sim';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { parseDatabaseUrl } from '@minigate/db';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

export const TEST_APPID = 'wxminigatetest01';
export const TEST_WECHAT_SECRET = 'test-wechat-secret-7f3a9c2e';
export const TEST_JWT_SECRET = 'test-jwt-secret-that-is-long-enough-0123456789';
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

/** A running minigate: real server on a free port, real database, WeChat simulator. */
export interface TestStack {
  /** The tRPC endpoint, http://127.0.0.1:<port>/trpc. */
  trpcUrl: string;
  baseUrl: string;
  config: Config;
  /** The environment the server's configuration was read from (for a CLI that reads it too). */
  environment: Record<string, string>;
  simulator: WeChatSimulator;
  database: TestDatabase;
  server: FastifyInstance;
  application: Application;
  /** Between the server and MariaDB when asked for: cut it to take the database away. */
  databaseProxy: TcpProxy | null;
  /** Every log line the server wrote. */
  logs: string[];
  /** A wx.login code for a simulated player of the test app. */
  codeFor(player: string): string;
  close(): Promise<void>;
}

/** A complete server environment for the test app, its database and simulator. */
export function testEnvironment(databaseUrl: string, simulatorUrl: string): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    WECHAT_APPID: TEST_APPID,
    WECHAT_SECRET: TEST_WECHAT_SECRET,
    WECHAT_API_BASE: simulatorUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
  };
}

/** The same database reached through a TCP proxy on `port`. */
export function proxiedDatabaseUrl(databaseUrl: string, port: number): string {
  const url = new URL(databaseUrl);
  url.host = `127.0.0.1:${port}`;
  return url.toString();
}

/**
 * Games on every platform, one studio's (their unionids join within a
 * platform): two WeChat games, two Douyin games and a QQ game.
 */
export const TEST_GAMES = {
  wechat: { appid: TEST_APPID, platform: 'wechat', secret: TEST_WECHAT_SECRET, openPlatform: 'studio' },
  wechat2: { appid: 'wxminigatetest02', platform: 'wechat', secret: 'test-wechat-secret-second-game', openPlatform: 'studio' },
  douyin: { appid: 'ttminigatetest01', platform: 'douyin', secret: 'test-douyin-secret-4c1d', openPlatform: 'studio' },
  douyin2: { appid: 'ttminigatetest02', platform: 'douyin', secret: 'test-douyin-secret-second', openPlatform: 'studio' },
  qq: { appid: '1110000042', platform: 'qq', secret: 'test-qq-secret-90ab', openPlatform: 'studio' },
} as const satisfies Record<string, SimulatedApp & { secret: string }>;

/** An APPS_FILE listing `apps` on the simulator, in a directory of its own. */
export function writeAppsFile(apps: readonly SimulatedApp[], simulatorUrl: string, extras: Record<string, Record<string, unknown>> = {}): string {
  const file = join(mkdtempSync(join(tmpdir(), 'minigate-apps-')), 'apps.json');
  writeFileSync(
    file,
    JSON.stringify(
      apps.map(({ appid, secret, platform }) => ({ appid, secret, platform: platform ?? 'wechat', apiBase: simulatorUrl, ...extras[appid] })),
    ),
  );
  return file;
}

export interface TestStackOptions {
  databaseProxy?: boolean;
  /** Games listed in an APPS_FILE instead of the WECHAT_* game (the simulator plays them all). */
  apps?: readonly SimulatedApp[];
  /** More fields of a game's APPS_FILE entry, by appid (its pay settings and products). */
  appsFileExtras?: Record<string, Record<string, unknown>>;
}

export async function startTestStack(env: Record<string, string> = {}, options: TestStackOptions = {}): Promise<TestStack> {
  const database = await createTestDatabase();
  const target = parseDatabaseUrl(database.url);
  const databaseProxy = options.databaseProxy ? await startTcpProxy({ host: target.host, port: target.port }) : null;
  const serverDatabaseUrl = databaseProxy ? proxiedDatabaseUrl(database.url, databaseProxy.port) : database.url;
  const simulator = await startWeChatSimulator({ apps: options.apps ? [...options.apps] : [{ appid: TEST_APPID, secret: TEST_WECHAT_SECRET }] });
  const base = testEnvironment(serverDatabaseUrl, simulator.url);
  if (options.apps) {
    delete (base as Partial<typeof base>).WECHAT_APPID;
    delete (base as Partial<typeof base>).WECHAT_SECRET;
    base.APPS_FILE = writeAppsFile(options.apps, simulator.url, options.appsFileExtras);
  }
  const environment: Record<string, string> = { NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'info', ...base, ...env };
  const config = loadConfig(environment);
  const logs: string[] = [];
  const { server, application } = createHttpServer(config, (log) => wireApplication(config, log), {
    logStream: { write: (line) => void logs.push(line) },
  });
  await application.start();
  await server.listen({ host: config.host, port: 0 });
  const { port } = server.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    trpcUrl: `${baseUrl}/trpc`,
    baseUrl,
    config,
    environment,
    simulator,
    database,
    server,
    application,
    databaseProxy,
    logs,
    codeFor: (player) => simulator.issueCode(TEST_APPID, player),
    async close() {
      await server.close();
      await simulator.close();
      await databaseProxy?.close();
      await database.drop();
    },
  };
}

/** One tRPC call over plain HTTP, as a Unity game or curl would make it. */
export async function callProcedure(
  stack: TestStack,
  kind: 'query' | 'mutation',
  path: string,
  input?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const url =
    kind === 'query'
      ? `${stack.trpcUrl}/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`
      : `${stack.trpcUrl}/${path}`;
  const response = await fetch(url, {
    method: kind === 'query' ? 'GET' : 'POST',
    headers: { ...(kind === 'mutation' ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(kind === 'mutation' ? { body: JSON.stringify(input ?? {}) } : {}),
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}
