import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ENTRY, run, TSX } from './support/processes.js';
import { callProcedure } from './support/stack.js';
import { PAY, PUSH_AES_KEY, startPaymentsStack, type PaymentsStack } from './support/payments-stack.js';

// WeChat's virtual payment 2.0 against a real server and MariaDB: item orders signed by the server, paid on
// the simulated phone, delivered by the simulator's pushes to /push/<appid>; game coins; the wallet.
const DELIVER = 'minigame_game_pay_goods_deliver_notify';

let stack: PaymentsStack;
beforeAll(async () => {
  stack = await startPaymentsStack({ WECHAT_TIMEOUT_MS: '400' });
});
afterAll(async () => {
  await stack?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const appid = () => stack.game.appid;

/** A player signed in: their token. */
async function player(name: string): Promise<string> {
  const answer = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor(name) });
  expect(answer.status).toBe(200);
  return answer.body.result.data.accessToken as string;
}

const call = async (token: string, kind: 'query' | 'mutation', path: string, input?: unknown) =>
  callProcedure(stack, kind, path, input, bearer(token));
const wallet = async (token: string) => (await call(token, 'query', 'wallet.get')).body.result.data;

/** A delivery push's payload for an order, as WeChat would send it. */
function deliveryPayload(
  order: { outTradeNo: string },
  openid: string,
  overrides: Record<string, unknown> = {},
  goods: Record<string, unknown> = {},
) {
  return {
    OpenId: openid,
    Env: 0,
    OutTradeNo: order.outTradeNo,
    GoodsInfo: { ProductId: 'gem60', Quantity: 1, ZoneId: '1', OrigPrice: 600, ActualPrice: 600, Attach: '', OrderSource: 1, ...goods },
    ...overrides,
  };
}

describe('the push receiver', () => {
  it("answers WeChat's URL check with echostr, and refuses a check signed with another token", async () => {
    const check = await stack.simulator.verifyPushUrl(appid());
    expect(check.ok).toBe(true);
    const forged = await fetch(`${stack.baseUrl}/push/${appid()}?signature=${'0'.repeat(40)}&timestamp=1&nonce=2&echostr=hello`);
    expect(forged.status).toBe(401);
    expect(await forged.text()).not.toContain('hello');
    expect((await fetch(`${stack.baseUrl}/push/wxnosuchgame0001?signature=x&timestamp=1&nonce=2&echostr=e`)).status).toBe(404);
  });
});

