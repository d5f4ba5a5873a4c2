import { createMysqlPool } from '@minigate/db/mysql-pool';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstances, stopInstances, type Instance } from './support/instances.js';
import { ADMIN_ENTRY, run, TSX } from './support/processes.js';
import { useDatabaseAndSimulator } from './support/database-and-simulator.js';
import { TEST_APPID } from './support/stack.js';

// A ban or a deletion that waits on a row lock commits seconds after it
// started. The revocation feed reads rows by the time they were stamped: a
// stamp taken before the wait would be older than the feed's overlap (5 s)
// when the commit makes it visible, and no instance would ever read it.
// Here another connection holds the account's sessions FOR UPDATE for 8 s
// while `pnpm admin ban` (or the player's account.delete) runs, and the
// player keeps calling account.me on two server processes: once the lock is
// released and the ban commits, both instances must refuse the token within
// 5 s.
const BOUND_MS = 5_000;
const HOLD_MS = 8_000;

const shared = useDatabaseAndSimulator();
let instances: Instance[] = [];
let raw: ReturnType<ReturnType<typeof createMysqlPool>['promise']>;

beforeAll(async () => {
  raw = createMysqlPool(shared.database.url, { connectionLimit: 3 }).promise();
  instances = await startInstances(2, { databaseUrl: shared.database.url, wechatApiBase: shared.simulator.url, logLevel: 'warn', names: ['A', 'B'] });
});

afterAll(async () => {
  await stopInstances(instances);
  await raw.end();
});

