import { createCipheriv, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, TEST_APPID, type TestStack } from './support/stack.js';

// account.syncWeChatUserInfo, account.bindPhone and ranking.* over plain
// HTTP against the simulator, every errcode path, and the login that
// survives WeChat (a repeated code, a code that met a failure).
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ WECHAT_TIMEOUT_MS: '1500', RATE_LIMIT_RANKING: '10/60', CONTENT_RECHECK_INTERVAL: '5' });
});
afterAll(() => stack.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function login(player: string): Promise<{ token: string; id: number }> {
  const answer = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor(player) });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return { token: answer.body.result.data.accessToken, id: answer.body.result.data.account.id };
}

const call = (token: string, path: string, input?: unknown) => callProcedure(stack, 'mutation', path, input, bearer(token));
const me = async (token: string) => (await callProcedure(stack, 'query', 'account.me', undefined, bearer(token))).body.result.data;
const reasonOf = (answer: { body: any }) => answer.body.error?.data?.reason as string | undefined;
const fieldsOf = (answer: { body: any }) => (answer.body.error?.data?.fields ?? []).map((field: { path: string }) => field.path) as string[];

/** User info as WeChat would give it, but built here: for data WeChat never makes for us (another appid). */
function craftedUserInfo(sessionKey: string, fields: Record<string, unknown>) {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(sessionKey, 'base64'), iv);
  const encryptedData = Buffer.concat([cipher.update(JSON.stringify(fields), 'utf8'), cipher.final()]).toString('base64');
  return { encryptedData, iv: iv.toString('base64') };
}

async function ageSessionKey(accountId: number, seconds: number): Promise<void> {
  await sql`UPDATE account_auth SET time_stamp = ${new Date(Date.now() - seconds * 1000)} WHERE account_id = ${accountId} AND auth_type LIKE 'wechat_openid:%'`.execute(
    stack.database.db,
  );
}

