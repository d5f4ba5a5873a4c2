import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// A game project holding only minigate.js and minigate.d.ts: no node_modules,
// no @trpc packages. The d.ts alone must type the API.
const DIST = resolve(import.meta.dirname, '../packages/client/dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const project = mkdtempSync(join(tmpdir(), 'minigate-game-'));
copyFileSync(join(DIST, 'minigate.js'), join(project, 'minigate.js'));
copyFileSync(join(DIST, 'minigate.d.ts'), join(project, 'minigate.d.ts'));
afterAll(() => rmSync(project, { recursive: true, force: true }));
// The official typings of the mini-game API, as a game project installs them (npm i -D minigame-api-typings).
mkdirSync(join(project, 'node_modules'));
symlinkSync(
  realpathSync(resolve(import.meta.dirname, 'node_modules/minigame-api-typings')),
  join(project, 'node_modules/minigame-api-typings'),
  'dir',
);
// Douyin's (npm i -D @douyin-microapp/typings): its global tt. It cannot share a compilation with
// minigame-api-typings (both declare console, setTimeout, module...): a game builds for one platform at a time.
mkdirSync(join(project, 'node_modules/@douyin-microapp'));
symlinkSync(
  realpathSync(resolve(import.meta.dirname, '../packages/client/node_modules/@douyin-microapp/typings')),
  join(project, 'node_modules/@douyin-microapp/typings'),
  'dir',
);

function typecheck(game: string, lib = ['es2017'], types: string[] = []): string {
  writeFileSync(join(project, 'game.ts'), game);
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'es2017', lib, types, module: 'commonjs' }, files: ['game.ts'] }),
  );
  try {
    execFileSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout);
  }
}

const PREAMBLE = `import { createClient, type MinigameWx } from './minigate';
declare const wx: MinigameWx;
const { api, login } = createClient({ url: 'https://api.example.com/trpc', wx });
`;

