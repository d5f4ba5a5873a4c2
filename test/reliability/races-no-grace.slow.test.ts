import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDatabaseAndSimulator } from '../support/database-and-simulator.js';
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, TEST_WECHAT_SECRET } from '../support/stack.js';
import { RecordingClient } from './support/http.js';
import { startInstances, stopInstances, type Instance } from '../support/instances.js';
import { LeakScan, leakSummary } from './support/leaks.js';
import { describeStorm, refreshStorm } from './support/refresh-storm.js';
import { startWeChatTap, type WeChatTap } from './support/wechat-tap.js';

// pnpm test:reliability only: the refresh storm of races.test.ts on two
// instances with REFRESH_REUSE_GRACE=0, where a spent token presented again
// is reuse at once: the storm ends the session, and every token it served
// must be dead on both instances (twice over).
const REFRESHES = 50;

const shared = useDatabaseAndSimulator();
let tap: WeChatTap;
let instances: Instance[];
const leaks = new LeakScan();
const http = new RecordingClient(leaks);

beforeAll(async () => {
  tap = await startWeChatTap(shared.simulator.url);
  instances = await startInstances(2, {
    databaseUrl: shared.database.url,
    wechatApiBase: tap.url,
    env: {
      REFRESH_REUSE_GRACE: '0',
      WECHAT_TIMEOUT_MS: '20000',
      RATE_LIMIT_LOGIN: '100000/60',
      RATE_LIMIT_REFRESH: '100000/60',
      RATE_LIMIT_CALLS: '100000/60',
    },
    names: ['A', 'B'],
  });
  for (const instance of instances) leaks.logSource(`instance ${instance.name}`, () => instance.process.output());
  leaks.secret('WeChat secret', TEST_WECHAT_SECRET);
  leaks.secret('JWT secret', TEST_JWT_SECRET);
  leaks.secret('encryption key', TEST_ENCRYPTION_KEY);
}, 120_000);

afterAll(async () => {
  await stopInstances(instances ?? []);
  await tap?.close();
});

describe('races without a reuse grace', () => {
  it(`${REFRESHES} parallel refreshes of one token on two instances, REFRESH_REUSE_GRACE=0 → never two live tokens`, async () => {
    const results = [];
    for (const player of ['storm-a', 'storm-b'])
      results.push(await refreshStorm(instances, { database: shared.database, simulator: shared.simulator, http }, player, REFRESHES));
    console.log(
      `races: ${REFRESHES} refreshes of one token on 2 instances (no reuse grace): ${results.map(describeStorm).join('; ')}; never two live`,
    );
  });

  it('leak scan: no secret, session key or token in any answer or log line', () => {
    for (const key of tap.sessionKeys) leaks.secret('session key', key);
    const report = leaks.scan();
    expect(report.hits).toEqual([]);
    expect(report.stackTraces).toEqual([]);
    console.log(leakSummary('races without a reuse grace', report));
  });
});