describe('buying an item', () => {
  it('signs the order, the phone pays, the push delivers its grants once: the wallet and the order say so', async () => {
    const token = await player('buyer');
    const created = await call(token, 'mutation', 'payments.createItemOrder', { productId: 'bundle', quantity: 2 });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const order = created.body.result.data as { outTradeNo: string; signData: string; paySig: string; signature: string };
    expect(JSON.parse(order.signData)).toMatchObject({
      mode: 'goods',
      offerId: PAY.offerId,
      buyQuantity: 2,
      env: 0,
      currencyType: 'CNY',
      zoneId: PAY.zoneId,
      productId: 'bundle',
      goodsPrice: 1800,
      outTradeNo: order.outTradeNo,
    });
    expect(order.paySig).toMatch(/^[0-9a-f]{64}$/);
    expect((await call(token, 'query', 'payments.order', { outTradeNo: order.outTradeNo })).body.result.data).toMatchObject({
      status: 'created',
      price: 3600,
    });

    const paid = await stack.simulator.payItemOrder(appid(), 'buyer', order);
    expect(paid.ok, JSON.stringify(paid)).toBe(true);
    expect(stack.simulator.pushes.log.filter((push) => push.outTradeNo === order.outTradeNo).map((push) => push.accepted)).toEqual([true]);
    expect(await wallet(token)).toEqual({ currencies: { gem: 120, gold: 1000 }, items: { shield: 4, sword: 2 } });
    const view = (await call(token, 'query', 'payments.order', { outTradeNo: order.outTradeNo })).body.result.data;
    expect(view).toMatchObject({ status: 'delivered', productId: 'bundle', quantity: 2 });
    const history = (await call(token, 'query', 'wallet.history')).body.result.data;
    expect(history.changes[0]).toMatchObject({ source: 'order', sourceRef: order.outTradeNo, currencies: { gem: { delta: 120, balance: 120 } } });
    expect((await call(token, 'query', 'payments.orders')).body.result.data.orders.map((o: { outTradeNo: string }) => o.outTradeNo)).toContain(
      order.outTradeNo,
    );
  });

  it('ten identical delivery pushes at once deliver once, and each is answered as the first', async () => {
    const token = await player('tenfold');
    const order = (await call(token, 'mutation', 'payments.createItemOrder', { productId: 'gem60', quantity: 1 })).body.result.data;
    const payload = deliveryPayload(order, stack.simulator.openidFor(appid(), 'tenfold'));
    const pushes = await Promise.all(Array.from({ length: 10 }, () => stack.simulator.sendPush(appid(), DELIVER, payload)));
    expect(pushes.map((push) => [push.status, JSON.parse(push.answer)])).toEqual(
      Array.from({ length: 10 }, () => [200, { ErrCode: 0, ErrMsg: 'Success' }]),
    );
    expect(await wallet(token)).toEqual({ currencies: { gem: 60 }, items: {} });
    const outcomes = await stack.database.db.selectFrom('payPush').select('outcome').where('outTradeNo', '=', order.outTradeNo).execute();
    expect(outcomes.map((row) => row.outcome).sort()).toEqual([
      'already',
      'already',
      'already',
      'already',
      'already',
      'already',
      'already',
      'already',
      'already',
      'delivered',
    ]);
  });

  it.each([
    ['a PayEventSig one character off', { sign: 'bad' as const }, {}, {}, 'bad_signature'],
    ['an order that does not exist', {}, { OutTradeNo: 'mgnosuchorder0001' }, {}, 'unknown_order'],
    ['a price that differs from the order', {}, {}, { OrigPrice: 1 }, 'mismatch'],
    ['another product', {}, {}, { ProductId: 'sword' }, 'mismatch'],
    ["another player's openid", {}, { OpenId: 'o-somebody-else' }, {}, 'mismatch'],
  ])('refuses %s with a non-zero ErrCode and grants nothing', async (_, options, overrides, goods, outcome) => {
    const name = `refused-${outcome}-${Object.keys(goods).join('')}${Object.keys(overrides).join('')}`;
    const token = await player(name);
    const order = (await call(token, 'mutation', 'payments.createItemOrder', { productId: 'gem60', quantity: 1 })).body.result.data;
    const push = await stack.simulator.sendPush(
      appid(),
      DELIVER,
      deliveryPayload(order, stack.simulator.openidFor(appid(), name), overrides, goods),
      options,
    );
    expect(push.accepted).toBe(false);
    expect(JSON.parse(push.answer).ErrCode).not.toBe(0);
    expect(await wallet(token)).toEqual({ currencies: {}, items: {} });
    expect((await call(token, 'query', 'payments.order', { outTradeNo: order.outTradeNo })).body.result.data.status).toBe('created');
    const kept = await stack.database.db
      .selectFrom('payPush')
      .select('outcome')
      .where('pushId', '=', await lastPushId())
      .executeTakeFirstOrThrow();
    expect(kept.outcome).toBe(outcome);
  });

  it('a mock push (IsMock) is checked and answered, never delivered', async () => {
    const token = await player('mocked');
    const order = (await call(token, 'mutation', 'payments.createItemOrder', { productId: 'gem60', quantity: 1 })).body.result.data;
    const push = await stack.simulator.sendPush(appid(), DELIVER, deliveryPayload(order, stack.simulator.openidFor(appid(), 'mocked')), {
      mock: true,
    });
    expect(push.accepted).toBe(true);
    expect(await wallet(token)).toEqual({ currencies: {}, items: {} });
  });

  it('refuses an unknown product and a bad quantity, naming the field', async () => {
    const token = await player('bad-input');
    const unknown = await call(token, 'mutation', 'payments.createItemOrder', { productId: 'no-such', quantity: 1 });
    expect([unknown.status, unknown.body.error.data.reason, unknown.body.error.data.fields[0].path]).toEqual([400, 'PRODUCT_UNKNOWN', 'productId']);
    const zero = await call(token, 'mutation', 'payments.createItemOrder', { productId: 'gem60', quantity: 0 });
    expect([zero.status, zero.body.error.data.reason, zero.body.error.data.fields[0].path]).toEqual([400, 'INPUT_INVALID', 'quantity']);
    const other = await call(await player('snoop'), 'query', 'payments.order', { outTradeNo: 'mgnosuchorder0001' });
    expect([other.status, other.body.error.data.reason]).toEqual([404, 'ORDER_NOT_FOUND']);
  });
});

