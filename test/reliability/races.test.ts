import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDatabaseAndSimulator } from '../support/database-and-simulator.js';
import { TEST_APPID, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, TEST_WECHAT_SECRET } from '../support/stack.js';
import { RecordingClient } from './support/http.js';
import { startInstances, stopInstances, type Instance } from '../support/instances.js';
import { LeakScan, leakSummary } from './support/leaks.js';
import { describeStorm, refreshStorm } from './support/refresh-storm.js';
import { startWeChatTap, type WeChatTap } from './support/wechat-tap.js';

// Races across two production server processes (the built bundle) on one
// MariaDB: first logins of the same players landing on both at once, and one
// refresh token presented 50 times at once to both (inside the grace window,
// every one is answered with the same child). test/concurrent-login and
// test/sessions hold the same on one in-process server; the storm without a
// reuse grace (the session revoked) is in races-no-grace.slow.test.ts.
const PLAYERS = 20;
const LOGINS_PER_PLAYER = 10;
const REFRESHES = 50;

const shared = useDatabaseAndSimulator();
let tap: WeChatTap;
let instances: Instance[];
const leaks = new LeakScan();
const http = new RecordingClient(leaks);

beforeAll(async () => {
  tap = await startWeChatTap(shared.simulator.url);
  const options = { databaseUrl: shared.database.url, wechatApiBase: tap.url };
  // Limits on (in MySQL, shared), sized so that the races, not the limits, decide.
  // The WeChat timeout long: the simulator shares this busy process, and the race is about the database.
  const env = { RATE_LIMIT_LOGIN: '100000/60', RATE_LIMIT_REFRESH: '100000/60', RATE_LIMIT_CALLS: '100000/60', WECHAT_TIMEOUT_MS: '20000' };
  instances = await startInstances(2, { ...options, env, names: ['A', 'B'] });
  for (const instance of instances) leaks.logSource(`instance ${instance.name}`, () => instance.process.output());
  leaks.secret('WeChat secret', TEST_WECHAT_SECRET);
  leaks.secret('JWT secret', TEST_JWT_SECRET);
  leaks.secret('encryption key', TEST_ENCRYPTION_KEY);
}, 120_000);

afterAll(async () => {
  await stopInstances(instances ?? []);
  await tap?.close();
});

const login = (instance: Instance, code: string) => http.call(instance.url, 'mutation', 'auth.wechatLogin', { code });

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('races on two instances sharing one database', () => {
  it(`${PLAYERS * LOGINS_PER_PLAYER} parallel first logins of ${PLAYERS} players → ${PLAYERS} accounts, each with its profile and identity`, async () => {
    const players = Array.from({ length: PLAYERS }, (_, i) => `race-${i}`);
    const attempts = shuffled(players.flatMap((player) => Array.from({ length: LOGINS_PER_PLAYER }, () => player))).map((player, i) => ({
      player,
      code: shared.simulator.issueCode(TEST_APPID, player),
      instance: instances[i % 2]!,
    }));
    for (const { code } of attempts) leaks.secret('login code', code);
    const started = Date.now();
    const answers = await Promise.all(attempts.map((attempt) => login(attempt.instance, attempt.code)));
    const ms = Date.now() - started;

    const failures = answers.filter((answer) => answer.status !== 200);
    expect(failures.map((answer) => answer.text)).toEqual([]);
    // Each player has one account, whichever instance served which login, and exactly one login made it.
    const byPlayer = new Map<string, Array<{ id: number; isNew: boolean }>>();
    answers.forEach((answer, i) => {
      const list = byPlayer.get(attempts[i]!.player) ?? [];
      list.push(answer.body.result.data.account);
      byPlayer.set(attempts[i]!.player, list);
    });
    const accountOf = new Map<string, number>();
    for (const [player, accounts] of byPlayer) {
      expect(new Set(accounts.map((account) => account.id)).size, player).toBe(1);
      expect(accounts.filter((account) => account.isNew).length, player).toBe(1);
      accountOf.set(player, accounts[0]!.id);
    }
    expect(new Set(accountOf.values()).size).toBe(PLAYERS);

    // In the database: exactly those accounts, each with one profile and one openid identity, and no stray rows.
    const db = shared.database.db;
    const accounts = await db.selectFrom('account').select(['accountId']).execute();
    expect(accounts.map((row) => row.accountId).sort((a, b) => a - b)).toEqual([...accountOf.values()].sort((a, b) => a - b));
    const profiles = await db.selectFrom('accountProfile').select(['accountId']).execute();
    expect(profiles.map((row) => row.accountId).sort((a, b) => a - b)).toEqual([...accountOf.values()].sort((a, b) => a - b));
    const identities = await db.selectFrom('accountAuth').select(['accountId', 'authType', 'identifier']).execute();
    expect(identities).toHaveLength(PLAYERS);
    for (const [player, accountId] of accountOf) {
      expect(identities.filter((row) => row.accountId === accountId)).toEqual([
        { accountId, authType: `wechat_openid:${TEST_APPID}`, identifier: shared.simulator.openidFor(TEST_APPID, player) },
      ]);
    }
    // Every login opened its own session.
    const sessions = await db.selectFrom('accountSession').select(['accountId', 'revokedAt']).execute();
    expect(sessions).toHaveLength(attempts.length);
    expect(sessions.every((row) => row.revokedAt === null && [...accountOf.values()].includes(row.accountId))).toBe(true);
    // WeChat saw each code once.
    expect(tap.codes.size).toBe(attempts.length);

    console.log(
      `races: ${attempts.length} logins of ${PLAYERS} players on 2 instances → ${accounts.length} accounts (${profiles.length} profiles, ${identities.length} identities), ${failures.length} errors, ${ms} ms`,
    );
  });

  it(`${REFRESHES} parallel refreshes of one token on two instances → all get the same child, one live refresh token (or the session revoked), never two`, async () => {
    const result = await refreshStorm(instances, { database: shared.database, simulator: shared.simulator, http }, 'storm', REFRESHES);
    console.log(`races: ${REFRESHES} refreshes of one token on 2 instances (reuse grace 10 s): ${describeStorm(result)}; never two live`);
  });

  it('leak scan: no secret, session key or token in any answer or log line of these races', () => {
    for (const key of tap.sessionKeys) leaks.secret('session key', key);
    for (let i = 0; i < PLAYERS; i++) expect(tap.sessionKeys).toContain(shared.simulator.sessionKeyFor(TEST_APPID, `race-${i}`));
    leaks.secret('WeChat access token', shared.simulator.currentAccessToken(TEST_APPID));
    for (const token of tap.accessTokens) leaks.secret('WeChat access token', token);
    const report = leaks.scan();
    expect(report.secrets['session key']).toBeGreaterThanOrEqual(PLAYERS * LOGINS_PER_PLAYER);
    expect(report.logLines).toBeGreaterThan(PLAYERS * LOGINS_PER_PLAYER);
    expect(report.hits).toEqual([]);
    expect(report.stackTraces).toEqual([]);
    console.log(leakSummary('races', report));
  });
});