// Each case runs tsc (2-8 s on a loaded machine).
describe('the self-contained minigate.d.ts', { timeout: 90_000 }, () => {
  it.each([[['es2017']], [['es2020', 'dom']]])('types login and account.me for a game with nothing else installed (lib %j)', (lib) => {
    const errors = typecheck(
      `${PREAMBLE}
async function main(): Promise<void> {
  const answer = await login();
  const expiresIn: number = answer.expiresIn;
  const me = await api.account.me.query();
  const nickName: string = me.nickName;
  const level: number = me.profile.level;
  await api.auth.wechatLogin.mutate({ code: 'abc' });
  void [expiresIn, nickName, level];
}
void main;`,
      lib,
    );
    expect(errors).toBe('');
  });

  it('breaks the game build on a renamed field or a wrong input', () => {
    const errors = typecheck(`${PREAMBLE}
async function main(): Promise<void> {
  const me = await api.account.me.query();
  const name: string = me.nickname;
  await api.auth.wechatLogin.mutate({ jsCode: 'abc' });
  void name;
}
void main;`);
    expect(errors).toMatch(/Property 'nickname' does not exist/);
    expect(errors).toMatch(/jsCode/);
  });

  it('takes the wx of a game typed with minigame-api-typings (WechatMinigame.Wx) without a cast', () => {
    const errors = typecheck(
      `import { createClient, networkErrorOf, type NetworkErrorKind } from './minigate';
const typedWx: WechatMinigame.Wx = wx;
const { api } = createClient({ url: 'https://api.example.com/trpc', wx, autoLogin: true });
const again = createClient({ url: 'https://api.example.com/trpc', wx: typedWx, maxBatchSize: 20, maxRequestsInFlight: 10, timeoutMs: 5000 });
async function main(): Promise<NetworkErrorKind | number> {
  try {
    return (await api.account.me.query()).profile.level + Number(again.isLoggedIn());
  } catch (error) {
    const kind = networkErrorOf(error)?.kind;
    switch (kind) {
      case 'TIMEOUT': case 'ABORTED': case 'INTERRUPTED': case 'UNREACHABLE': case 'BAD_RESPONSE': return kind;
      case undefined: return 0;
      default: { const never: never = kind; return never; }
    }
  }
}
void main;`,
      ['es2017'],
      ['minigame-api-typings'],
    );
    expect(errors).toBe('');
  });

  it("takes Douyin's tt as @douyin-microapp/typings types it, without a cast, and types auth.login and the Douyin login", () => {
    const errors = typecheck(
      `import { createClient, type MinigameRuntime, type LoginResult } from './minigate';
const runtime: MinigameRuntime = tt;
const client = createClient({ url: 'https://api.example.com/trpc', runtime: tt });
const named = createClient({ url: 'https://api.example.com/trpc', wx: tt, appid: 'tt0123456789abcdef' });
const found = createClient({ url: 'https://api.example.com/trpc' });
async function main(): Promise<void> {
  const answer: LoginResult = await client.login({ force: true });
  const guest: number | undefined = answer.guestAccountId;
  const me = await named.api.account.me.query();
  const platform: 'wechat' | 'douyin' | 'qq' = me.app.platform;
  const appid: string = me.app.appid;
  const kinds: string[] = me.identities.map((identity) => identity.kind);
  await found.api.auth.login.mutate({ appid: 'tt0123456789abcdef', anonymousCode: 'a' });
  await found.api.auth.login.mutate({ appid: 'tt0123456789abcdef', code: 'c', anonymousCode: 'a' });
  const on: 'wx' | 'tt' | 'qq' = found.runtime;
  void [runtime, guest, platform, appid, kinds, on];
}
void main;`,
      ['es2017'],
      ['@douyin-microapp/typings'],
    );
    expect(errors).toBe('');
  });

  it("takes QQ's qq (typed with minigame-api-typings' Wx, as QQ's API is WeChat's: QQ publishes no typings) without a cast", () => {
    const errors = typecheck(
      `import { createClient, type MinigameRuntime } from './minigate';
declare const qq: WechatMinigame.Wx;
const runtimes: MinigameRuntime[] = [wx, qq];
const { api } = createClient({ url: 'https://api.example.com/trpc', runtime: qq });
async function main(): Promise<string> {
  return (await api.auth.login.mutate({ appid: '1112223334', code: 'c' })).accessToken;
}
void [runtimes, main];`,
      ['es2017'],
      ['minigame-api-typings'],
    );
    expect(errors).toBe('');
  });

  it('types payments.buyItem, its order and MinigatePaymentError for a WeChat game, and breaks on a wrong input', () => {
    const errors = typecheck(
      `import { createClient, paymentErrorOf, type Order, type PaymentErrorKind } from './minigate';
const client = createClient({ url: 'https://api.example.com/trpc', wx, payments: { pollMs: 500, maxPollMs: 4000, deliveryTimeoutMs: 30000 } });
async function main(): Promise<PaymentErrorKind | number> {
  try {
    const order: Order = await client.payments.buyItem({ productId: 'gem60', quantity: 1 });
    const delivered: 'created' | 'delivered' | 'refunded' = order.status;
    const outTradeNo: string = order.outTradeNo;
    void [delivered, outTradeNo];
    return order.price;
  } catch (error) {
    const payment = paymentErrorOf(error);
    if (!payment) throw error;
    const code: number | null = payment.errCode;
    const tradeNo: string | null = payment.outTradeNo;
    void [code, tradeNo];
    switch (payment.kind) {
      case 'UNSUPPORTED': case 'ORDER_FAILED': case 'CANCELLED': case 'PAYMENT_FAILED': case 'DELIVERY_TIMEOUT': case 'REFUNDED': return payment.kind;
      default: { const never: never = payment.kind; return never; }
    }
  }
}
void main;`,
      ['es2017'],
      ['minigame-api-typings'],
    );
    expect(errors).toBe('');
    const wrong = typecheck(`${PREAMBLE}
void createClient({ url: 'u', wx }).payments.buyItem({ product: 'gem60', quantity: 1 });`);
    expect(wrong).toMatch(/product/);
  });

  it('breaks the game build on a wrong auth.login input or an unknown login option', () => {
    const errors = typecheck(`${PREAMBLE}
void api.auth.login.mutate({ appId: 'tt0123456789abcdef', code: 'c' });
void login({ forced: true });`);
    expect(errors).toMatch(/appId/);
    expect(errors).toMatch(/forced/);
  });

  it('refuses a wx that lacks what the client needs', () => {
    const errors = typecheck(
      `import { createClient } from './minigate';
declare const notWx: { request(options: object): void };
createClient({ url: 'https://api.example.com/trpc', wx: notWx });`,
    );
    expect(errors).toMatch(/login|getStorageSync/);
  });
});
