import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstances, stopInstances, type Instance } from './support/instances.js';
import { ADMIN_ENTRY, run, TSX } from './support/processes.js';
import { useDatabaseAndSimulator } from './support/database-and-simulator.js';
import { TEST_APPID } from './support/stack.js';

// Two production server processes (the built bundle) on one database: what
// one instance, the admin CLI or an operator's SQL revokes must stop on the
// other within 5 seconds.
const BOUND_MS = 5_000;

const shared = useDatabaseAndSimulator();
let instances: Instance[] = [];

beforeAll(async () => {
  instances = await startInstances(2, { databaseUrl: shared.database.url, wechatApiBase: shared.simulator.url, logLevel: 'warn', names: ['A', 'B'] });
});

afterAll(async () => {
  await stopInstances(instances);
});

const [A, B] = [0, 1] as const;

async function call(instance: 0 | 1, path: string, token?: string, input?: unknown): Promise<{ status: number; reason?: string; data?: any }> {
  const response = await fetch(`${instances[instance]!.url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(input ?? {}),
  });
  const body = (await response.json()) as any;
  return { status: response.status, reason: body.error?.data.reason, data: body.result?.data };
}

async function login(instance: 0 | 1, player: string) {
  const answer = await call(instance, 'auth.wechatLogin', undefined, { code: shared.simulator.issueCode(TEST_APPID, player) });
  expect(answer.status).toBe(200);
  return answer.data as { accessToken: string; account: { id: number } };
}

/** How long until a heartbeat (which reads no account row) with this token is refused on the instance, with the reason. */
async function refusedWithin(instance: 0 | 1, token: string): Promise<{ ms: number; reason: string | undefined }> {
  const started = Date.now();
  for (;;) {
    const answer = await call(instance, 'account.heartbeat', token);
    if (answer.status !== 200) return { ms: Date.now() - started, reason: answer.reason };
    if (Date.now() - started > BOUND_MS * 2) return { ms: Date.now() - started, reason: undefined };
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function admin(...args: string[]): Promise<string> {
  const cli = run([TSX, ADMIN_ENTRY, ...args], { DATABASE_URL: shared.database.url, USER: 'ops-test' });
  const code = await cli.exited;
  expect(code, cli.output()).toBe(0);
  return cli.output();
}

describe('revocation across two server processes on one database', () => {
  it('a logout on one instance stops the token on the other within 5 s', async () => {
    const player = await login(A, 'multi-ann');
    expect((await call(B, 'account.heartbeat', player.accessToken)).status).toBe(200);
    expect((await call(A, 'auth.logout', player.accessToken)).data).toEqual({ loggedOut: true });
    expect((await call(A, 'account.heartbeat', player.accessToken)).reason).toBe('SESSION_REVOKED');
    const onB = await refusedWithin(B, player.accessToken);
    expect(onB.reason).toBe('SESSION_REVOKED');
    expect(onB.ms).toBeLessThan(BOUND_MS);
  });

  it('pnpm admin ban stops the player on both instances within 5 s, keeps who and why, and unban lets them in again', async () => {
    const player = await login(B, 'multi-ben');
    const other = await login(A, 'multi-ben');
    expect(await admin('ban', String(player.account.id), '--reason', 'cheating in ranked')).toContain(
      `banned account ${player.account.id}; ended 2 session(s)`,
    );
    const [onA, onB] = await Promise.all([refusedWithin(A, other.accessToken), refusedWithin(B, player.accessToken)]);
    for (const seen of [onA, onB]) {
      expect(seen.reason).toBe('ACCOUNT_DISABLED');
      expect(seen.ms).toBeLessThan(BOUND_MS);
    }
    const relogin = await call(A, 'auth.wechatLogin', undefined, { code: shared.simulator.issueCode(TEST_APPID, 'multi-ben') });
    expect(relogin).toMatchObject({ status: 403, reason: 'ACCOUNT_DISABLED' });

    const audit = await shared.database.db
      .selectFrom('accountAudit')
      .select(['action', 'reason', 'actor'])
      .where('accountId', '=', player.account.id)
      .execute();
    expect(audit).toEqual([{ action: 'ban', reason: 'cheating in ranked', actor: 'ops-test' }]);
    expect(await admin('find', shared.simulator.openidFor(TEST_APPID, 'multi-ben'))).toMatch(new RegExp(`account ${player.account.id}: banned`));
    const sessions = await admin('sessions', String(player.account.id));
    expect(sessions.match(/revoked .* \(banned\)/g)).toHaveLength(2);

    expect(await admin('unban', String(player.account.id), '--reason', 'appeal accepted', '--by', 'lead')).toContain(
      `unbanned account ${player.account.id}`,
    );
    expect((await call(B, 'auth.wechatLogin', undefined, { code: shared.simulator.issueCode(TEST_APPID, 'multi-ben') })).status).toBe(200);
  });

  it('a ban written by hand in SQL stops existing sessions on both instances within 5 s', async () => {
    const player = await login(A, 'multi-cat');
    await sql`UPDATE account SET data_flag = 0 WHERE account_id = ${player.account.id}`.execute(shared.database.db);
    const [onA, onB] = await Promise.all([refusedWithin(A, player.accessToken), refusedWithin(B, player.accessToken)]);
    for (const seen of [onA, onB]) {
      expect(seen.reason).toBe('ACCOUNT_DISABLED');
      expect(seen.ms).toBeLessThan(BOUND_MS);
    }
  });

  it('pnpm admin revoke ends the sessions, online counts heartbeats, and bad arguments get one clear line', async () => {
    const player = await login(B, 'multi-dan');
    expect((await call(A, 'account.heartbeat', player.accessToken)).status).toBe(200);
    expect(await admin('online')).toMatch(/^[1-9]\d* player\(s\) online/);
    expect(await admin('revoke', String(player.account.id), '--reason', 'lost phone')).toContain('ended 1 session(s)');
    expect((await refusedWithin(A, player.accessToken)).reason).toBe('SESSION_REVOKED');

    const bad = run([TSX, ADMIN_ENTRY, 'ban', 'not-a-number', '--reason', 'x'], { DATABASE_URL: shared.database.url, USER: 'ops-test' });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/^an account id is a positive number, not "not-a-number"\nusage: pnpm admin/);
    const noReason = run([TSX, ADMIN_ENTRY, 'ban', '1'], { DATABASE_URL: shared.database.url, USER: 'ops-test' });
    expect(await noReason.exited).toBe(1);
    expect(noReason.output()).toMatch(/ban needs --reason/);
  });
});

/** account.me (a query: GET) on the instance. */
async function me(instance: 0 | 1, token: string): Promise<any> {
  const response = await fetch(`${instances[instance]!.url}/trpc/account.me`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as any).result.data;
}

/** How long until account.me on the instance answers what `expected` accepts. */
async function meWithin(instance: 0 | 1, token: string, expected: (view: any) => boolean): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (expected(await me(instance, token))) return Date.now() - started;
    if (Date.now() - started > BOUND_MS * 2) return Number.POSITIVE_INFINITY;
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe('account.me held in memory, across two server processes', () => {
  const figures: string[] = [];
  afterAll(() => console.log(`account views across instances: ${figures.join('; ')}`));

  it('answers a change made through this instance at once, and one made through the other instance within 5 s', async () => {
    const player = await login(A, 'views-eve');
    // Held on both instances before the change.
    for (const instance of [A, B, A, B]) expect((await me(instance, player.accessToken)).nickName).toBe('');
    const updated = await call(A, 'account.updateProfile', player.accessToken, { nickName: 'Eve 🎮' });
    expect(updated.data.nickName).toBe('Eve 🎮');
    expect(await meWithin(A, player.accessToken, (view) => view.nickName === 'Eve 🎮')).toBeLessThan(50);
    const onB = await meWithin(B, player.accessToken, (view) => view.nickName === 'Eve 🎮');
    expect(onB).toBeLessThan(BOUND_MS);
    figures.push(`a profile update on A seen by account.me on B after ${onB} ms`);
  });

  it('answers a change a game wrote in SQL on both instances within 5 s, and a new login at once', async () => {
    const player = await login(B, 'views-fay');
    const before = await me(A, player.accessToken);
    for (const instance of [A, B]) expect((await me(instance, player.accessToken)).profile.level).toBe(1);
    await sql`UPDATE account_profile SET level = 7, experience = 1200 WHERE account_id = ${player.account.id}`.execute(shared.database.db);
    const [onA, onB] = await Promise.all(
      [A, B].map((instance) => meWithin(instance as 0 | 1, player.accessToken, (view) => view.profile.level === 7)),
    );
    for (const ms of [onA, onB]) expect(ms).toBeLessThan(BOUND_MS);
    figures.push(`a level written in SQL seen on A after ${onA} ms, on B after ${onB} ms`);

    await new Promise((done) => setTimeout(done, 20));
    const again = await login(A, 'views-fay');
    const after = await me(A, again.accessToken);
    expect(after.profile.lastLoginAt).toBeGreaterThan(before.profile.lastLoginAt);
  });
});