describe('account.syncWeChatUserInfo', () => {
  it('stores nickname, avatar, gender, city, province, country and language on account and profile', async () => {
    const player = await login('sync-amy');
    const info = stack.simulator.userInfoFor(TEST_APPID, 'sync-amy', {
      nickName: 'Amy 🐱',
      gender: 2,
      city: 'Shenzhen',
      province: 'Guangdong',
      country: 'China',
      language: 'zh_CN',
    });
    const answer = await call(player.token, 'account.syncWeChatUserInfo', info);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.result.data).toMatchObject({
      nickName: 'Amy 🐱',
      avatarUrl: info.userInfo.avatarUrl,
      profile: { gender: 2, city: 'Shenzhen', province: 'Guangdong', country: 'China', language: 'zh_CN' },
    });
    const exported = (await call(player.token, 'account.export')).body.result.data;
    expect(exported.profile).toMatchObject({ nickName: 'Amy 🐱', city: 'Shenzhen', language: 'zh_CN' });
    expect(exported.profile.wechatSyncedAt).toBeGreaterThan(Date.now() - 60_000);
    // Without rawData and signature too: the encrypted data is what counts.
    const again = stack.simulator.userInfoFor(TEST_APPID, 'sync-amy', { nickName: 'Amy' });
    expect((await call(player.token, 'account.syncWeChatUserInfo', { encryptedData: again.encryptedData, iv: again.iv })).status).toBe(200);
    expect((await me(player.token)).nickName).toBe('Amy');
  });

  it('answers SESSION_KEY_STALE (409) when the data was encrypted with a key the server does not hold, and works after a new login', async () => {
    const player = await login('sync-ben');
    stack.simulator.rotateSessionKey(TEST_APPID, 'sync-ben');
    const stale = await call(player.token, 'account.syncWeChatUserInfo', stack.simulator.userInfoFor(TEST_APPID, 'sync-ben'));
    expect(stale.status).toBe(409);
    expect(stale.body.error.data).toMatchObject({ code: 'CONFLICT', reason: 'SESSION_KEY_STALE' });
    const relogged = await login('sync-ben');
    expect((await call(relogged.token, 'account.syncWeChatUserInfo', stack.simulator.userInfoFor(TEST_APPID, 'sync-ben'))).status).toBe(200);
  });

  it('answers SESSION_KEY_STALE when the watermark predates the key, USER_INFO_EXPIRED when it is too old or in the future', async () => {
    const player = await login('sync-cat');
    const now = Math.floor(Date.now() / 1000);
    const earlier = stack.simulator.userInfoFor(TEST_APPID, 'sync-cat', undefined, { timestamp: now - 120 });
    expect(reasonOf(await call(player.token, 'account.syncWeChatUserInfo', earlier))).toBe('SESSION_KEY_STALE');

    await ageSessionKey(player.id, 3600);
    const old = stack.simulator.userInfoFor(TEST_APPID, 'sync-cat', undefined, { timestamp: now - 400 });
    const tooOld = await call(player.token, 'account.syncWeChatUserInfo', old);
    expect(tooOld.status).toBe(400);
    expect(reasonOf(tooOld)).toBe('USER_INFO_EXPIRED');
    const future = stack.simulator.userInfoFor(TEST_APPID, 'sync-cat', undefined, { timestamp: now + 600 });
    expect(reasonOf(await call(player.token, 'account.syncWeChatUserInfo', future))).toBe('USER_INFO_EXPIRED');
  });

  it("refuses another mini-game's data, a missing watermark and a tampered rawData", async () => {
    const player = await login('sync-dan');
    const key = stack.simulator.sessionKeyFor(TEST_APPID, 'sync-dan')!;
    const foreign = craftedUserInfo(key, { nickName: 'x', watermark: { appid: 'wxsomeoneelse01', timestamp: Math.floor(Date.now() / 1000) } });
    const refused = await call(player.token, 'account.syncWeChatUserInfo', foreign);
    expect(refused.status).toBe(400);
    expect(reasonOf(refused)).toBe('USER_INFO_INVALID');
    expect(reasonOf(await call(player.token, 'account.syncWeChatUserInfo', craftedUserInfo(key, { nickName: 'x' })))).toBe('USER_INFO_INVALID');

    const info = stack.simulator.userInfoFor(TEST_APPID, 'sync-dan');
    const tampered = await call(player.token, 'account.syncWeChatUserInfo', { ...info, rawData: info.rawData.replace('sync-dan', 'admin') });
    expect(tampered.status).toBe(400);
    expect(reasonOf(tampered)).toBe('SIGNATURE_INVALID');
    expect(fieldsOf(tampered)).toEqual(['signature']);
  });

  it.each([
    ['iv too short', { iv: 'c2hvcnQ=' }, 'iv'],
    ['iv not base64', { iv: '!!!!!!!!!!!!!!!!!!!!!!!!' }, 'iv'],
    ['encryptedData not base64', { encryptedData: 'not base64 at all' }, 'encryptedData'],
    ['encryptedData not whole blocks', { encryptedData: Buffer.alloc(20, 1).toString('base64') }, 'encryptedData'],
    ['rawData without signature', { signature: undefined }, 'signature'],
    ['signature not hex', { signature: 'z'.repeat(40) }, 'signature'],
  ])('garbage (%s) is 400 INPUT_INVALID naming the field, never a 500', async (_, change, field) => {
    const player = await login('sync-eve');
    const info = { ...stack.simulator.userInfoFor(TEST_APPID, 'sync-eve'), ...change };
    const answer = await call(player.token, 'account.syncWeChatUserInfo', {
      encryptedData: info.encryptedData,
      iv: info.iv,
      rawData: info.rawData,
      signature: info.signature,
    });
    expect(answer.status).toBe(400);
    expect(reasonOf(answer)).toBe('INPUT_INVALID');
    expect(fieldsOf(answer)).toContain(field);
  });
});

