import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_SERVER, freePort, run, waitFor, type Run } from './support/processes.js';
import { useDatabaseAndSimulator } from './support/database-and-simulator.js';
import { TEST_APPID, testEnvironment } from './support/stack.js';

// Two production server processes (the built bundle) sharing WeChat's
// access token and the remembered login codes: in MySQL (the default) and
// in Redis (REDIS_URL, the real one at 127.0.0.1:6379).
const shared = useDatabaseAndSimulator();

interface Instance {
  url: string;
  process: Run;
}

async function startInstances(env: Record<string, string>): Promise<Instance[]> {
  const instances: Instance[] = [];
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const process = run([BUILT_SERVER], {
      NODE_ENV: 'production',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...testEnvironment(shared.database.url, shared.simulator.url),
      ...env,
    });
    instances.push({ url: `http://127.0.0.1:${port}`, process });
  }
  await Promise.all(instances.map((instance) => waitFor(`${instance.url}/healthz`, instance.process)));
  return instances;
}

async function call(instance: Instance, path: string, input: unknown, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${instance.url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: await response.json() };
}

describe.each([
  ['MySQL (GET_LOCK)', () => ({})],
  ['Redis (REDIS_URL)', () => ({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `minigate-test-${randomBytes(4).toString('hex')}:` })],
])('two instances sharing the access token in %s', (_, env) => {
  let instances: Instance[] = [];
  beforeAll(async () => {
    instances = await startInstances(env());
  });
  afterAll(async () => {
    for (const instance of instances) instance.process.stop();
    await Promise.all(instances.map((instance) => instance.process.exited));
  });

  it('refreshing at once on both makes exactly one stable_token call', async () => {
    const players = await Promise.all(
      instances.map(async (instance, i) => {
        const answer = await call(instance, 'auth.wechatLogin', {
          code: shared.simulator.issueCode(TEST_APPID, `tok-${i}-${randomBytes(3).toString('hex')}`),
        });
        expect(answer.status).toBe(200);
        return { instance, token: answer.body.result.data.accessToken as string };
      }),
    );
    const before = shared.simulator.callCount('stable_token');
    const writes = await Promise.all(
      players.flatMap(({ instance, token }) =>
        Array.from({ length: 4 }, (_, n) => call(instance, 'ranking.submitScore', { key: `score${n}`, score: n }, token)),
      ),
    );
    expect(writes.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    // Each round starts with an empty store (MySQL first, then a fresh Redis prefix): one refresh, shared.
    expect(shared.simulator.callCount('stable_token') - before).toBe(1);
    const token = shared.simulator.currentAccessToken(TEST_APPID);
    expect(token).toBeTruthy();
    expect(
      shared.simulator.requestLog.filter((entry) => entry.endpoint === 'set_user_storage').every((entry) => entry.query.access_token === token),
    ).toBe(true);
  });

  it('a code submitted to one instance and again to the other reaches WeChat once and signs in the same account', async () => {
    const code = shared.simulator.issueCode(TEST_APPID, `twice-${randomBytes(3).toString('hex')}`);
    const before = shared.simulator.callCount('jscode2session');
    const first = await call(instances[0]!, 'auth.wechatLogin', { code });
    const second = await call(instances[1]!, 'auth.wechatLogin', { code });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body.result.data.account.id).toBe(first.body.result.data.account.id);
    expect(shared.simulator.callCount('jscode2session') - before).toBe(1);
  });
});
