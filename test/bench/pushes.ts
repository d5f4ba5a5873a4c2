// The delivery pushes of the `push-deliver` scenario: a WeChat game's pay
// settings and one product, item orders inserted straight into the bench
// database (each for an account of its own, so every grant lands in a
// different player's wallet), and one correctly signed push per order, as
// WeChat sends it (`signature`, `timestamp` and `nonce` in the query;
// MiniGame.Payload and PayEventSig in the JSON body).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMysqlPool } from '@minigate/db/mysql-pool';
import { payEventSignature, pushSignature } from '@minigate/wechat';

export const DELIVER_EVENT = 'minigame_game_pay_goods_deliver_notify';

/** The game's virtual payment 2.0 settings (live env), as minigate's WECHAT_PAY_* variables and the bare reference take them. */
export const BENCH_PAY = {
  offerId: '1450099999',
  appKey: randomBytes(16).toString('hex'),
  sandboxAppKey: randomBytes(16).toString('hex'),
  zoneId: '1',
  pushToken: `Bench${randomBytes(8).toString('hex')}`,
} as const;

/** The one product every order buys. */
export const BENCH_PRODUCT = { productId: 'gem60', price: 600, grants: { currencies: { gem: 60 } } } as const;

/** minigate's environment for a game with pay settings and the product (PRODUCTS_FILE written in `work`). */
export function minigatePayEnv(work: string): Record<string, string> {
  const productsFile = join(work, 'products.json');
  writeFileSync(productsFile, JSON.stringify([BENCH_PRODUCT]));
  return {
    WECHAT_PAY_OFFER_ID: BENCH_PAY.offerId,
    WECHAT_PAY_APP_KEY: BENCH_PAY.appKey,
    WECHAT_PAY_SANDBOX_APP_KEY: BENCH_PAY.sandboxAppKey,
    WECHAT_PAY_ENV: '0',
    WECHAT_PAY_ZONE_ID: BENCH_PAY.zoneId,
    WECHAT_PUSH_TOKEN: BENCH_PAY.pushToken,
    PRODUCTS_FILE: productsFile,
  };
}

/** The bare reference's environment: the same AppKey and push Token. */
export function barePushEnv(appid: string): Record<string, string> {
  return { PUSH_APPID: appid, PUSH_APP_KEY: BENCH_PAY.appKey, PUSH_TOKEN: BENCH_PAY.pushToken };
}

/** Order `n` of the bench: its number (32 characters at most), player and account. */
const orderOf = (prefix: string, n: number) => ({
  outTradeNo: `${prefix}${String(n).padStart(12, '0')}`,
  openid: `obench${String(n).padStart(22, '0')}`,
  accountId: FIRST_ACCOUNT + n,
});

/** Accounts of the orders start here: far above the players logged in by auth.wechatLogin. */
const FIRST_ACCOUNT = 100_000_000;

/**
 * One push as the load generator sends it: `<path and query>\t<JSON body>`
 * (JSON.stringify escapes tabs and newlines, so neither is in the body).
 */
export function pushLine(appid: string, order: { outTradeNo: string; openid: string }, now = Date.now()): string {
  const seconds = Math.floor(now / 1000);
  const payload = JSON.stringify({
    OpenId: order.openid,
    Env: 0,
    OutTradeNo: order.outTradeNo,
    GoodsInfo: {
      ProductId: BENCH_PRODUCT.productId,
      Quantity: 1,
      ZoneId: BENCH_PAY.zoneId,
      OrigPrice: BENCH_PRODUCT.price,
      ActualPrice: BENCH_PRODUCT.price,
      Attach: '',
      OrderSource: 1,
    },
    WeChatPayInfo: { MchOrderNo: `mch${order.outTradeNo}`, TransactionId: `tx${order.outTradeNo}`, PaidTime: seconds },
  });
  const body = JSON.stringify({
    ToUserName: 'gh_0123456789ab',
    FromUserName: 'oWeChatOfficialPushSender00',
    CreateTime: seconds,
    MsgType: 'event',
    Event: DELIVER_EVENT,
    MiniGame: { Payload: payload, PayEventSig: payEventSignature(BENCH_PAY.appKey, DELIVER_EVENT, payload), IsMock: false },
  });
  const timestamp = String(seconds);
  const nonce = String(1 + Math.floor(Math.random() * 2 ** 31));
  const query = new URLSearchParams({ signature: pushSignature(BENCH_PAY.pushToken, timestamp, nonce), timestamp, nonce });
  return `/push/${appid}?${query}\t${body}`;
}

/** Where a variant's pushes come from: `lines(count)` the next `count` pushes, `used(count)` once a round sent that many of them. */
export interface PushSource {
  lines(count: number): Promise<string[]>;
  used(count: number): void;
}

