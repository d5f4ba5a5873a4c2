import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/processes.js';
import { useDatabaseAndSimulator } from '../support/database-and-simulator.js';
import { TEST_APPID, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, TEST_WECHAT_SECRET } from '../support/stack.js';
import { bearer, RecordingClient, type Answer } from './support/http.js';
import { residentBytes, startInstances, stopInstances, type Instance } from '../support/instances.js';
import { LeakScan, leakSummary } from './support/leaks.js';
import { startWeChatTap, type WeChatTap } from './support/wechat-tap.js';

// The soak (pnpm test:reliability only): SOAK_SECONDS (600 by default) of
// mixed traffic against the built server with RATE_LIMITS=off: logins of new
// and returning players, refreshes, account.me, heartbeats, profile updates
// (each through WeChat's msg_sec_check), batches, logouts. Every answer must
// be a 200; the server's RSS (VmRSS, every 5 s) must stay flat once warm:
// the median of the last third at most 15 % above the median of the middle
// third. The calls come at a steady SOAK_RATE a second (40 by default), not
// as fast as they can: V8 sizes its heap by the allocation rate, so on a
// shared machine whose speed drifts, RSS would follow the drift, not a leak.
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const SOAK_RATE = Number(process.env.SOAK_RATE ?? 40);
const LANES = 8;
const PLAYERS_PER_LANE = 25;
const SAMPLE_MS = 5_000;
const RSS_GROWTH_ALLOWED = 0.15;

const shared = useDatabaseAndSimulator();
let tap: WeChatTap;
let server: Instance;
/** The server's /metrics (METRICS_PORT): its V8 heap in use, beside the RSS. */
let metricsUrl: string;
const leaks = new LeakScan();
const http = new RecordingClient(leaks);

beforeAll(async () => {
  expect(SOAK_SECONDS, 'SOAK_SECONDS').toBeGreaterThanOrEqual(30);
  tap = await startWeChatTap(shared.simulator.url);
  metricsUrl = `http://127.0.0.1:${await freePort()}/metrics`;
  [server] = (await startInstances(1, {
    databaseUrl: shared.database.url,
    wechatApiBase: tap.url,
    env: { RATE_LIMITS: 'off', WECHAT_TIMEOUT_MS: '20000', METRICS_PORT: new URL(metricsUrl).port },
    names: ['soak'],
  })) as [Instance];
  leaks.logSource('server', () => server.process.output());
  leaks.secret('WeChat secret', TEST_WECHAT_SECRET);
  leaks.secret('JWT secret', TEST_JWT_SECRET);
  leaks.secret('encryption key', TEST_ENCRYPTION_KEY);
});
afterAll(async () => {
  if (server) await stopInstances([server]);
  await tap?.close();
});

interface Player {
  name: string;
  tokens: { accessToken: string; refreshToken: string } | null;
}

type Action = 'login' | 'refresh' | 'me' | 'heartbeat' | 'updateProfile' | 'batch' | 'logout';

