import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, type TestStack } from './support/stack.js';

// The server reaches MariaDB through a TCP proxy the test cuts: the shared
// MariaDB itself is never stopped.
let stack: TestStack;
beforeAll(async () => {
  // Limits stay on (their MySQL store is cut too: the insurance takes over), sized for the load.
  stack = await startTestStack({ RATE_LIMIT_LOGIN: '100000/60', RATE_LIMIT_CALLS: '100000/60' }, { databaseProxy: true });
});
afterAll(() => stack.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('a database outage is an upstream fault', () => {
  it('under load: only typed 503s during the cut, recovery without a restart, no half-written account, one log line a second', async () => {
    const player = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor('outage-ann') });
    const token = player.body.result.data.accessToken as string;
    const answers: Array<{ status: number; reason?: string; retryAfter: string | null; during: boolean; text: string }> = [];
    let cut = false;
    let players = 0;
    let stop = false;
    // Four clients calling in a loop: logins of new players and protected calls.
    const load = Array.from({ length: 4 }, async (_, lane) => {
      while (!stop) {
        const during = cut;
        const answer =
          lane % 2 === 0
            ? await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor(`outage-${lane}-${players++}`) })
            : await callProcedure(stack, 'mutation', 'account.heartbeat', undefined, bearer(token));
        answers.push({
          status: answer.status,
          reason: answer.body.error?.data.reason,
          retryAfter: answer.headers.get('retry-after'),
          during,
          text: JSON.stringify(answer.body),
        });
      }
    });

    await sleep(500);
    const logLinesBefore = stack.logs.length;
    cut = true;
    await stack.databaseProxy!.cut();
    const cutAt = Date.now();
    await sleep(3_000);
    await stack.databaseProxy!.restore();
    const cutForMs = Date.now() - cutAt;
    cut = false;
    // Recovery: the pool reconnects by itself.
    const recovered = Date.now();
    await expect
      .poll(async () => (await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor('outage-after') })).status, {
        timeout: 10_000,
        interval: 100,
      })
      .toBe(200);
    const recoveryMs = Date.now() - recovered;
    await sleep(300);
    stop = true;
    await Promise.all(load);

    const failures = answers.filter((answer) => answer.status !== 200);
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure, failure.text).toMatchObject({ status: 503, reason: 'DATABASE_UNAVAILABLE', retryAfter: '2' });
      expect(failure.text).not.toMatch(/stack|at .*\.js/);
    }
    expect(answers.filter((answer) => answer.status === 500)).toEqual([]);
    // Failures only while cut (or in flight when it was restored).
    expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThan(0);

    const outageLines = stack.logs.slice(logLinesBefore).filter((line) => line.includes('database unavailable'));
    expect(outageLines.length).toBeGreaterThan(0);
    expect(outageLines.length).toBeLessThanOrEqual(Math.ceil(cutForMs / 1000) + 2);
    expect(stack.logs.slice(logLinesBefore).join('\n')).not.toMatch(/"stack"/);

    // No half-written account: every account has its profile and its identity.
    const orphans = await stack.database.db
      .selectFrom('account')
      .leftJoin('accountProfile', 'accountProfile.accountId', 'account.accountId')
      .leftJoin('accountAuth', 'accountAuth.accountId', 'account.accountId')
      .select(['account.accountId'])
      .where((eb) => eb.or([eb('accountProfile.accountProfileId', 'is', null), eb('accountAuth.accountAuthId', 'is', null)]))
      .execute();
    expect(orphans).toEqual([]);
    console.log(
      `database cut ${cutForMs} ms under load: ${answers.length} answers, ${failures.length} typed 503s, 0 bare 500s, ${outageLines.length} log lines, recovered in ${recoveryMs} ms`,
    );
  });
});