describe('content security on nicknames', () => {
  it('refuses a risky nickname from updateProfile and from the sync with 422 CONTENT_RISKY naming nickName, and keeps the old one', async () => {
    stack.simulator.setContentRules([{ word: 'forbiddenword', suggest: 'risky', label: 20001 }]);
    const player = await login('cs-fay');
    expect((await call(player.token, 'account.updateProfile', { nickName: 'Fay' })).status).toBe(200);
    const risky = await call(player.token, 'account.updateProfile', { nickName: 'Fay forbiddenword' });
    expect(risky.status).toBe(422);
    expect(risky.body.error.data).toMatchObject({ code: 'UNPROCESSABLE_CONTENT', reason: 'CONTENT_RISKY' });
    expect(fieldsOf(risky)).toEqual(['nickName']);
    const synced = await call(
      player.token,
      'account.syncWeChatUserInfo',
      stack.simulator.userInfoFor(TEST_APPID, 'cs-fay', { nickName: 'forbiddenword!' }),
    );
    expect(reasonOf(synced)).toBe('CONTENT_RISKY');
    expect((await me(player.token)).nickName).toBe('Fay');
    const request = stack.simulator.requestLog.filter((entry) => entry.endpoint === 'msg_sec_check').at(-1)!;
    expect(JSON.parse(request.body)).toMatchObject({ version: 2, scene: 1, openid: stack.simulator.openidFor(TEST_APPID, 'cs-fay') });
  });

  it('stores a nickname while WeChat cannot judge it, checks it again later and blanks it if WeChat then calls it risky', async () => {
    stack.simulator.setContentRules([{ word: 'laterbad', suggest: 'risky' }]);
    const player = await login('cs-gus');
    stack.simulator.setFault('msg_sec_check', { kind: 'http', status: 502, body: '<html>bad gateway</html>', endpoint: 'msg_sec_check' });
    const answer = await call(player.token, 'account.updateProfile', { nickName: 'Gus laterbad' });
    expect(answer.status).toBe(200);
    expect(answer.body.result.data.nickName).toBe('Gus laterbad');
    const queued = await stack.database.db.selectFrom('contentRecheck').selectAll().where('accountId', '=', player.id).execute();
    expect(queued).toHaveLength(1);
    expect(stack.logs.some((line) => line.includes('msg_sec_check gave no verdict'))).toBe(true);
    stack.simulator.setFault('msg_sec_check', null);
    const deadline = Date.now() + 25_000;
    while ((await me(player.token)).nickName !== '' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await me(player.token)).nickName).toBe('');
    expect(await stack.database.db.selectFrom('contentRecheck').selectAll().where('accountId', '=', player.id).execute()).toEqual([]);
  });
});

describe('account.bindPhone', () => {
  it('binds the number, shows it in me and export, refuses it to another account (PHONE_TAKEN) and frees it on delete', async () => {
    const ann = await login('phone-ann');
    const bob = await login('phone-bob');
    const code = stack.simulator.issuePhoneCode(TEST_APPID, 'phone-ann', '13800138000');
    const bound = await call(ann.token, 'account.bindPhone', { code });
    expect(bound.status, JSON.stringify(bound.body)).toBe(200);
    expect(bound.body.result.data).toEqual({ phone: '+8613800138000', phoneBound: true });
    expect((await me(ann.token)).phoneBound).toBe(true);
    const exported = (await call(ann.token, 'account.export')).body.result.data;
    expect(exported.profile.phone).toBe('+8613800138000');
    expect(exported.identities).toContainEqual(expect.objectContaining({ type: 'phone', identifier: '+8613800138000' }));

    const reused = await call(ann.token, 'account.bindPhone', { code });
    expect(reused.status).toBe(400);
    expect(reasonOf(reused)).toBe('PHONE_CODE_INVALID');

    const taken = await call(bob.token, 'account.bindPhone', { code: stack.simulator.issuePhoneCode(TEST_APPID, 'phone-bob', '13800138000') });
    expect(taken.status).toBe(409);
    expect(taken.body.error.data).toMatchObject({ code: 'CONFLICT', reason: 'PHONE_TAKEN' });

    expect((await call(ann.token, 'account.delete')).status).toBe(200);
    const freed = await call(bob.token, 'account.bindPhone', { code: stack.simulator.issuePhoneCode(TEST_APPID, 'phone-bob', '13800138000') });
    expect(freed.body.result.data).toEqual({ phone: '+8613800138000', phoneBound: true });
  });

  it('keeps the country code of a number outside China, and maps WeChat failures to reasons', async () => {
    const cid = await login('phone-cid');
    const foreign = stack.simulator.issuePhoneCode(TEST_APPID, 'phone-cid', {
      phoneNumber: '+1 2025550123',
      purePhoneNumber: '2025550123',
      countryCode: '1',
    });
    expect((await call(cid.token, 'account.bindPhone', { code: foreign })).body.result.data.phone).toBe('+12025550123');
    expect(reasonOf(await call(cid.token, 'account.bindPhone', { code: 'never-issued-phone-code' }))).toBe('PHONE_CODE_INVALID');
    stack.simulator.injectFault({ kind: 'errcode', errcode: -1, endpoint: 'getuserphonenumber' });
    const busy = await call(cid.token, 'account.bindPhone', { code: stack.simulator.issuePhoneCode(TEST_APPID, 'phone-cid', '13900000001') });
    expect(busy.status).toBe(503);
    expect(reasonOf(busy)).toBe('WECHAT_BUSY');
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(reasonOf(await call(cid.token, 'account.bindPhone', { code: 'has space' }))).toBe('INPUT_INVALID');
  });
});