/** nodejs_heap_size_used_bytes from the server's /metrics, or NaN when it cannot be read. */
async function heapUsed(): Promise<number> {
  const text = await fetch(metricsUrl).then(
    (response) => response.text(),
    () => '',
  );
  return Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

describe('soak', () => {
  it(
    `${SOAK_SECONDS} s of mixed traffic: 0 errors, RSS flat after warm-up`,
    async () => {
      const counts: Record<Action, number> = { login: 0, refresh: 0, me: 0, heartbeat: 0, updateProfile: 0, batch: 0, logout: 0 };
      const errors: string[] = [];
      const samples: Array<{ at: number; rss: number; heap: number; calls: number }> = [];
      const started = Date.now();
      const deadline = started + SOAK_SECONDS * 1000;
      let stop = false;
      // One slot every 1/SOAK_RATE s, shared by the lanes; a lane more than a second behind drops the missed slots rather than rush them.
      const intervalMs = 1000 / SOAK_RATE;
      let nextAt = started;
      const slot = async () => {
        const now = Date.now();
        nextAt = Math.max(nextAt, now - 1000);
        const at = nextAt;
        nextAt += intervalMs;
        if (at > now) await new Promise((done) => setTimeout(done, at - now));
      };

      const check = (action: Action, answer: Answer, ok = (a: Answer) => a.status === 200) => {
        counts[action] += 1;
        if (!ok(answer) && errors.length < 1000) errors.push(`${action}: ${answer.status} ${answer.text.slice(0, 300)}`);
        return ok(answer);
      };

      const act = async (player: Player) => {
        const url = server.url;
        if (!player.tokens || Math.random() < 0.03) {
          const code = shared.simulator.issueCode(TEST_APPID, player.name);
          leaks.secret('login code', code);
          const answer = await http.call(url, 'mutation', 'auth.wechatLogin', { code });
          if (check('login', answer)) player.tokens = answer.body.result.data;
          return;
        }
        const auth = bearer(player.tokens.accessToken);
        const roll = Math.random();
        if (roll < 0.08) {
          const answer = await http.call(url, 'mutation', 'auth.refresh', { refreshToken: player.tokens.refreshToken });
          if (check('refresh', answer)) player.tokens = answer.body.result.data;
        } else if (roll < 0.42) {
          check('me', await http.call(url, 'query', 'account.me', undefined, auth));
        } else if (roll < 0.75) {
          check('heartbeat', await http.call(url, 'mutation', 'account.heartbeat', undefined, auth));
        } else if (roll < 0.85) {
          const input =
            Math.random() < 0.5 ? { gender: Math.floor(Math.random() * 3) } : { nickName: `${player.name} ${Math.floor(Math.random() * 1000)} 🎮` };
          check('updateProfile', await http.call(url, 'mutation', 'account.updateProfile', input, auth));
        } else if (roll < 0.97) {
          const answer = await http.request(`${url}/trpc/account.heartbeat,account.updateProfile,account.heartbeat?batch=1`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...auth },
            body: JSON.stringify({ 0: {}, 1: { gender: 1 }, 2: {} }),
          });
          check('batch', answer, (a) => a.status === 200 && Array.isArray(a.body) && a.body.every((item: { result?: unknown }) => item.result));
        } else {
          const answer = await http.call(url, 'mutation', 'auth.logout', undefined, auth);
          if (check('logout', answer, (a) => a.status === 200 && a.body.result.data.loggedOut === true)) player.tokens = null;
        }
      };

      const lanes = Array.from({ length: LANES }, async (_, lane) => {
        const players: Player[] = Array.from({ length: PLAYERS_PER_LANE }, (_, i) => ({ name: `soak-${lane}-${i}`, tokens: null }));
        while (!stop && Date.now() < deadline) {
          const player = players[Math.floor(Math.random() * players.length)]!;
          await slot();
          try {
            await act(player);
          } catch (error) {
            if (errors.length < 1000) errors.push(`request failed: ${(error as Error).message}`);
          }
        }
      });

      let lastReport = started;
      const sampler = (async () => {
        while (!stop && Date.now() < deadline) {
          const done = Object.values(counts).reduce((sum, count) => sum + count, 0);
          samples.push({ at: Date.now() - started, rss: await residentBytes(server.process.pid), heap: await heapUsed(), calls: done });
          if (Date.now() - lastReport >= 60_000) {
            lastReport = Date.now();
            console.log(
              `soak: ${Math.round((Date.now() - started) / 1000)} s, ${done} calls, ${errors.length} errors, RSS ${megabytes(samples[samples.length - 1]!.rss)}`,
            );
          }
          await new Promise((done) => setTimeout(done, SAMPLE_MS));
        }
      })();

      try {
        await Promise.all(lanes);
      } finally {
        stop = true;
        await sampler;
      }
      const seconds = (Date.now() - started) / 1000;
      const calls = Object.values(counts).reduce((sum, count) => sum + count, 0);

      // RSS: the first third is warm-up; the last third must not sit more than 15 % above the middle third.
      const third = Math.floor(samples.length / 3);
      const middle = median(samples.slice(third, 2 * third).map((sample) => sample.rss));
      const last = median(samples.slice(2 * third).map((sample) => sample.rss));
      const growth = last / middle - 1;
      const peak = Math.max(...samples.map((sample) => sample.rss));
      // The rate each third got (calls between its first and last sample): steady, or the comparison says little.
      const rateOf = (from: number, to: number) => {
        const [first, last] = [samples[from]!, samples[Math.min(to, samples.length) - 1]!];
        return last.at > first.at ? Math.round(((last.calls - first.calls) * 1000) / (last.at - first.at)) : 0;
      };
      const rates = [rateOf(0, third), rateOf(third, 2 * third), rateOf(2 * third, samples.length)];
      const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
      console.log(`soak, RSS every ${SAMPLE_MS / 1000} s (MB): ${samples.map((sample) => mb(sample.rss)).join(' ')}`);
      console.log(`soak, V8 heap in use every ${SAMPLE_MS / 1000} s (MB): ${samples.map((sample) => mb(sample.heap)).join(' ')}`);
      // Informative: the lowest heap in use of each third (after a collection), which a leak raises.
      const floor = (from: number, to: number) => megabytes(Math.min(...samples.slice(from, to).map((sample) => sample.heap)));
      console.log(`soak, heap floor by third: ${floor(0, third)} / ${floor(third, 2 * third)} / ${floor(2 * third, samples.length)}`);
      console.log(
        `soak: ${Math.round(seconds)} s of mixed traffic at ${SOAK_RATE}/s, ${calls} calls (${rates.join('/')} per s by third: ${counts.login} logins, ${counts.refresh} refreshes, ${counts.me} account.me, ${counts.heartbeat} heartbeats, ${counts.updateProfile} profile updates, ${counts.batch} batches of 3, ${counts.logout} logouts) → ${errors.length} errors, RSS median ${megabytes(middle)} (middle third) → ${megabytes(last)} (last third), ${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %, peak ${megabytes(peak)}`,
      );
      expect(errors.slice(0, 20)).toEqual([]);
      expect(await Promise.race([server.process.exited.then(() => 'exited'), new Promise((done) => setTimeout(() => done('running'), 100))])).toBe(
        'running',
      );
      // Nothing logged as an error (pino level 50 and above) while serving all that.
      const errorLines = server.process
        .output()
        .split('\n')
        .filter((line) => /"level":(50|60)/.test(line));
      expect(errorLines.slice(0, 5)).toEqual([]);
      expect(counts.login).toBeGreaterThan(LANES * PLAYERS_PER_LANE * 0.5);
      expect(counts.refresh).toBeGreaterThan(0);
      expect(samples.length).toBeGreaterThanOrEqual(6);

      expect(growth).toBeLessThanOrEqual(RSS_GROWTH_ALLOWED);
    },
    (SOAK_SECONDS + 180) * 1000,
  );

  it('leak scan: no secret, session key or token in any answer or log line of the soak', () => {
    for (const key of tap.sessionKeys) leaks.secret('session key', key);
    for (const token of tap.accessTokens) leaks.secret('WeChat access token', token);
    const report = leaks.scan();
    expect(report.secrets['session key']).toBeGreaterThan(LANES * PLAYERS_PER_LANE * 0.5);
    expect(report.hits.slice(0, 10)).toEqual([]);
    expect(report.stackTraces.slice(0, 10)).toEqual([]);
    console.log(leakSummary('soak', report));
  }, 120_000);
});
