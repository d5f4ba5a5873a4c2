import { appRouter } from '@minigate/api';
import type { SimulatedEndpoint, SimulatedFault } from '@minigate/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_APPID, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, TEST_WECHAT_SECRET, type TestStack } from '../support/stack.js';
import { bearer, RecordingClient, type Answer } from './support/http.js';
import { LeakScan, leakSummary } from './support/leaks.js';
import { startWeChatTap, type WeChatTap } from './support/wechat-tap.js';

// The leak scan on the paths where a secret is closest at hand: every
// procedure that uses the session key or WeChat's access token, WeChat
// failing on each endpoint that takes one (and echoing it back in its
// errmsg or error page), tokens sent where they do not belong (a query
// string, a refused connection, a 404), reuse and revocation. Logged at
// trace. Every answer and every log line is then searched for the WeChat
// secret, every session key and access token WeChat handed out (the tap
// keeps them all), every refresh and access token issued, every login code.
const procedures = new Set(Object.keys(appRouter._def.procedures as Record<string, unknown>));
const PLAYERS = ['leak-ann', 'leak-ben', 'leak-cat', 'leak-dan'];

let stack: TestStack;
let tap: WeChatTap;
const leaks = new LeakScan();
const http = new RecordingClient(leaks);
const sessionKeys = new Set<string>();
const answers: Answer[] = [];

beforeAll(async () => {
  tap = await startWeChatTap();
  stack = await startTestStack({
    WECHAT_API_BASE: tap.url,
    WECHAT_TIMEOUT_MS: '2000',
    // No breaker in the way: every fault below reaches the code that handles it.
    WECHAT_CIRCUIT_FAILURES: '1000',
    LOG_LEVEL: 'trace',
    REFRESH_REUSE_GRACE: '1',
  });
  tap.target = stack.simulator.url;
  leaks.logSource('server', () => stack.logs);
  leaks.secret('WeChat secret', TEST_WECHAT_SECRET);
  leaks.secret('JWT secret', TEST_JWT_SECRET);
  leaks.secret('encryption key', TEST_ENCRYPTION_KEY);
});
afterAll(async () => {
  await stack?.close();
  await tap?.close();
});

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const call = async (kind: 'query' | 'mutation', path: string, input?: unknown, headers: Record<string, string> = {}) => {
  const answer = await http.call(stack.baseUrl, kind, path, input, headers);
  answers.push(answer);
  return answer;
};

async function login(player: string, headers: Record<string, string> = {}) {
  const code = stack.codeFor(player);
  leaks.secret('login code', code);
  const answer = await call('mutation', 'auth.wechatLogin', { code }, headers);
  expect(answer.status, answer.text).toBe(200);
  sessionKeys.add(stack.simulator.sessionKeyFor(TEST_APPID, player)!);
  return answer.body.result.data as { accessToken: string; refreshToken: string; account: { id: number } };
}

/** Runs `work` with WeChat answering `fault` on `endpoint`. */
async function withFault(endpoint: SimulatedEndpoint, fault: SimulatedFault, work: () => Promise<void>) {
  stack.simulator.setFault(endpoint, fault);
  try {
    await work();
  } finally {
    stack.simulator.setFault(endpoint, null);
  }
}

