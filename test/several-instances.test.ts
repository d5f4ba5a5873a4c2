import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstances, stopInstances, type Instance } from './support/instances.js';
import { useDatabaseAndSimulator } from './support/database-and-simulator.js';
import { TEST_APPID } from './support/stack.js';

// Three production server processes (the built bundle) on one MariaDB, with
// and without Redis: limits and revocation hold across them, and one killed
// with SIGKILL loses nothing committed.
const shared = useDatabaseAndSimulator();

/** Three built servers on the test database, proxied (TRUST_PROXY) so that each call can come from an IP of its own. */
const startThree = (env: Record<string, string>) =>
  startInstances(3, {
    databaseUrl: shared.database.url,
    wechatApiBase: shared.simulator.url,
    logLevel: 'warn',
    env: { TRUST_PROXY: 'true', ...env },
  });

async function call(instance: Instance, path: string, options: { token?: string; input?: unknown; ip?: string } = {}) {
  const response = await fetch(`${instance.url}/trpc/${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.ip ? { 'x-forwarded-for': options.ip } : {}),
    },
    body: JSON.stringify(options.input ?? {}),
  });
  const body = (await response.json()) as any;
  return { status: response.status, reason: body.error?.data.reason as string | undefined, limit: body.error?.data.limit, data: body.result?.data };
}

const login = (instance: Instance, player: string, ip?: string) =>
  call(instance, 'auth.wechatLogin', { input: { code: shared.simulator.issueCode(TEST_APPID, player) }, ...(ip ? { ip } : {}) });
const randomIp = () => `10.${[0, 0, 0].map(() => randomBytes(1)[0]! % 250).join('.')}`;

describe('three instances on one MariaDB (rate limits in MySQL)', () => {
  let instances: Instance[];
  beforeAll(async () => {
    instances = await startThree({ RATE_LIMIT_LOGIN: '6/60' });
  });
  afterAll(() => stopInstances(instances));

  it('share the per-IP login limit: 6 logins spread over three instances, the 7th refused on any', async () => {
    const ip = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(instances[i % 3]!, `spread-${i}`, ip)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    for (const instance of instances)
      expect(await login(instance, `spread-over-${instance.url}`, ip)).toMatchObject({ status: 429, reason: 'RATE_LIMITED', limit: 'login' });
  });

  it('a logoutAll on one stops the sessions on the other two within 5 s', async () => {
    const devices = [
      await login(instances[0]!, 'three-ann', randomIp()),
      await login(instances[1]!, 'three-ann', randomIp()),
      await login(instances[2]!, 'three-ann', randomIp()),
    ];
    const tokens = devices.map((device) => device.data.accessToken as string);
    expect((await call(instances[0]!, 'auth.logoutAll', { token: tokens[0]! })).data).toEqual({ sessionsEnded: 3 });
    const started = Date.now();
    for (const [i, instance] of instances.entries()) {
      await expect
        .poll(async () => (await call(instance, 'account.heartbeat', { token: tokens[(i + 1) % 3]! })).reason, { timeout: 5_000, interval: 100 })
        .toBe('SESSION_REVOKED');
    }
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('one killed with SIGKILL loses no committed data, and the other two keep serving', async () => {
    const victim = instances[2]!;
    const committed = await Promise.all(Array.from({ length: 10 }, (_, i) => login(victim, `before-kill-${i}`, randomIp())));
    expect(committed.every((answer) => answer.status === 200)).toBe(true);
    const accountIds = committed.map((answer) => answer.data.account.id as number);
    victim.process.kill('SIGKILL');
    expect(await victim.process.exited).toBe(null);

    const rows = await shared.database.db
      .selectFrom('account')
      .innerJoin('accountProfile', 'accountProfile.accountId', 'account.accountId')
      .select('account.accountId')
      .where('account.accountId', 'in', accountIds)
      .execute();
    expect(rows).toHaveLength(10);
    for (const [i, survivor] of instances.slice(0, 2).entries()) {
      // A session opened on the killed instance goes on elsewhere.
      expect((await call(survivor, 'account.heartbeat', { token: committed[i]!.data.accessToken })).status).toBe(200);
      expect((await login(survivor, `after-kill-${i}`, randomIp())).status).toBe(200);
    }
    instances = instances.slice(0, 2);
  });
});

describe('three instances with Redis (REDIS_URL)', () => {
  let instances: Instance[];
  beforeAll(async () => {
    instances = await startThree({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `minigate-test-${randomBytes(4).toString('hex')}:`,
      RATE_LIMIT_CALLS: '9/60',
    });
  });
  afterAll(() => stopInstances(instances));

  it('share the per-account call limit: 9 calls spread over three instances, the 10th refused on any', async () => {
    const { data } = await login(instances[0]!, 'redis-three');
    const token = data.accessToken as string;
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await call(instances[i % 3]!, 'account.heartbeat', { token })).status);
    expect(statuses).toEqual(Array(9).fill(200));
    for (const instance of instances)
      expect(await call(instance, 'account.heartbeat', { token })).toMatchObject({ status: 429, reason: 'RATE_LIMITED', limit: 'calls' });
  });
});