describe('ranking', () => {
  it('writes the score into the player’s WeChat hosted data, signed, and removes keys', async () => {
    const player = await login('rank-amy');
    const answer = await call(player.token, 'ranking.submitScore', { key: 'weekly_score', score: 4200 });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.result.data).toMatchObject({ key: 'weekly_score', score: 4200 });
    const stored = JSON.parse(stack.simulator.userStorage(TEST_APPID, 'rank-amy').weekly_score!);
    expect(stored).toEqual({ wxgame: { score: 4200, update_time: answer.body.result.data.updatedAt } });
    expect((await call(player.token, 'ranking.removeScores', { keys: ['weekly_score'] })).body.result.data).toEqual({ removed: 1 });
    expect(stack.simulator.userStorage(TEST_APPID, 'rank-amy')).toEqual({});
  });

  it.each([
    [87016, 'STORAGE_VALUE_TOO_LONG'],
    [87017, 'STORAGE_DATA_TOO_LARGE'],
    [87018, 'STORAGE_TOO_MANY_KEYS'],
    [87019, 'STORAGE_KEY_TOO_LONG'],
  ])('WeChat %i is 400 %s', async (errcode, reason) => {
    const player = await login(`rank-limit-${errcode}`);
    stack.simulator.injectFault({ kind: 'errcode', errcode, endpoint: 'set_user_storage' });
    const answer = await call(player.token, 'ranking.submitScore', { key: 'score', score: 1 });
    expect(answer.status).toBe(400);
    expect(answer.body.error.data).toMatchObject({ code: 'BAD_REQUEST', reason });
  });

  it('a signature WeChat refuses (87009) is SESSION_KEY_STALE; an old key is confirmed with checksession first', async () => {
    const player = await login('rank-ben');
    stack.simulator.rotateSessionKey(TEST_APPID, 'rank-ben');
    const stale = await call(player.token, 'ranking.submitScore', { key: 'score', score: 5 });
    expect(stale.status).toBe(409);
    expect(reasonOf(stale)).toBe('SESSION_KEY_STALE');

    const fresh = await login('rank-ben');
    await ageSessionKey(fresh.id, 2 * 24 * 3600);
    const checks = stack.simulator.callCount('checksession');
    expect((await call(fresh.token, 'ranking.submitScore', { key: 'score', score: 6 })).status).toBe(200);
    expect(stack.simulator.callCount('checksession')).toBe(checks + 1);
    // Confirmed: the next write does not ask again.
    expect((await call(fresh.token, 'ranking.submitScore', { key: 'score', score: 7 })).status).toBe(200);
    expect(stack.simulator.callCount('checksession')).toBe(checks + 1);

    const cat = await login('rank-cat');
    await ageSessionKey(cat.id, 2 * 24 * 3600);
    stack.simulator.rotateSessionKey(TEST_APPID, 'rank-cat');
    const writes = stack.simulator.callCount('set_user_storage');
    expect(reasonOf(await call(cat.token, 'ranking.submitScore', { key: 'score', score: 8 }))).toBe('SESSION_KEY_STALE');
    expect(stack.simulator.callCount('set_user_storage')).toBe(writes);
  });

  it('checks key, score and keys before calling WeChat, and limits writes per player', async () => {
    const player = await login('rank-dan');
    for (const input of [
      { key: 'has space', score: 1 },
      { key: '', score: 1 },
      { key: 'k'.repeat(65), score: 1 },
      { key: 'score', score: -1 },
      { key: 'score', score: 1.5 },
      { key: 'score', score: 2 ** 31 },
      { key: 'score', score: 1, extra: true },
    ]) {
      const answer = await call(player.token, 'ranking.submitScore', input);
      expect(answer.status, JSON.stringify(input)).toBe(400);
      expect(reasonOf(answer)).toBe('INPUT_INVALID');
    }
    expect(reasonOf(await call(player.token, 'ranking.removeScores', { keys: ['a', 'a'] }))).toBe('INPUT_INVALID');
    expect(reasonOf(await call(player.token, 'ranking.removeScores', { keys: [] }))).toBe('INPUT_INVALID');

    const busy = await login('rank-eve');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await call(busy.token, 'ranking.submitScore', { key: 'score', score: i })).status);
    // Ten a minute here (RATE_LIMIT_RANKING=10/60).
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    const limited = await call(busy.token, 'ranking.submitScore', { key: 'score', score: 99 });
    expect(limited.body.error.data).toMatchObject({ reason: 'RATE_LIMITED', limit: 'ranking' });
    // Other procedures are not limited by it.
    expect((await callProcedure(stack, 'query', 'account.me', undefined, bearer(busy.token))).status).toBe(200);
  });
});