/** Pushes of orders no database holds (for the bare reference, which only verifies and keeps a push): each one different. */
export function unrecordedPushes(appid: string): PushSource {
  let next = 0;
  return {
    lines: (count) => Promise.resolve(Array.from({ length: count }, (_, i) => pushLine(appid, orderOf('bpbare', next + i)))),
    used: (count) => {
      next += count;
    },
  };
}

/**
 * Item orders in the bench database, created and never delivered, each of an
 * account of its own (an `account` row, the order's pay_order row): every
 * push of `lines` is the first of its order, so the delivery grants (a
 * repeat would only measure the idempotent path).
 */
export class BenchOrders implements PushSource {
  private readonly pool: ReturnType<ReturnType<typeof createMysqlPool>['promise']>;
  private inserted = 0;
  private next = 0;
  private grantsColumn: boolean | null = null;

  constructor(
    databaseUrl: string,
    private readonly appid: string,
    /** Told when orders are added between rounds (the pool ran short). */
    private readonly say: (line: string) => void = () => undefined,
  ) {
    this.pool = createMysqlPool(databaseUrl, { connectionLimit: 2 }).promise();
  }

  /** Orders inserted and not yet pushed. */
  get remaining(): number {
    return this.inserted - this.next;
  }

  /** Inserts `count` more orders and their accounts, 2,000 rows a statement. */
  async insert(count: number): Promise<void> {
    this.grantsColumn ??= await this.hasGrantsColumn();
    const grants = JSON.stringify({ currencies: BENCH_PRODUCT.grants.currencies, items: {} });
    const createTime = new Date();
    for (let start = this.inserted; start < this.inserted + count; start += 2000) {
      const end = Math.min(this.inserted + count, start + 2000);
      const orders = Array.from({ length: end - start }, (_, i) => orderOf('mgbench', start + i));
      await this.pool.query('INSERT INTO account (account_id, nick_name, create_time) VALUES ?', [
        orders.map((order) => [order.accountId, `bench buyer ${order.accountId - FIRST_ACCOUNT}`, createTime]),
      ]);
      const columns = [
        'out_trade_no',
        'appid',
        'account_id',
        'openid',
        'product_id',
        'quantity',
        'unit_price',
        'total_price',
        ...(this.grantsColumn ? ['grants'] : []),
        'env',
        'create_time',
      ];
      await this.pool.query(`INSERT INTO pay_order (${columns.join(', ')}) VALUES ?`, [
        orders.map((order) => [
          order.outTradeNo,
          this.appid,
          order.accountId,
          order.openid,
          BENCH_PRODUCT.productId,
          1,
          BENCH_PRODUCT.price,
          BENCH_PRODUCT.price,
          ...(this.grantsColumn ? [grants] : []),
          0,
          createTime,
        ]),
      ]);
    }
    this.inserted += count;
  }

  async lines(count: number): Promise<string[]> {
    if (this.remaining < count) {
      const more = count - this.remaining;
      const began = performance.now();
      await this.insert(more);
      this.say(`  ${more.toLocaleString('en-US')} more orders inserted in ${((performance.now() - began) / 1000).toFixed(1)} s (the pool ran short)`);
    }
    return Array.from({ length: count }, (_, i) => pushLine(this.appid, orderOf('mgbench', this.next + i)));
  }

  used(count: number): void {
    this.next += count;
  }

  /** What became of the pushes: minigate's pay_push outcomes, and the orders delivered. */
  async outcomes(): Promise<{ pushes: Record<string, number>; delivered: number; wallets: number }> {
    const [pushes] = await this.pool.query('SELECT outcome, COUNT(*) AS n FROM pay_push GROUP BY outcome');
    const [[delivered]] = (await this.pool.query("SELECT COUNT(*) AS n FROM pay_order WHERE status = 'delivered'")) as unknown as [[{ n: number }]];
    const [[wallets]] = (await this.pool.query(
      `SELECT COUNT(DISTINCT account_id) AS n FROM wallet_balance WHERE account_id >= ${FIRST_ACCOUNT}`,
    )) as unknown as [[{ n: number }]];
    return {
      pushes: Object.fromEntries((pushes as Array<{ outcome: string | null; n: number }>).map((row) => [row.outcome ?? 'unfinished', Number(row.n)])),
      delivered: Number(delivered.n),
      wallets: Number(wallets.n),
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Whether pay_order keeps what each order grants (a column some builds have). */
  private async hasGrantsColumn(): Promise<boolean> {
    const [rows] = await this.pool.query(
      "SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'pay_order' AND column_name = 'grants'",
    );
    return Number((rows as Array<{ n: number }>)[0]?.n ?? 0) > 0;
  }
}
