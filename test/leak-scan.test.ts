import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, TEST_APPID, TEST_WECHAT_SECRET, type TestStack } from './support/stack.js';

// A suite of WeChat calls (logins, a sync, a phone, rankings, a refresh,
// failures of each kind) against a server whose every log line is kept,
// at the most talkative level; then the lines and every answer are searched
// for the secrets: the AppSecret, each session key WeChat issued, each
// WeChat access token, and (in the logs) login codes, our access and
// refresh tokens.
let stack: TestStack;
const answers: string[] = [];
const sessionKeys = new Set<string>();
const wechatTokens = new Set<string>();
const codes = new Set<string>();
const ourTokens = new Set<string>();

beforeAll(async () => {
  stack = await startTestStack({ LOG_LEVEL: 'trace', WECHAT_TIMEOUT_MS: '1000' });
});
afterAll(() => stack.close());

const noteKeys = (player: string) => {
  const key = stack.simulator.sessionKeyFor(TEST_APPID, player);
  if (key) sessionKeys.add(key);
  const token = stack.simulator.currentAccessToken(TEST_APPID);
  if (token) wechatTokens.add(token);
};

async function send(path: string, input: unknown, token?: string, kind: 'query' | 'mutation' = 'mutation') {
  const answer = await callProcedure(stack, kind, path, input, token ? { authorization: `Bearer ${token}` } : {});
  answers.push(JSON.stringify(answer.body), JSON.stringify([...answer.headers]));
  return answer;
}

async function login(player: string, code = stack.codeFor(player)) {
  codes.add(code);
  const answer = await send('auth.wechatLogin', { code });
  noteKeys(player);
  const data = answer.body.result?.data;
  if (data) {
    ourTokens.add(data.accessToken);
    ourTokens.add(data.refreshToken);
  }
  return data as { accessToken: string; refreshToken: string } | undefined;
}

describe('the leak scan', () => {
  it('finds no secret, session key, access token, login code or refresh token in any log line or answer', async () => {
    const amy = (await login('leak-amy'))!;
    await login('leak-amy', [...codes][0]); // the same code again: from the cache
    await send('account.syncWeChatUserInfo', stack.simulator.userInfoFor(TEST_APPID, 'leak-amy', { nickName: 'Amy' }), amy.accessToken);
    stack.simulator.rotateSessionKey(TEST_APPID, 'leak-amy');
    noteKeys('leak-amy');
    await send('account.syncWeChatUserInfo', stack.simulator.userInfoFor(TEST_APPID, 'leak-amy'), amy.accessToken); // stale
    await send('ranking.submitScore', { key: 'score', score: 1 }, amy.accessToken); // 87009
    const amy2 = (await login('leak-amy'))!;
    await send('account.bindPhone', { code: stack.simulator.issuePhoneCode(TEST_APPID, 'leak-amy', '13700000001') }, amy2.accessToken);
    await send('ranking.submitScore', { key: 'score', score: 2 }, amy2.accessToken);
    await send('ranking.removeScores', { keys: ['score'] }, amy2.accessToken);
    noteKeys('leak-amy');

    // WeChat revokes the access token: the call is refused 40001, the token replaced, the call retried.
    stack.simulator.revokeAccessTokens(TEST_APPID);
    await send('ranking.submitScore', { key: 'score', score: 3 }, amy2.accessToken);
    noteKeys('leak-amy');

    // WeChat's failures, each logged.
    stack.simulator.setFault('msg_sec_check', { kind: 'http', status: 502, body: '<html>bad gateway</html>', endpoint: 'msg_sec_check' });
    await send('account.updateProfile', { nickName: 'Amy again' }, amy2.accessToken);
    stack.simulator.setFault('msg_sec_check', null);
    for (const fault of [{ kind: 'errcode', errcode: -1 }, { kind: 'timeout' }, { kind: 'reset' }, { kind: 'errcode', errcode: 40125 }] as const) {
      stack.simulator.injectFault(fault);
      await login('leak-ben');
    }
    stack.simulator.injectFault({ kind: 'errcode', errcode: 40001, endpoint: 'stable_token' });
    stack.simulator.revokeAccessTokens(TEST_APPID);
    await send('ranking.submitScore', { key: 'score', score: 4 }, amy2.accessToken);
    const ben = (await login('leak-ben'))!;
    const refreshed = await send('auth.refresh', { refreshToken: ben.refreshToken });
    ourTokens.add(refreshed.body.result.data.refreshToken);
    await send('auth.refresh', { refreshToken: ben.refreshToken }); // spent: served again within the grace
    await send('account.me', undefined, ben.accessToken, 'query');
    await send('auth.logout', {}, ben.accessToken);
    noteKeys('leak-ben');

    const logs = stack.logs.join('\n');
    expect(stack.logs.length).toBeGreaterThan(20);
    // The failures were logged (so the scan looked at lines that talk about WeChat).
    expect(logs).toContain('WeChat could not log a player in');
    expect(logs).toContain('WeChat refused our credentials');
    expect(logs).toContain('msg_sec_check gave no verdict');
    const everything = `${logs}\n${answers.join('\n')}`;
    const leaks: string[] = [];
    const scan = (haystack: string, what: string, values: Iterable<string>) => {
      for (const value of values) if (value && haystack.includes(value)) leaks.push(`${what}: ${value.slice(0, 6)}…`);
    };
    scan(everything, 'the WeChat secret', [TEST_WECHAT_SECRET]);
    scan(everything, 'a session key', sessionKeys);
    scan(everything, 'a WeChat access token', wechatTokens);
    scan(logs, 'a login code', codes);
    scan(logs, 'one of our tokens', ourTokens);
    // The secret part of a refresh token (after the session id).
    scan(
      logs,
      'a refresh secret',
      [...ourTokens].filter((token) => token.includes('.') && !token.startsWith('ey')).map((token) => token.split('.')[1]!),
    );
    expect(leaks).toEqual([]);
    expect(sessionKeys.size).toBeGreaterThanOrEqual(3);
    expect(wechatTokens.size).toBeGreaterThanOrEqual(2);
  });
});