describe('a login that survives WeChat', () => {
  it('answers the same code again from the cache: a new session for the same account, WeChat asked once', async () => {
    const code = stack.codeFor('code-ann');
    const before = stack.simulator.callCount('jscode2session');
    const first = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code });
    const [second, third] = await Promise.all([
      callProcedure(stack, 'mutation', 'auth.wechatLogin', { code }),
      callProcedure(stack, 'mutation', 'auth.wechatLogin', { code }),
    ]);
    for (const answer of [first, second, third]) expect(answer.status).toBe(200);
    expect(new Set([first, second, third].map((answer) => answer.body.result.data.account.id)).size).toBe(1);
    expect(new Set([first, second, third].map((answer) => answer.body.result.data.refreshToken)).size).toBe(3);
    expect(stack.simulator.callCount('jscode2session')).toBe(before + 1);
    // The cache holds a hash of the code and the session key encrypted, never the code, the key or a token.
    const rows = await stack.database.db.selectFrom('wechatLoginCode').selectAll().execute();
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(code);
    expect(dump).not.toContain(stack.simulator.sessionKeyFor(TEST_APPID, 'code-ann'));
    expect(dump).not.toContain(first.body.result.data.refreshToken.split('.')[1]);
    // Concurrent first submissions share one exchange too.
    const racing = stack.codeFor('code-ann');
    const raced = await Promise.all([1, 2, 3].map(() => callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: racing })));
    expect(raced.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(stack.simulator.callCount('jscode2session')).toBe(before + 2);
  });

  it.each([
    ['-1 (busy)', { kind: 'errcode', errcode: -1 } as const, 503, 'WECHAT_BUSY'],
    ['a timeout', { kind: 'timeout' } as const, 504, 'WECHAT_TIMEOUT'],
    ['a dropped connection', { kind: 'reset' } as const, 502, 'WECHAT_UNAVAILABLE'],
  ])('a code that met %s is never sent again: its resubmission is CODE_RETRY_WITH_NEW_CODE at once', async (_, fault, status, reason) => {
    const code = stack.codeFor('code-ben');
    stack.simulator.injectFault(fault);
    const before = stack.simulator.callCount('jscode2session');
    const first = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code });
    expect(first.status).toBe(status);
    expect(reasonOf(first)).toBe(reason);
    const again = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code });
    expect(again.status).toBe(503);
    expect(again.body.error.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'CODE_RETRY_WITH_NEW_CODE' });
    expect(again.headers.get('retry-after')).toBe('1');
    expect(stack.simulator.callCount('jscode2session')).toBe(before + 1);
    // A new code logs in.
    expect((await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor('code-ben') })).status).toBe(200);
  });
});

describe('an unreachable WeChat', () => {
  let down: TestStack;
  beforeAll(async () => {
    down = await startTestStack({ WECHAT_CIRCUIT_FAILURES: '3', WECHAT_CIRCUIT_OPEN_SECONDS: '2' });
  });
  afterAll(() => down.close());

  it('opens the circuit after repeated connection failures: 503 WECHAT_UNAVAILABLE with Retry-After, nothing sent; closes once WeChat is back', async () => {
    const player = await callProcedure(down, 'mutation', 'auth.wechatLogin', { code: down.codeFor('cb-amy') });
    const token = player.body.result.data.accessToken as string;
    await down.simulator.setReachable(false);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await callProcedure(down, 'mutation', 'auth.wechatLogin', { code: `NeverSent${i}Code0000000000000` })).status);
    expect(statuses).toEqual([502, 502, 502]);
    const refused = await callProcedure(down, 'mutation', 'auth.wechatLogin', { code: down.codeFor('cb-amy') });
    expect(refused.status).toBe(503);
    expect(refused.body.error.data).toMatchObject({ reason: 'WECHAT_UNAVAILABLE' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const score = await callProcedure(down, 'mutation', 'ranking.submitScore', { key: 'score', score: 1 }, bearer(token));
    expect(score.status).toBe(503);
    expect(reasonOf(score)).toBe('WECHAT_UNAVAILABLE');
    expect(down.logs.some((line) => line.includes('circuit-opened'))).toBe(true);

    await down.simulator.setReachable(true);
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect((await callProcedure(down, 'mutation', 'auth.wechatLogin', { code: down.codeFor('cb-amy') })).status).toBe(200);
    expect(down.logs.some((line) => line.includes('circuit closed'))).toBe(true);
  });
});
