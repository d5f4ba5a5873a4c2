import { resolve } from 'node:path';
import { createMinigameSandbox, type MinigameSandbox } from '@minigate/wechat-sim';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addOperator,
  expectFits,
  launchChromium,
  logIn,
  openConsole,
  openPlayer,
  screenshot,
  statusSays,
  VIEWPORTS,
  type ConsolePage,
} from '../support/console-browser.js';
import { startInstances, stopInstances, type Instance } from '../support/instances.js';
import { startPaymentsStack, type PaymentsStack } from '../support/payments-stack.js';
import { callProcedure, TEST_APPID } from '../support/stack.js';

// The operator console in headless Chromium, at a laptop's 1280×800 and a phone's 390×844: an operator logs
// in, finds a player who logged in through the simulator, and bans them (their next call refused within 5 s
// on a second server process), refunds their order (the ledger shows the grant taken back), and sends them mail
// that the game's client then lists. The page is driven by its accessible names only.
const GAME_FILE = resolve(import.meta.dirname, '../../packages/client/dist/minigate.js');
const PASSWORD = 'console-test-password-1';
const BAN_BOUND_MS = 5_000;

let stack: PaymentsStack;
let second: Instance[] = [];
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startPaymentsStack({ CONSOLE_ENABLED: 'true', RATE_LIMIT_CONSOLE_LOGIN: '1000/60' });
  // The built server (what `pnpm start` runs) on the same database, without the console.
  second = await startInstances(1, { databaseUrl: stack.database.url, wechatApiBase: stack.simulator.url, logLevel: 'warn', names: ['B'] });
  await addOperator(stack.database.db, { name: 'ops-support', role: 'support', password: PASSWORD });
  await addOperator(stack.database.db, { name: 'ops-finance', role: 'finance', password: PASSWORD });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stopInstances(second);
  await stack?.close();
});

/** One call to /trpc on `base` (this stack or the second instance), as the game makes it. */
async function play(base: string, kind: 'query' | 'mutation', path: string, token?: string, input?: unknown) {
  const answer = await callProcedure(
    { trpcUrl: `${base}/trpc` } as PaymentsStack,
    kind,
    path,
    input,
    token ? { authorization: `Bearer ${token}` } : {},
  );
  return { status: answer.status, reason: answer.body.error?.data.reason as string | undefined, data: answer.body.result?.data };
}

/** A player logs in on `base` through the simulator's wx.login and takes a nickname: their token and account id. */
async function player(base: string, nickname: string): Promise<{ token: string; accountId: number }> {
  const login = await play(base, 'mutation', 'auth.wechatLogin', undefined, { code: stack.simulator.issueCode(TEST_APPID, nickname) });
  expect(login.status).toBe(200);
  const token = login.data.accessToken as string;
  expect((await play(base, 'mutation', 'account.updateProfile', token, { nickName: nickname })).status).toBe(200);
  return { token, accountId: login.data.account.id as number };
}

