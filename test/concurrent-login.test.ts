import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, type TestStack } from './support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

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
});