async function lastPushId(): Promise<number> {
  const row = await stack.database.db.selectFrom('payPush').select('pushId').orderBy('pushId', 'desc').limit(1).executeTakeFirstOrThrow();
  return row.pushId;
}

describe('game coins', () => {
  it('spendCoins where WeChat answers -1 twice and then 0 charges once', async () => {
    const token = await player('coin-busy');
    stack.simulator.setCoinBalance(appid(), 'coin-busy', 0, 100);
    const before = stack.simulator.callCount('game_pay');
    stack.simulator.injectFault({ kind: 'errcode', errcode: -1, endpoint: 'game_pay' }, 2);
    const spent = await call(token, 'mutation', 'payments.spendCoins', { amount: 30, reason: 'revive', billNo: 'bill-busy-1' });
    expect(spent.status, JSON.stringify(spent.body)).toBe(200);
    expect(spent.body.result.data).toMatchObject({ billNo: 'bill-busy-1', balance: 70 });
    expect(stack.simulator.callCount('game_pay') - before).toBe(3);
    expect(stack.simulator.coinBalance(appid(), 'coin-busy', 0)).toBe(70);
    // The same bill again: answered, not charged.
    const again = await call(token, 'mutation', 'payments.spendCoins', { amount: 30, reason: 'revive', billNo: 'bill-busy-1' });
    expect(again.body.result.data).toMatchObject({ billNo: 'bill-busy-1', balance: 70 });
    expect(stack.simulator.coinBalance(appid(), 'coin-busy', 0)).toBe(70);
    const conflict = await call(token, 'mutation', 'payments.spendCoins', { amount: 31, reason: 'revive', billNo: 'bill-busy-1' });
    expect([conflict.status, conflict.body.error.data.reason]).toEqual([409, 'BILL_CONFLICT']);
    expect((await call(token, 'query', 'payments.balance')).body.result.data).toMatchObject({ balance: 70 });
  });

  it('a spend whose answer was lost (a timeout, WeChat charged) is charged once: the retry meets 90012', async () => {
    const token = await player('coin-slow');
    stack.simulator.setCoinBalance(appid(), 'coin-slow', 0, 100);
    stack.simulator.injectFault({ kind: 'delay', ms: 900, endpoint: 'game_pay' });
    const spent = await call(token, 'mutation', 'payments.spendCoins', { amount: 25, reason: 'skin', billNo: 'bill-slow-1' });
    expect(spent.status, JSON.stringify(spent.body)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(stack.simulator.coinBalance(appid(), 'coin-slow', 0)).toBe(75);
  });

  it('100 concurrent spends on a balance of 50 leave it at 0, never below', async () => {
    const token = await player('coin-crowd');
    stack.simulator.setCoinBalance(appid(), 'coin-crowd', 0, 50);
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => call(token, 'mutation', 'payments.spendCoins', { amount: 1, reason: 'crowd', billNo: `crowd-${i}` })),
    );
    const reasons = answers.map((answer) => (answer.status === 200 ? 'OK' : answer.body.error.data.reason));
    expect(reasons.filter((reason) => reason === 'OK')).toHaveLength(50);
    expect(reasons.filter((reason) => reason !== 'OK').every((reason) => reason === 'COINS_INSUFFICIENT')).toBe(true);
    expect(stack.simulator.coinBalance(appid(), 'coin-crowd', 0)).toBe(0);
  });

  it("WeChat's session-key error is 409 SESSION_KEY_STALE", async () => {
    const token = await player('coin-stale');
    stack.simulator.rotateSessionKey(appid(), 'coin-stale');
    const stale = await call(token, 'mutation', 'payments.spendCoins', { amount: 1, reason: 'x' });
    expect([stale.status, stale.body.error.data.reason]).toEqual([409, 'SESSION_KEY_STALE']);
  });
});