/** How long until the player's heartbeat is refused on `base`, and why. */
async function refusedWithin(base: string, token: string): Promise<{ ms: number; status: number; reason: string | undefined }> {
  const started = Date.now();
  for (;;) {
    const answer = await play(base, 'mutation', 'account.heartbeat', token);
    const ms = Date.now() - started;
    if (answer.status !== 200 || ms > BAN_BOUND_MS * 2) return { ms, status: answer.status, reason: answer.reason };
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** The rows of a section of the player's page (a region named by its heading) that contain `text`. */
const rowsOf = (page: Page, section: string, text: string) =>
  page.getByRole('region', { name: section, exact: true }).getByRole('row').filter({ hasText: text });

/** The cell under the column header `column` in the row of a section's table that contains `text`. */
async function cellOf(page: Page, section: string, text: string, column: string): Promise<string | null> {
  const headers = await page.getByRole('region', { name: section, exact: true }).getByRole('columnheader').allTextContents();
  expect(headers, `the ${section} table's columns`).toContain(column);
  return rowsOf(page, section, text).getByRole('cell').nth(headers.indexOf(column)).textContent();
}

describe.each(VIEWPORTS)('the console at $width×$height ($name)', { timeout: 60_000 }, (viewport) => {
  let open: ConsolePage | undefined;
  afterAll(async () => {
    await open?.context.close();
  });

  /** A new browser context: the login form, filled in by `operator`. */
  async function operatorLogsIn(operator: string): Promise<Page> {
    await open?.context.close();
    open = await openConsole(browser, stack.baseUrl, viewport);
    await open.page.getByRole('heading', { name: 'minigate console' }).waitFor();
    await logIn(open.page, operator, PASSWORD);
    return open.page;
  }

  it('a support operator finds a player, bans them, and the second instance refuses their next call within 5 s', async () => {
    const nickname = `ban-${viewport.name}`;
    const victim = await player(second[0]!.url, nickname);
    expect((await play(second[0]!.url, 'mutation', 'account.heartbeat', victim.token)).status).toBe(200);

    const page = await operatorLogsIn('ops-support');
    await screenshot(page, viewport, 'logged-in');
    await openPlayer(page, nickname, nickname);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('active');
    await expectFits(page, viewport);
    await screenshot(page, viewport, 'player');

    const ban = page.getByRole('form', { name: 'Ban' });
    await ban.getByLabel('Reason').fill('cheating in ranked');
    await ban.getByRole('button', { name: 'Ban' }).click();
    await statusSays(page, `Banned account ${victim.accountId}.`);
    const seen = await refusedWithin(second[0]!.url, victim.token);
    expect(seen).toMatchObject({ status: 403, reason: 'ACCOUNT_DISABLED' });
    expect(seen.ms).toBeLessThan(BAN_BOUND_MS);

    // The page shows what the server now holds: banned, an Unban form, and who banned them and why.
    await page.getByRole('button', { name: 'Unban' }).waitFor();
    expect(await page.getByRole('button', { name: 'Ban', exact: true }).count()).toBe(0);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('banned');
    expect(await rowsOf(page, 'Audit log', 'cheating in ranked').textContent()).toContain('ops-support');
    expect(await cellOf(page, 'Sessions', 'created', 'State')).toMatch(/revoked/i);
    await expectFits(page, viewport);
    await screenshot(page, viewport, 'banned');
    expect(open!.problems).toEqual([]);
  });

  it('a finance operator refunds a delivered order and sees the grant taken back in the ledger', async () => {
    const nickname = `refund-${viewport.name}`;
    const buyer = await player(stack.baseUrl, nickname);
    const order = (await play(stack.baseUrl, 'mutation', 'payments.createItemOrder', buyer.token, { productId: 'gem60', quantity: 1 })).data;
    const paid = await stack.simulator.payItemOrder(TEST_APPID, nickname, order);
    expect(paid.ok, JSON.stringify(paid)).toBe(true);
    expect((await play(stack.baseUrl, 'query', 'wallet.get', buyer.token)).data).toEqual({ currencies: { gem: 60 }, items: {} });

    const page = await operatorLogsIn('ops-finance');
    await openPlayer(page, nickname, nickname);
    const status = () => cellOf(page, 'Orders', order.outTradeNo, 'Status');
    expect(await status()).toBe('delivered');
    expect(await rowsOf(page, 'Ledger', order.outTradeNo).textContent()).toContain('gem +60 → 60');
    // A finance operator may not ban: the form is there, greyed out.
    expect(await page.getByRole('form', { name: 'Ban' }).getByRole('button', { name: 'Ban' }).isDisabled()).toBe(true);
    await screenshot(page, viewport, 'order');

    const refund = page.getByRole('form', { name: `Refund order ${order.outTradeNo}` });
    await refund.getByLabel('Reason').fill('charged twice');
    await refund.getByRole('button', { name: 'Refund' }).click();
    await statusSays(page, `Refunded order ${order.outTradeNo}.`);
    await expect.poll(status).toBe('refunded');
    const ledger = await rowsOf(page, 'Ledger', 'gem -60 → 0').allTextContents();
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toContain('charged twice');
    expect(await page.getByRole('form', { name: `Refund order ${order.outTradeNo}` }).count()).toBe(0);
    await expectFits(page, viewport);
    await screenshot(page, viewport, 'refunded');

    // What the game sees: the order refunded, the gems gone.
    expect((await play(stack.baseUrl, 'query', 'payments.order', buyer.token, { outTradeNo: order.outTradeNo })).data.status).toBe('refunded');
    expect((await play(stack.baseUrl, 'query', 'wallet.get', buyer.token)).data).toEqual({ currencies: {}, items: {} });
    expect(open!.problems).toEqual([]);
  });

  it("a support operator sends mail with gold attached, and the player's game client lists it", async () => {
    const nickname = `mail-${viewport.name}`;
    const sandbox: MinigameSandbox = createMinigameSandbox({
      simulatorUrl: stack.simulator.url,
      appid: TEST_APPID,
      player: nickname,
      files: { 'minigate.js': GAME_FILE },
    });
    const game = async (body: string): Promise<any> =>
      JSON.parse(JSON.stringify(await (sandbox.run(`(async () => { ${body} })()`) as Promise<unknown>)) ?? 'null');
    // The game logs in as games do (wx.login → auth.wechatLogin) and keeps its client.
    const accountId = (await game(`
      GameGlobal.game = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
      const { account } = await GameGlobal.game.login();
      await GameGlobal.game.api.account.updateProfile.mutate({ nickName: '${nickname}' });
      return account.id;`)) as number;
    expect(await game(`return (await GameGlobal.game.api.mail.list.query()).mail;`)).toEqual([]);

    const page = await operatorLogsIn('ops-support');
    await openPlayer(page, nickname, nickname);
    expect(page.url()).toMatch(new RegExp(`#/players/${accountId}$`));
    const mail = page.getByRole('form', { name: 'Send mail' });
    await mail.getByLabel('Title', { exact: true }).fill(`Sorry, ${nickname}`);
    await mail.getByLabel('Body', { exact: true }).fill('The server was down last night: here is some gold.');
    await mail.getByLabel('Currency', { exact: true }).fill('gold');
    await mail.getByLabel('Amount', { exact: true }).fill('50');
    await mail.getByLabel('Reason', { exact: true }).fill('outage compensation');
    await expectFits(page, viewport);
    await screenshot(page, viewport, 'mail-form');
    await mail.getByRole('button', { name: 'Send' }).click();
    await statusSays(page, 'Mail sent.');
    await expect.poll(() => rowsOf(page, 'Mail', `Sorry, ${nickname}`).count()).toBe(1);
    expect(await rowsOf(page, 'Mail', `Sorry, ${nickname}`).textContent()).toMatch(/\bgold\W{0,3}50\b/);
    await screenshot(page, viewport, 'mail-sent');

    const listed = await game(`return (await GameGlobal.game.api.mail.list.query()).mail;`);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      title: `Sorry, ${nickname}`,
      body: 'The server was down last night: here is some gold.',
      attachments: { currencies: { gold: 50 } },
    });
    // ...and claims the gold.
    const claimed = await game(`return await GameGlobal.game.api.mail.claim.mutate({ id: ${listed[0].id as number} });`);
    expect(claimed.granted).toEqual({ currencies: { gold: 50 }, items: {} });
    expect(await rowsOf(page, 'Audit log', 'outage compensation').count()).toBeGreaterThanOrEqual(1);
    expect(open!.problems).toEqual([]);
  });
});