const [A, B] = [0, 1] as const;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function call(instance: 0 | 1, path: string, token?: string, input?: unknown): Promise<{ status: number; reason?: string; data?: any }> {
  const response = await fetch(`${instances[instance]!.url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(input ?? {}),
  });
  const body = (await response.json()) as any;
  return { status: response.status, reason: body.error?.data.reason, data: body.result?.data };
}

/** account.me (a query: GET) on the instance: the view it holds in memory, or its refusal. */
async function me(instance: 0 | 1, token: string): Promise<{ status: number; reason?: string; data?: any }> {
  const response = await fetch(`${instances[instance]!.url}/trpc/account.me`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as any;
  return { status: response.status, reason: body.error?.data.reason, data: body.result?.data };
}

async function login(instance: 0 | 1, player: string) {
  const answer = await call(instance, 'auth.wechatLogin', undefined, { code: shared.simulator.issueCode(TEST_APPID, player) });
  expect(answer.status).toBe(200);
  return answer.data as { accessToken: string; account: { id: number } };
}

/** The player calling account.me on both instances, every 100 ms, until stopped: every answer is kept with its time. */
function keepCalling(token: string) {
  const answers: Array<{ instance: 0 | 1; at: number; status: number; reason?: string; nickName?: string }> = [];
  let calling = true;
  const loops = [A, B].map(async (instance) => {
    while (calling) {
      const answer = await me(instance, token);
      answers.push({ instance, at: Date.now(), status: answer.status, reason: answer.reason, nickName: answer.data?.nickName });
      await sleep(100);
    }
  });
  return {
    answers,
    /** Per instance, how long after `from` account.me was first refused (for good), or Infinity. */
    refusedAfter(from: number): Record<'A' | 'B', number> {
      const after = (instance: 0 | 1) => {
        const mine = answers.filter((answer) => answer.instance === instance);
        let lastServed = -1;
        mine.forEach((answer, index) => {
          if (answer.status === 200) lastServed = index;
        });
        const firstRefused = mine[lastServed + 1];
        return firstRefused ? firstRefused.at - from : Number.POSITIVE_INFINITY;
      };
      return { A: after(A), B: after(B) };
    },
    async stop() {
      calling = false;
      await Promise.all(loops);
    },
  };
}

/** Another connection holds every session row of the account FOR UPDATE until the returned function is called (it returns when the lock was taken). */
async function holdSessions(accountId: number): Promise<{ release: () => Promise<number> }> {
  const connection = await raw.getConnection();
  await connection.query('START TRANSACTION');
  await connection.query('SELECT session_id FROM account_session WHERE account_id = ? FOR UPDATE', [accountId]);
  return {
    async release() {
      await connection.query('ROLLBACK');
      const releasedAt = Date.now();
      connection.release();
      return releasedAt;
    },
  };
}

/**
 * Resolves once a statement on the test's database has waited a second for
 * the held rows (a locking read or an update of account_session still
 * running; the holder's own read has ended); throws if `work` ends first or nothing waits within 60 s (a
 * tsx process can take seconds to start on a loaded machine).
 */
async function waitsForTheLock(work: Promise<unknown>, describe: () => string): Promise<void> {
  let ended = false;
  void work.finally(() => (ended = true)).catch(() => undefined);
  for (let attempt = 0; attempt < 1_200 && !ended; attempt++) {
    const [rows] = await raw.query(
      `SELECT COUNT(*) AS waiting FROM information_schema.PROCESSLIST
       WHERE DB = DATABASE() AND COMMAND = 'Query' AND TIME >= 1 AND ID <> CONNECTION_ID()
         AND INFO LIKE '%account_session%' AND (INFO LIKE '%for update%' OR INFO LIKE 'update%')`,
    );
    if (Number((rows as Array<{ waiting: number }>)[0]!.waiting) > 0) return;
    await sleep(50);
  }
  throw new Error(`nothing waited for the held lock: ${describe()}`);
}

/**
 * Holds the account's sessions FOR UPDATE, starts `work` (a ban or a
 * deletion) while the player keeps calling account.me on both instances,
 * releases the lock once `work` has waited 8 s for it, and keeps calling
 * for twice the bound after the release.
 */
async function lateCommit<T>(
  accountId: number,
  token: string,
  start: () => { done: Promise<T>; describe: () => string },
): Promise<{ result: T; releasedAt: number; committedAt: number; calls: ReturnType<typeof keepCalling> }> {
  const held = await holdSessions(accountId);
  const calls = keepCalling(token);
  try {
    let releasedAt: number;
    const work = start();
    try {
      await waitsForTheLock(work.done, work.describe);
      await sleep(HOLD_MS);
    } finally {
      releasedAt = await held.release();
    }
    const result = await work.done;
    const committedAt = Date.now();
    await sleep(Math.max(0, releasedAt + 2 * BOUND_MS - Date.now()));
    return { result, releasedAt, committedAt, calls };
  } finally {
    await calls.stop();
  }
}

describe('a revocation that commits late (it waited 8 s on a row lock)', () => {
  const figures: string[] = [];
  afterAll(() => console.log(`late commits: ${figures.join('; ')}`));

  it('pnpm admin ban: within 5 s of its commit both instances refuse the token', async () => {
    const player = await login(A, 'late-ann');
    await login(B, 'late-ann');
    for (const instance of [A, B]) expect((await me(instance, player.accessToken)).status).toBe(200);

    const ban = run([TSX, ADMIN_ENTRY, 'ban', String(player.account.id), '--reason', 'late commit'], {
      DATABASE_URL: shared.database.url,
      USER: 'ops-test',
    });
    const { result, releasedAt, committedAt, calls } = await lateCommit(player.account.id, player.accessToken, () => ({
      done: ban.exited,
      describe: ban.output,
    }));
    expect(result, ban.output()).toBe(0);
    expect(ban.output()).toContain(`banned account ${player.account.id}; ended 2 session(s)`);
    // Not committed before the lock was released: every call until then was served.
    expect(calls.answers.filter((answer) => answer.at < releasedAt).every((answer) => answer.status === 200)).toBe(true);

    const refused = calls.refusedAfter(releasedAt);
    figures.push(
      `ban done ${committedAt - releasedAt} ms after the lock was released; refused on A after ${refused.A} ms, on B after ${refused.B} ms`,
    );
    expect(refused.A).toBeLessThan(BOUND_MS);
    expect(refused.B).toBeLessThan(BOUND_MS);
    const refusals = calls.answers.filter((answer) => answer.status !== 200);
    expect(refusals.map((answer) => answer.reason)).toContain('ACCOUNT_DISABLED');
    for (const refusal of refusals) expect(['ACCOUNT_DISABLED', 'SESSION_REVOKED']).toContain(refusal.reason);
  }, 60_000);

  it('account.delete: within 5 s of its commit the other instance refuses the token and serves the old profile no more', async () => {
    const player = await login(A, 'late-ben');
    expect((await call(A, 'account.updateProfile', player.accessToken, { nickName: 'Ben' })).status).toBe(200);
    // The other instance holds the view in memory.
    for (let i = 0; i < 2; i++) expect((await me(B, player.accessToken)).data.nickName).toBe('Ben');

    const { result, releasedAt, committedAt, calls } = await lateCommit(player.account.id, player.accessToken, () => {
      const deletion = call(A, 'account.delete', player.accessToken);
      let answered = 'no answer yet';
      void deletion.then((answer) => (answered = JSON.stringify(answer)));
      return { done: deletion, describe: () => answered };
    });
    expect(result).toMatchObject({ status: 200, data: { deleted: true } });
    expect(calls.answers.filter((answer) => answer.at < releasedAt).every((answer) => answer.status === 200)).toBe(true);

    const refused = calls.refusedAfter(releasedAt);
    figures.push(
      `deletion answered ${committedAt - releasedAt} ms after the lock was released; refused on A after ${refused.A} ms, on B after ${refused.B} ms`,
    );
    expect(refused.A).toBeLessThan(BOUND_MS);
    expect(refused.B).toBeLessThan(BOUND_MS);
    const after = calls.answers.filter((answer) => answer.at >= releasedAt + BOUND_MS);
    expect(after.length).toBeGreaterThan(0);
    for (const answer of after) expect(answer).toMatchObject({ status: 401, reason: 'ACCOUNT_DELETED', nickName: undefined });
  }, 60_000);
});
