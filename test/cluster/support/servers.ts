import { BUILT_SERVER, freePort, run, waitFor, type Run } from '../../support/processes.js';
import { testEnvironment } from '../../support/stack.js';

/**
 * The server bundle the suite runs: the built one (pnpm test:cluster builds
 * it), or MINIGATE_CLUSTER_SERVER_BUNDLE to measure another build (an older
 * commit's, say) against the same clusters.
 */
export const SERVER_BUNDLE = process.env.MINIGATE_CLUSTER_SERVER_BUNDLE ?? BUILT_SERVER;

export interface ServerInstance {
  name: string;
  url: string;
  process: Run;
}

/** One built server per entry of `databaseUrls` (each its own DATABASE_URL: one Galera node each), `env` on top; resolves once all answer /healthz. */
export async function startServers(
  databaseUrls: readonly string[],
  wechatApiBase: string,
  env: Record<string, string> = {},
): Promise<ServerInstance[]> {
  const servers: ServerInstance[] = [];
  for (const [i, databaseUrl] of databaseUrls.entries()) {
    const port = await freePort();
    const process = run([SERVER_BUNDLE], {
      NODE_ENV: 'production',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      TRUST_PROXY: 'true',
      ...testEnvironment(databaseUrl, wechatApiBase),
      ...env,
    });
    servers.push({ name: `instance ${i + 1}`, url: `http://127.0.0.1:${port}`, process });
  }
  await Promise.all(servers.map((server) => waitFor(`${server.url}/healthz`, server.process)));
  return servers;
}

export async function stopServers(servers: readonly ServerInstance[]): Promise<void> {
  for (const server of servers) server.process.stop();
  await Promise.all(servers.map((server) => server.process.exited));
}

export interface Answer {
  status: number;
  reason: string | undefined;
  data: any;
  ms: number;
}

/** One tRPC mutation over HTTP, from `ip` (x-forwarded-for; the servers trust it), with a bearer token if given. */
export async function call(server: ServerInstance, path: string, options: { input?: unknown; token?: string; ip?: string } = {}): Promise<Answer> {
  const started = Date.now();
  try {
    const response = await fetch(`${server.url}/trpc/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.ip ? { 'x-forwarded-for': options.ip } : {}),
      },
      body: JSON.stringify(options.input ?? {}),
    });
    const text = await response.text();
    let body: any = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = { error: { data: { reason: `unparsable answer: ${text.slice(0, 80)}` } } };
    }
    return { status: response.status, reason: body?.error?.data?.reason, data: body?.result?.data, ms: Date.now() - started };
  } catch (error) {
    // No answer at all (reset, refused): status 0, never mistaken for a served one.
    return { status: 0, reason: `no answer: ${(error as Error).message}`, data: undefined, ms: Date.now() - started };
  }
}

/** A tally of answers by status, e.g. { 200: 395, 503: 5 }. */
export function tally(answers: readonly Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const answer of answers) counts[answer.status] = (counts[answer.status] ?? 0) + 1;
  return counts;
}

export const serverErrors = (answers: readonly Answer[]) => answers.filter((answer) => answer.status >= 500 || answer.status === 0);

/** A documentation-range-free private IPv4 address for the n-th simulated player. */
export const playerIp = (n: number) => `10.77.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