describe('the wallet', () => {
  it('100 concurrent spends of one gem on a balance of 60 leave it at 0, never below; a key sent again spends nothing more', async () => {
    const token = await player('wallet-crowd');
    const order = (await call(token, 'mutation', 'payments.createItemOrder', { productId: 'gem60', quantity: 1 })).body.result.data;
    expect((await stack.simulator.payItemOrder(appid(), 'wallet-crowd', order)).ok).toBe(true);
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => call(token, 'mutation', 'wallet.spend', { key: `k${i}`, currencies: { gem: 1 }, reason: 'crowd' })),
    );
    const reasons = answers.map((answer) => (answer.status === 200 ? 'OK' : answer.body.error.data.reason));
    expect(reasons.filter((reason) => reason === 'OK')).toHaveLength(60);
    expect(reasons.filter((reason) => reason !== 'OK').every((reason) => reason === 'WALLET_INSUFFICIENT')).toBe(true);
    expect(await wallet(token)).toEqual({ currencies: {}, items: {} });
    const repeat = await call(token, 'mutation', 'wallet.spend', { key: 'k0', currencies: { gem: 1 }, reason: 'crowd' });
    expect(repeat.status).toBe(200);
  });

  it('a spend of several assets is all or nothing', async () => {
    const token = await player('wallet-atomic');
    const order = (await call(token, 'mutation', 'payments.createItemOrder', { productId: 'bundle', quantity: 1 })).body.result.data;
    expect((await stack.simulator.payItemOrder(appid(), 'wallet-atomic', order)).ok).toBe(true);
    const tooMuch = await call(token, 'mutation', 'wallet.spend', { key: 'a', currencies: { gem: 10 }, items: { shield: 3 }, reason: 'craft' });
    expect([tooMuch.status, tooMuch.body.error.data.reason]).toEqual([409, 'WALLET_INSUFFICIENT']);
    expect(await wallet(token)).toEqual({ currencies: { gem: 60, gold: 500 }, items: { shield: 2, sword: 1 } });
    const ok = await call(token, 'mutation', 'wallet.spend', { key: 'b', currencies: { gem: 10 }, items: { shield: 2 }, reason: 'craft' });
    expect(ok.body.result.data).toEqual({ currencies: { gem: 50, gold: 500 }, items: { sword: 1 } });
  });
});

/** `pnpm admin <args>` against the stack's database: its output (it must succeed). */
async function admin(...args: string[]): Promise<string> {
  // The server's own environment: present and cancel-spend read its whole configuration.
  const cli = run([TSX, ADMIN_ENTRY, ...args], { ...stack.environment, USER: 'ops-test' });
  const code = await cli.exited;
  expect(code, cli.output()).toBe(0);
  return cli.output();
}

describe('operators and orders (pnpm admin)', () => {
  it('delivers an order whose push never came, once; refunds it, taking the grant back; a late push grants nothing', async () => {
    const token = await player('ops-order');
    const order = (await call(token, 'mutation', 'payments.createItemOrder', { productId: 'sword', quantity: 2 })).body.result.data;
    expect(await admin('orders', '--status', 'created')).toContain(order.outTradeNo);
    expect(await admin('deliver', order.outTradeNo, '--reason', 'push lost, paid per the MP console')).toContain(
      `delivered order ${order.outTradeNo}`,
    );
    expect(await admin('deliver', order.outTradeNo, '--reason', 'again')).toContain('delivered already: nothing changed');
    expect(await wallet(token)).toEqual({ currencies: {}, items: { sword: 2 } });
    // WeChat's push arrives after all: answered as delivered, nothing more granted.
    const late = await stack.simulator.sendPush(
      appid(),
      DELIVER,
      deliveryPayload(order, stack.simulator.openidFor(appid(), 'ops-order'), {}, { ProductId: 'sword', Quantity: 2, OrigPrice: 2400 }),
    );
    expect(late.accepted).toBe(true);
    expect(await wallet(token)).toEqual({ currencies: {}, items: { sword: 2 } });
    const shown = await admin('order', order.outTradeNo);
    expect(shown).toContain('delivered');
    expect(shown).toContain('already');
    expect(await admin('refund', order.outTradeNo, '--reason', 'player asked')).toContain(`refunded order ${order.outTradeNo}`);
    expect(await wallet(token)).toEqual({ currencies: {}, items: {} });
    expect((await call(token, 'query', 'payments.order', { outTradeNo: order.outTradeNo })).body.result.data.status).toBe('refunded');
    const audit = await stack.database.db
      .selectFrom('accountAudit')
      .select(['action', 'actor'])
      .where('reason', 'like', `${order.outTradeNo}%`)
      .orderBy('auditId')
      .execute();
    expect(audit).toEqual([
      { action: 'deliver_order', actor: 'ops-test' },
      { action: 'refund_order', actor: 'ops-test' },
    ]);
  });

  it('refuses a refund the player already spent, changing nothing', async () => {
    const token = await player('ops-spent');
    const order = (await call(token, 'mutation', 'payments.createItemOrder', { productId: 'gem60', quantity: 1 })).body.result.data;
    expect((await stack.simulator.payItemOrder(appid(), 'ops-spent', order)).ok).toBe(true);
    expect((await call(token, 'mutation', 'wallet.spend', { key: 'all', currencies: { gem: 60 }, reason: 'spent it' })).status).toBe(200);
    expect(await admin('refund', order.outTradeNo, '--reason', 'chargeback')).toContain('no longer holds all it granted');
    expect((await call(token, 'query', 'payments.order', { outTradeNo: order.outTradeNo })).body.result.data.status).toBe('delivered');
  });
});

