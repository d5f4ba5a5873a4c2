import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstances, stopInstances, type Instance } from './support/instances.js';
import { useDatabaseAndSimulator } from './support/database-and-simulator.js';
import { callProcedure, startTestStack, TEST_APPID, type TestStack } from './support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

const sessionIdOf = (refreshToken: string): number => Number(refreshToken.split('.')[0]);

describe('concurrent first logins', () => {
  it('50 parallel first logins of one player make exactly one account', async () => {
    const codes = Array.from({ length: 50 }, () => stack.codeFor('rush'));
    const responses = await Promise.all(codes.map((code) => callProcedure(stack, 'mutation', 'auth.wechatLogin', { code })));
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
    const accounts = responses.map((response) => response.body.result.data.account);
    expect(new Set(accounts.map((account) => account.id)).size).toBe(1);
    expect(accounts.filter((account) => account.isNew)).toHaveLength(1);

    const db = stack.database.db;
    expect(await db.selectFrom('account').select('accountId').execute()).toHaveLength(1);
    expect(await db.selectFrom('accountAuth').select('accountAuthId').execute()).toHaveLength(1);
    expect(await db.selectFrom('accountProfile').select('accountProfileId').execute()).toHaveLength(1);
  });

  it('5 parallel submissions of one code to one process: WeChat asked once, one session, each answer a retry of it', async () => {
    const code = stack.codeFor('one-code-one-process');
    const calls = stack.simulator.callCount('jscode2session');
    const responses = await Promise.all([1, 2, 3, 4, 5].map(() => callProcedure(stack, 'mutation', 'auth.wechatLogin', { code })));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(stack.simulator.callCount('jscode2session')).toBe(calls + 1);
    const answers = responses.map((response) => response.body.result.data);
    expect(new Set(answers.map((answer) => sessionIdOf(answer.refreshToken))).size).toBe(1);
    expect(new Set(answers.map((answer) => answer.refreshToken)).size).toBe(5);
    const sessions = await stack.database.db
      .selectFrom('accountSession')
      .select('sessionId')
      .where('accountId', '=', answers[0].account.id)
      .execute();
    expect(sessions).toHaveLength(1);
  });
});

describe('one code submitted to two instances at once (built servers on one MariaDB)', () => {
  const shared = useDatabaseAndSimulator();
  let instances: Instance[];
  beforeAll(async () => {
    // TRUST_PROXY: each call says which IP it comes from.
    instances = await startInstances(2, {
      databaseUrl: shared.database.url,
      wechatApiBase: shared.simulator.url,
      logLevel: 'warn',
      env: { TRUST_PROXY: 'true' },
    });
  });
  afterAll(async () => {
    if (instances) await stopInstances(instances);
  });

  const login = async (instance: Instance, code: string, ip: string) => {
    const response = await fetch(`${instance.url}/trpc/auth.wechatLogin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ code }),
    });
    const body = (await response.json()) as any;
    return { status: response.status, reason: body.error?.data.reason as string | undefined, data: body.result?.data };
  };
  const sessionsWith = async (player: string) => {
    const identity = await shared.database.db
      .selectFrom('accountAuth')
      .select('accountId')
      .where('identifier', '=', shared.simulator.openidFor(TEST_APPID, player))
      .executeTakeFirstOrThrow();
    return shared.database.db.selectFrom('accountSession').select('sessionId').where('accountId', '=', identity.accountId).execute();
  };

  it.each([
    ['a player and its retry (one IP)', '198.51.100.30', '198.51.100.30'],
    ['a player and a thief (two IPs)', '198.51.100.31', '203.0.113.31'],
  ])('%s: one session, whichever instance wins', async (name, ipA, ipB) => {
    for (let round = 0; round < 5; round++) {
      const player = `two-instances-${ipB}-${round}`;
      const code = shared.simulator.issueCode(TEST_APPID, player);
      const answers = await Promise.all([login(instances[0]!, code, ipA), login(instances[1]!, code, ipB)]);
      const opened = answers.filter((answer) => answer.status === 200);
      expect(opened.length, JSON.stringify(answers)).toBeGreaterThanOrEqual(1);
      for (const answer of answers.filter((answer) => answer.status !== 200)) expect(answer).toMatchObject({ status: 400, reason: 'CODE_USED' });
      if (ipA !== ipB) expect(opened, `${name}: ${JSON.stringify(answers)}`).toHaveLength(1);
      const sessions = await sessionsWith(player);
      expect(sessions, JSON.stringify(answers)).toHaveLength(1);
      for (const answer of opened) expect(sessionIdOf(answer.data.refreshToken)).toBe(sessions[0]!.sessionId);
    }
  });
});
