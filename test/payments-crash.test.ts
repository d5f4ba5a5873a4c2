import { createMysqlPool } from '@minigate/db/mysql-pool';
import { createTestDatabase, type TestDatabase } from '@minigate/db/testing';
import { startWeChatSimulator, type SimulatedApp, type WeChatSimulator } from '@minigate/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAY, PRODUCTS } from './support/payments-stack.js';
import { BUILT_SERVER, freePort, run, waitFor, type Run } from './support/processes.js';
import { TEST_APPID, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, TEST_WECHAT_SECRET, writeAppsFile } from './support/stack.js';

// A delivery that crashes half way: the built server is killed (SIGKILL) after its transaction wrote the grant
// (the wallet change and balances) and before it marked the order delivered, held there by a lock this test
// keeps on the order's row. The next push, to a server started again, delivers whole, and nothing twice.
let database: TestDatabase;
let simulator: WeChatSimulator;
let raw: ReturnType<ReturnType<typeof createMysqlPool>['promise']>;
let port: number;
let env: Record<string, string>;
const game: SimulatedApp & { pay: NonNullable<SimulatedApp['pay']> } = { appid: TEST_APPID, secret: TEST_WECHAT_SECRET, pay: { ...PAY } };

beforeAll(async () => {
  database = await createTestDatabase();
  raw = createMysqlPool(database.url, { connectionLimit: 2 }).promise();
  simulator = await startWeChatSimulator({ apps: [game] });
  port = await freePort();
  game.pay.pushUrl = `http://127.0.0.1:${port}/push/${TEST_APPID}`;
  env = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    JWT_SECRET: TEST_JWT_SECRET,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    APPS_FILE: writeAppsFile([game], simulator.url, { [TEST_APPID]: { ...PAY, env: 0, products: PRODUCTS } }),
  };
});
afterAll(async () => {
  await raw?.end();
  await simulator?.close();
  await database?.drop();
});

async function startServer(): Promise<Run> {
  const server = run([BUILT_SERVER], env);
  await waitFor(`http://127.0.0.1:${port}/readyz`, server);
  return server;
}

async function trpc(path: string, input: unknown, token?: string) {
  const response = await fetch(`http://127.0.0.1:${port}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(input),
  });
  return (await response.json()) as any;
}

const holdings = async (accountId: number) =>
  (await raw.query('SELECT asset, amount FROM wallet_balance WHERE account_id = ? ORDER BY asset', [accountId]))[0] as Array<{
    asset: string;
    amount: number;
  }>;

describe('a delivery killed half way', () => {
  it('is rolled back whole, and finished by the next push: granted once', async () => {
    let server = await startServer();
    const login = await trpc('auth.wechatLogin', { code: simulator.issueCode(TEST_APPID, 'crash') });
    const token = login.result.data.accessToken as string;
    const accountId = login.result.data.account.id as number;
    const order = (await trpc('payments.createItemOrder', { productId: 'bundle', quantity: 1 }, token)).result.data;

    // This test holds the order's row: the server's delivery writes the grant, then waits at the order's UPDATE.
    const holder = await raw.getConnection();
    await holder.beginTransaction();
    await holder.query('SELECT status FROM pay_order WHERE out_trade_no = ? FOR UPDATE', [order.outTradeNo]);
    const paying = simulator.payItemOrder(TEST_APPID, 'crash', order);
    let waiting: Array<{ modified: number }> = [];
    for (let i = 0; i < 100 && waiting.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      [waiting] = (await raw.query(
        "SELECT trx_rows_modified AS modified FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT' AND trx_query LIKE 'update `pay_order`%'",
      )) as unknown as [Array<{ modified: number }>];
    }
    expect(waiting, server.output()).toHaveLength(1);
    // The grant is written (the change, its lines, the balances), not yet committed.
    expect(waiting[0]!.modified).toBeGreaterThanOrEqual(3);
    server.kill('SIGKILL');
    await server.exited;
    await holder.rollback();
    holder.release();
    expect((await paying).ok).toBe(true);

    // Nothing half done: no grant, the order still created, the push kept and unfinished.
    expect(await holdings(accountId)).toEqual([]);
    const [[orderRow]] = (await raw.query('SELECT status FROM pay_order WHERE out_trade_no = ?', [order.outTradeNo])) as unknown as [
      [{ status: string }],
    ];
    expect(orderRow.status).toBe('created');
    const [pushes] = (await raw.query('SELECT outcome FROM pay_push WHERE out_trade_no = ?', [order.outTradeNo])) as unknown as [
      Array<{ outcome: string | null }>,
    ];
    expect(pushes).toEqual([{ outcome: null }]);
    expect(simulator.pushes.pending().map((push) => push.outTradeNo)).toEqual([order.outTradeNo]);

    // Started again, the next push (WeChat's resend after 15 s) delivers; a later repeat grants nothing more.
    server = await startServer();
    try {
      const resent = await simulator.pushes.advance(15_000);
      expect(resent.map((push) => push.accepted)).toEqual([true]);
      await simulator.sendPush(TEST_APPID, 'minigame_game_pay_goods_deliver_notify', JSON.parse(resent[0]!.message).MiniGame.Payload);
      expect(await holdings(accountId)).toEqual([
        { asset: 'gem', amount: 60 },
        { asset: 'gold', amount: 500 },
        { asset: 'shield', amount: 2 },
        { asset: 'sword', amount: 1 },
      ]);
      const [[delivered]] = (await raw.query('SELECT status FROM pay_order WHERE out_trade_no = ?', [order.outTradeNo])) as unknown as [
        [{ status: string }],
      ];
      expect(delivered.status).toBe('delivered');
      const [changes] = (await raw.query('SELECT COUNT(*) AS n FROM wallet_change WHERE account_id = ?', [accountId])) as unknown as [
        [{ n: number }],
      ];
      expect(Number(changes[0].n)).toBe(1);
    } finally {
      server.stop();
      await server.exited;
    }
  });
});