describe('operators and game coins (pnpm admin)', () => {
  it('present gives coins once per bill; cancel-spend gives a spend back, once', async () => {
    const token = await player('ops-coins');
    stack.simulator.setCoinBalance(appid(), 'ops-coins', 0, 10);
    const accountId = (await call(token, 'query', 'account.me')).body.result.data.id as number;
    expect(await admin('present', String(accountId), '40', '--game', appid(), '--bill', 'gift-1', '--reason', 'apology')).toContain(
      'presented 40 coins',
    );
    expect(stack.simulator.coinBalance(appid(), 'ops-coins', 0)).toBe(50);
    await admin('present', String(accountId), '40', '--game', appid(), '--bill', 'gift-1', '--reason', 'apology, again');
    expect(stack.simulator.coinBalance(appid(), 'ops-coins', 0)).toBe(50);
    expect((await call(token, 'mutation', 'payments.spendCoins', { amount: 30, reason: 'x', billNo: 'to-cancel' })).status).toBe(200);
    expect(stack.simulator.coinBalance(appid(), 'ops-coins', 0)).toBe(20);
    expect(await admin('cancel-spend', 'to-cancel', '--reason', 'double tap')).toContain('cancelled spend to-cancel');
    expect(stack.simulator.coinBalance(appid(), 'ops-coins', 0)).toBe(50);
    expect(await admin('cancel-spend', 'to-cancel', '--reason', 'again')).toContain('cancelled already');
    expect(stack.simulator.coinBalance(appid(), 'ops-coins', 0)).toBe(50);
  });
});

describe('secrets', () => {
  it('no AppKey, push token or AES key reaches a log line or an answer', async () => {
    const logs = stack.logs.join('\n');
    const answers = stack.simulator.pushes.log.map((push) => push.answer).join('\n');
    for (const secret of [PAY.appKey, PAY.sandboxAppKey, PAY.pushToken, PUSH_AES_KEY]) {
      expect(logs).not.toContain(secret);
      expect(answers).not.toContain(secret);
    }
  });
});

describe('pushes in the AES safe mode', () => {
  let safe: PaymentsStack;
  beforeAll(async () => {
    safe = await startPaymentsStack({}, { safeMode: true });
  });
  afterAll(async () => {
    await safe?.close();
  });

  it('are opened with the EncodingAESKey and delivered; one that does not open is refused', async () => {
    const login = await callProcedure(safe, 'mutation', 'auth.wechatLogin', { code: safe.codeFor('safe-buyer') });
    const token = login.body.result.data.accessToken as string;
    const order = (await callProcedure(safe, 'mutation', 'payments.createItemOrder', { productId: 'sword', quantity: 1 }, bearer(token))).body.result
      .data;
    const paid = await safe.simulator.payItemOrder(safe.game.appid, 'safe-buyer', order);
    expect(paid.ok).toBe(true);
    const sent = safe.simulator.pushes.log.find((push) => push.outTradeNo === order.outTradeNo)!;
    expect(sent.mode).toBe('aes');
    expect(sent.body).not.toContain(order.outTradeNo);
    expect((await callProcedure(safe, 'query', 'wallet.get', undefined, bearer(token))).body.result.data).toEqual({
      currencies: {},
      items: { sword: 1 },
    });
    // The same encrypted body with one character of Encrypt changed.
    const body = JSON.parse(sent.body) as { Encrypt: string };
    const tampered = JSON.stringify({
      ...body,
      Encrypt: `${body.Encrypt.slice(0, 10)}${body.Encrypt[10] === 'A' ? 'B' : 'A'}${body.Encrypt.slice(11)}`,
    });
    const refused = await fetch(`${safe.baseUrl}/push/${safe.game.appid}?${new URLSearchParams(sent.query).toString()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: tampered,
    });
    expect(JSON.parse(await refused.text()).ErrCode).not.toBe(0);
  });
});
