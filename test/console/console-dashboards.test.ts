import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOperator, expectFits, launchChromium, logIn, openConsole, openPlayer, screenshot, VIEWPORTS } from '../support/console-browser.js';
import { callProcedure, startTestStack, TEST_APPID, type TestStack } from '../support/stack.js';

// The console's dashboards in headless Chromium, at 1280×800 and 390×844: a viewer logs in, opens "Dashboards",
// and sees "Logins per minute" move after 20 players log in (the page asks again every 10 seconds); a viewer's
// player page offers no change it may not make.
const PASSWORD = 'console-test-password-2';
const LOGINS = 20;

let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startTestStack({ CONSOLE_ENABLED: 'true', RATE_LIMIT_LOGIN: '100000/60', RATE_LIMIT_CONSOLE_LOGIN: '1000/60' });
  await addOperator(stack.database.db, { name: 'ops-viewer', role: 'viewer', password: PASSWORD });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** `player` logs in through the simulator's wx.login: their account id. */
async function logsIn(player: string): Promise<number> {
  const answer = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.simulator.issueCode(TEST_APPID, player) });
  expect(answer.status).toBe(200);
  return answer.body.result.data.account.id as number;
}

/** The WeChat logins the chart's sentence counts ("Logins over the last 24 hours: wechat 20."), once it has data. */
async function wechatLoginsShown(page: Page): Promise<number> {
  const summary = (await page.getByRole('figure', { name: 'Logins per minute' }).locator('p').textContent()) ?? '';
  if (/Loading|No data/.test(summary)) return -1;
  expect(summary).toMatch(/^Logins over the last 24 hours: /);
  return Number(/\bwechat (\d+)/.exec(summary)?.[1] ?? 0);
}

describe.each(VIEWPORTS)('the dashboards at $width×$height ($name)', (viewport) => {
  it('show the four charts by name, and "Logins per minute" moves after 20 logins, on the next 10-second refresh', { timeout: 60_000 }, async () => {
    await logsIn(`warm-up-${viewport.name}`);
    // The page's timers on playwright's clock: its 10-second refresh is moved on, not waited for.
    const { context, page, problems } = await openConsole(browser, stack.baseUrl, viewport, { fakeClock: true });
    await logIn(page, 'ops-viewer', PASSWORD);
    await page.getByRole('link', { name: 'Dashboards' }).click();
    await page.getByRole('heading', { name: 'Dashboards', level: 1 }).waitFor();
    for (const title of ['Players online', 'Logins per minute', 'Revenue per day', 'Errors by reason']) {
      await page.getByRole('figure', { name: title }).waitFor();
    }
    await expect.poll(() => page.getByText(/^Orders waiting for delivery: \d+$/).count()).toBe(1);
    await expect.poll(() => wechatLoginsShown(page)).toBeGreaterThanOrEqual(1);
    const before = await wechatLoginsShown(page);
    const chart = page.getByRole('figure', { name: 'Logins per minute' });
    // uPlot draws on a canvas inside the figure.
    expect(await chart.locator('canvas').count()).toBeGreaterThanOrEqual(1);
    const drawnBefore = await chart.locator('canvas').first().screenshot();
    await expectFits(page, viewport);
    await screenshot(page, viewport, 'dashboards-before');

    // From here the page's clock stands still: only fastForward moves its timers on.
    await page.clock.pauseAt(Date.now() + 1_000);
    for (let i = 0; i < LOGINS; i++) await logsIn(`chart-${viewport.name}-${i}`);
    expect(await wechatLoginsShown(page)).toBe(before);
    // No reload: the page's own refresh, 10 seconds on, brings the new minute's count.
    await page.clock.fastForward(10_000);
    // ...and flows again: tRPC's batching sends the refresh's requests on a timer of its own.
    await page.clock.resume();
    await expect.poll(() => wechatLoginsShown(page), { timeout: 5_000 }).toBe(before + LOGINS);
    const drawnAfter = await chart.locator('canvas').first().screenshot();
    expect(drawnAfter.equals(drawnBefore), 'the chart is drawn anew').toBe(false);
    await expectFits(page, viewport);
    await screenshot(page, viewport, 'dashboards-after');
    expect(problems).toEqual([]);
    await context.close();
  });

  it("a viewer reads a player's page but every action on it is greyed out", async () => {
    const nickname = `viewed-${viewport.name}`;
    const accountId = await logsIn(nickname);
    const { context, page, problems } = await openConsole(browser, stack.baseUrl, viewport);
    await logIn(page, 'ops-viewer', PASSWORD);
    await openPlayer(page, String(accountId), `Account ${accountId}`);
    for (const heading of ['Account', 'Identities', 'Sessions', 'Wallet', 'Ledger', 'Orders', 'Saves', 'Mail', 'Leaderboards', 'Audit log']) {
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
    }
    for (const button of ['Ban', 'Delete account', 'Grant', 'Send']) {
      expect(await page.getByRole('button', { name: button, exact: true }).isDisabled(), button).toBe(true);
    }
    await expectFits(page, viewport);
    await screenshot(page, viewport, 'viewer-player');
    expect(problems).toEqual([]);
    await context.close();
  });
});