describe('leak scan over the paths closest to a secret', () => {
  it('drives every procedure that touches the session key or the access token, WeChat failing on each of their endpoints', async () => {
    const tokens = new Map<string, Awaited<ReturnType<typeof login>>>();
    for (const player of PLAYERS) {
      await login(player);
      // A returning player, sending its old token along on the public call.
      tokens.set(player, await login(player, bearer((await login(player)).accessToken)));
    }
    const ann = tokens.get('leak-ann')!;
    const as = (player: string) => bearer(tokens.get(player)!.accessToken);

    expect((await call('query', 'account.me', undefined, as('leak-ann'))).status).toBe(200);
    expect((await call('mutation', 'account.heartbeat', undefined, as('leak-ann'))).status).toBe(200);
    // A nickname goes through msg_sec_check: stable_token first.
    expect((await call('mutation', 'account.updateProfile', { nickName: 'Ann 🐉' }, as('leak-ann'))).status).toBe(200);
    const exported = await call('mutation', 'account.export', undefined, as('leak-ann'));
    expect(exported.status).toBe(200);
    expect(exported.text).toContain(stack.simulator.openidFor(TEST_APPID, 'leak-ann'));

    const wechatToken = stack.simulator.currentAccessToken(TEST_APPID);
    expect(wechatToken).not.toBeNull();
    // What an egress proxy's error page might quote: the URL, secrets and all. Pages are not logged.
    const echo = `access_token=${wechatToken}&secret=${TEST_WECHAT_SECRET}`;
    // WeChat failing on msg_sec_check and stable_token: the profile is saved anyway (the nickname rechecked later), nothing leaks.
    const faults: Array<[SimulatedEndpoint, SimulatedFault]> = [
      ['msg_sec_check', { kind: 'errcode', errcode: -1 }],
      ['msg_sec_check', { kind: 'http', status: 502, body: `<html>bad gateway /wxa/msg_sec_check?${echo}</html>` }],
      ['msg_sec_check', { kind: 'reset' }],
      ['msg_sec_check', { kind: 'timeout' }],
      ['msg_sec_check', { kind: 'errcode', errcode: 40001 }],
      ['stable_token', { kind: 'errcode', errcode: -1 }],
      ['stable_token', { kind: 'http', status: 500, body: `<html>${echo}</html>` }],
      ['stable_token', { kind: 'reset' }],
    ];
    for (const [i, [endpoint, fault]] of faults.entries()) {
      if (endpoint === 'stable_token') stack.simulator.revokeAccessTokens(TEST_APPID);
      await withFault(endpoint, fault, async () => {
        const answer = await call('mutation', 'account.updateProfile', { nickName: `Ann ${i}` }, as('leak-ann'));
        expect(answer.status, answer.text).toBeLessThan(500);
      });
    }
    stack.simulator.revokeAccessTokens(TEST_APPID);
    expect((await call('mutation', 'account.updateProfile', { nickName: 'Ann again' }, as('leak-ann'))).status).toBe(200);

    if (procedures.has('account.syncWeChatUserInfo')) {
      const info = stack.simulator.userInfoFor(TEST_APPID, 'leak-ben', { nickName: 'Ben 🎮' });
      const { encryptedData, iv, rawData, signature } = info;
      expect((await call('mutation', 'account.syncWeChatUserInfo', { encryptedData, iv, rawData, signature }, as('leak-ben'))).status).toBe(200);
      const tampered = await call('mutation', 'account.syncWeChatUserInfo', { encryptedData, iv, rawData: `${rawData} `, signature }, as('leak-ben'));
      expect(tampered.status).toBe(400);
      // WeChat rotated the key behind the server's back (a wx.login whose code never arrived): stale, and said so.
      sessionKeys.add(stack.simulator.rotateSessionKey(TEST_APPID, 'leak-ben'));
      const fresh = stack.simulator.userInfoFor(TEST_APPID, 'leak-ben');
      const stale = await call('mutation', 'account.syncWeChatUserInfo', { encryptedData: fresh.encryptedData, iv: fresh.iv }, as('leak-ben'));
      expect(stale.status).toBeGreaterThanOrEqual(400);
      expect(stale.status).toBeLessThan(500);
    }
    if (procedures.has('account.bindPhone')) {
      const phoneCode = stack.simulator.issuePhoneCode(TEST_APPID, 'leak-cat', '13800138000');
      expect((await call('mutation', 'account.bindPhone', { code: phoneCode }, as('leak-cat'))).status).toBe(200);
      expect((await call('mutation', 'account.bindPhone', { code: phoneCode }, as('leak-cat'))).status).toBeLessThan(500);
      await withFault('getuserphonenumber', { kind: 'http', status: 502, body: `<html>${echo}</html>` }, async () => {
        const answer = await call(
          'mutation',
          'account.bindPhone',
          { code: stack.simulator.issuePhoneCode(TEST_APPID, 'leak-cat', '13800138001') },
          as('leak-cat'),
        );
        expect([502, 503, 504]).toContain(answer.status);
      });
    }

    // Refresh chains, a retry within the grace window, then reuse after it: the session ends.
    let pair = tokens.get('leak-dan')!;
    for (let i = 0; i < 3; i++) {
      const rotated = await call('mutation', 'auth.refresh', { refreshToken: pair.refreshToken });
      expect(rotated.status).toBe(200);
      pair = rotated.body.result.data;
    }
    const spent = pair.refreshToken;
    expect((await call('mutation', 'auth.refresh', { refreshToken: spent })).status).toBe(200);
    expect((await call('mutation', 'auth.refresh', { refreshToken: spent })).status).toBe(200);
    await sleep(1_300);
    expect((await call('mutation', 'auth.refresh', { refreshToken: spent })).body.error.data.reason).toBe('REFRESH_TOKEN_REUSED');

    // Tokens where they do not belong: a query string, a path outside /trpc, a connection Node's parser refuses.
    expect((await call('query', 'auth.refresh', { refreshToken: ann.refreshToken })).status).toBe(405);
    const astray = await http.request(`${stack.baseUrl}/nowhere?refresh_token=${ann.refreshToken}&access_token=${ann.accessToken}`, {
      headers: bearer(ann.accessToken),
    });
    expect(astray.status).toBe(404);
    const refused = await http.raw(
      stack.baseUrl,
      `GET /healthz?token=${ann.refreshToken} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ann.accessToken}\r\nthis is not a header\r\n\r\n`,
      'a malformed request carrying tokens',
    );
    expect(refused.status).toBe(400);
    const tooLarge = await http.raw(
      stack.baseUrl,
      `GET /trpc/account.me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ann.accessToken}\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\n`,
      'an oversized request carrying a token',
    );
    expect(tooLarge.status).toBe(431);

    // Logouts of every kind.
    expect((await call('mutation', 'auth.logout', { refreshToken: ann.refreshToken })).body.result.data).toEqual({ loggedOut: true });
    expect((await call('mutation', 'auth.logoutAll', undefined, as('leak-ben'))).status).toBe(200);
    expect((await call('query', 'account.me', undefined, as('leak-ann'))).status).toBe(401);
    expect((await call('mutation', 'account.delete', undefined, as('leak-cat'))).status).toBe(200);
    // What the access-log and the error logs have written by now is searched next.
    await sleep(200);
  });

  it('finds 0 secrets, session keys or tokens in any answer or log line', () => {
    for (const key of [...tap.sessionKeys, ...sessionKeys]) leaks.secret('session key', key);
    for (const token of tap.accessTokens) leaks.secret('WeChat access token', token);
    leaks.secret('WeChat access token', stack.simulator.currentAccessToken(TEST_APPID));
    // The tap saw what the simulator says it handed out.
    for (const player of PLAYERS.filter((name) => name !== 'leak-ben'))
      expect(tap.sessionKeys).toContain(stack.simulator.sessionKeyFor(TEST_APPID, player));
    const report = leaks.scan();
    expect(report.secrets['WeChat access token']).toBeGreaterThanOrEqual(2);
    expect(report.secrets['session key']).toBeGreaterThanOrEqual(PLAYERS.length * 3);
    expect(report.secrets['refresh token']).toBeGreaterThanOrEqual(PLAYERS.length * 3);
    expect(report.logLines).toBeGreaterThan(answers.length);
    expect(report.hits).toEqual([]);
    expect(report.stackTraces).toEqual([]);
    console.log(leakSummary('secrets at hand', report));
  });

  it('the scan would find one: a session key and a refresh token planted in a log line and an answer are hits', () => {
    // The same scan over planted leaks (a session key URL-encoded, the secret in a URL, a token in an answer that did not issue it):
    // it must report exactly those, and not the tokens of the answer that issued them.
    const planted = new LeakScan();
    const key = [...tap.sessionKeys][0]!;
    planted.secret('session key', key);
    planted.secret('WeChat secret', TEST_WECHAT_SECRET);
    const issuing = answers.find((answer) => answer.body?.result?.data?.refreshToken)!;
    planted.answer('POST /trpc/auth.wechatLogin', issuing.text);
    const issued = issuing.body.result.data.refreshToken as string;
    planted.answer('GET /trpc/account.me', `{"result":{"data":{"note":"${issued}"}}}`);
    planted.logSource('planted', () => [
      `{"level":30,"msg":"login","session_key":"${encodeURIComponent(key)}"}`,
      `{"msg":"config","url":"x?secret=${TEST_WECHAT_SECRET}"}`,
    ]);
    const report = planted.scan();
    expect(report.hits.map((hit) => `${hit.kind} in ${hit.where}`).sort()).toEqual(
      ['WeChat secret in log of planted', 'refresh token in answer to GET /trpc/account.me', 'session key in log of planted'].sort(),
    );
  });
  // Found by this suite: WeChat's errmsg was scrubbed only of the values the call itself carried, so an errmsg quoting
  // the AppSecret on a call that does not send it (msg_sec_check, getuserphonenumber) or another access token was
  // logged verbatim. Every errmsg is now scrubbed of the AppSecret and every access token the client holds.
  it('masks a WeChat errmsg quoting the AppSecret or an access token the call did not carry (found by this suite)', async () => {
    const from = stack.logs.length;
    const player = await http.call(stack.baseUrl, 'mutation', 'auth.wechatLogin', { code: stack.codeFor('leak-echo') });
    const token = bearer(player.body?.result?.data?.accessToken as string);
    await http.call(stack.baseUrl, 'mutation', 'account.updateProfile', { nickName: 'Echo' }, token);
    const wechatToken = stack.simulator.currentAccessToken(TEST_APPID);
    const echoed = `hints: [ access_token=${wechatToken}&secret=${TEST_WECHAT_SECRET} ]`;
    const cases: Array<[SimulatedEndpoint, SimulatedFault]> = [
      ['msg_sec_check', { kind: 'errcode', errcode: -1, errmsg: `system error, ${echoed}` }],
      ['msg_sec_check', { kind: 'errcode', errcode: 40001, errmsg: `invalid credential, access_token is invalid or not latest, ${echoed}` }],
      ['stable_token', { kind: 'errcode', errcode: -1, errmsg: `system error, ${echoed}` }],
    ];
    for (const [i, [endpoint, fault]] of cases.entries()) {
      if (endpoint === 'stable_token') stack.simulator.revokeAccessTokens(TEST_APPID);
      await withFault(endpoint, fault, async () => {
        await http.call(stack.baseUrl, 'mutation', 'account.updateProfile', { nickName: `Echo ${i}` }, token);
      });
    }
    const scan = new LeakScan();
    scan.secret('WeChat secret', TEST_WECHAT_SECRET);
    for (const value of [...tap.accessTokens, wechatToken]) scan.secret('WeChat access token', value);
    scan.logSource('server', () => stack.logs.slice(from));
    expect(scan.scan().hits).toEqual([]);
  });
});
