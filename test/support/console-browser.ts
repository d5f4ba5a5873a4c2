import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOperatorAccount } from '@minigate/api';
import type { Database, Kysely } from '@minigate/db';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { ADMIN_ENTRY, ROOT, run, TSX } from './processes.js';

// The operator console (/console/) in headless Chromium: Debian's chromium package, driven by playwright-core,
// as test/minigame-preview.test.ts drives it. The tests reach the page by its accessible names (getByRole,
// getByLabel), as a screen reader would, and leave screenshots in test/artifacts/console/.

export const CHROMIUM = '/usr/bin/chromium';
// Without Chromium the console's browser tests fail (they never skip): CI must show the console working.
export const CHROMIUM_MISSING = `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`;
export const ARTIFACTS = join(ROOT, 'test/artifacts/console');

/** The two widths the console must be usable at: a laptop's screen and a phone's. */
export const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800, mobile: false },
  { name: 'phone', width: 390, height: 844, mobile: true },
] as const;
export type Viewport = (typeof VIEWPORTS)[number];

/** Chromium on a fresh temporary profile (playwright's launch() refuses --user-data-dir in args). */
export async function launchChromium(): Promise<Browser> {
  expect(existsSync(CHROMIUM), CHROMIUM_MISSING).toBe(true);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export type OperatorRole = 'viewer' | 'support' | 'finance' | 'admin';

/**
 * An operator made in this process by what `pnpm admin operator:create` calls (createOperatorAccount): a
 * second or two faster than the CLI, which each file still runs once (createOperator).
 */
export async function addOperator(db: Kysely<Database>, operator: { name: string; role: OperatorRole; password: string }): Promise<void> {
  await createOperatorAccount(db, operator);
}

/** `pnpm admin operator:create --name <name> --role <role> --password <password>` against the database. */
export async function createOperator(databaseUrl: string, operator: { name: string; role: OperatorRole; password: string }): Promise<string> {
  const cli = run([TSX, ADMIN_ENTRY, 'operator:create', '--name', operator.name, '--role', operator.role, '--password', operator.password], {
    DATABASE_URL: databaseUrl,
    USER: 'console-tests',
  });
  const code = await cli.exited;
  expect(code, cli.output()).toBe(0);
  return cli.output();
}

/**
 * The console's address on a server listening on 127.0.0.1: through "localhost", whose pages count as secure
 * origins, so Chromium keeps the Secure cookie over plain HTTP.
 */
export function consoleUrl(baseUrl: string): string {
  const url = new URL('/console/', baseUrl);
  url.hostname = 'localhost';
  return url.toString();
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page, and what its console reported as errors. */
  problems: string[];
}

/**
 * A fresh browser context (no cookie) at the viewport, on the console's page. `fakeClock`: the page's timers
 * run on playwright's clock (page.clock.fastForward), its time flowing as usual otherwise.
 */
export async function openConsole(
  browser: Browser,
  baseUrl: string,
  viewport: Viewport,
  options: { fakeClock?: boolean } = {},
): Promise<ConsolePage> {
  const context = await browser.newContext({
    viewport: { width: viewport.width, height: viewport.height },
    isMobile: viewport.mobile,
    hasTouch: viewport.mobile,
    deviceScaleFactor: viewport.mobile ? 2 : 1,
  });
  context.setDefaultTimeout(10_000);
  if (options.fakeClock) await context.clock.install();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => {
    problems.push(error.message);
    // Said at once too: a page that crashed fails a later step, whose timeout would not say why.
    console.warn(`the console page threw: ${error.stack ?? error.message}`);
  });
  page.on('console', (message) => {
    // A refused call is answered on the page (role="alert"), and the browser also logs the failed request.
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) problems.push(message.text());
  });
  await page.goto(consoleUrl(baseUrl));
  return { context, page, problems };
}

/** Logs in through the form (labels "Name", "Password", button "Log in"); resolves once "Log out" shows. */
export async function logIn(page: Page, name: string, password: string): Promise<void> {
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

/** Finds a player by `query` through the search form and opens the result named `linkName`. */
export async function openPlayer(page: Page, query: string, linkName: string): Promise<void> {
  await page.getByLabel('Find a player').fill(query);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: linkName, exact: true }).click();
  // The player's page, or the API's refusal of it (role="alert"), said.
  const account = page.getByRole('heading', { name: 'Account', exact: true });
  await account
    .or(page.getByRole('alert'))
    .first()
    .waitFor()
    .catch(async (error: Error) => {
      throw new Error(`${error.message}\nthe page shows: ${await page.locator('body').innerText()}`);
    });
  expect(await page.getByRole('alert').allTextContents(), 'the page shows an alert instead of the player').toEqual([]);
  await account.waitFor();
}

/** The text of role="status" once it says `text` (fails with what it said otherwise). */
export async function statusSays(page: Page, text: string): Promise<void> {
  await expect
    .poll(
      () =>
        page
          .getByRole('status')
          .textContent({ timeout: 1_000 })
          .catch(() => null),
      { timeout: 10_000 },
    )
    .toBe(text);
}

/** Keeps a screenshot of the whole page as test/artifacts/console/<viewport>-<step>.png; answers its path. */
export async function screenshot(page: Page, viewport: Viewport, step: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Screenshots are test artefacts, never committed: the folder ignores itself.
  writeFileSync(join(ARTIFACTS, '.gitignore'), '*\n');
  const path = join(ARTIFACTS, `${viewport.name}-${step}.png`);
  await page.screenshot({ path, fullPage: true });
  expect(existsSync(path)).toBe(true);
  return path;
}

/**
 * Usable at this width: the page is laid out for the viewport (a phone's meta viewport honoured) and nothing
 * makes the whole page scroll sideways (wide tables scroll inside their own box).
 */
export async function expectFits(page: Page, viewport: Viewport): Promise<void> {
  const { inner, scroll } = await page.evaluate<{ inner: number; scroll: number }>(
    '({ inner: window.innerWidth, scroll: document.documentElement.scrollWidth })',
  );
  expect(inner).toBe(viewport.width);
  expect(scroll, `the page is ${scroll} px wide at ${viewport.width} px`).toBeLessThanOrEqual(viewport.width);
}
