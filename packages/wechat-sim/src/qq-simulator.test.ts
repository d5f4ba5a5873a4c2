import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeChatSimulator, type WeChatSimulator } from './wechat-simulator.js';

// QQ's endpoints in the simulator, in QQ's own wire format: jscode2session shares WeChat's path.
const GAME = { appid: '1112223334', secret: 'qq-secret-1', platform: 'qq' as const };
const OTHER = { appid: '1112223335', secret: 'qq-secret-2', platform: 'qq' as const };
const WECHAT = { appid: 'wxsimgame0000010', secret: 'wechat-secret-10' };
let clock = Date.parse('2026-12-01T08:00:00Z');
let simulator: WeChatSimulator;

beforeAll(async () => {
  simulator = await startWeChatSimulator({ apps: [GAME, OTHER, WECHAT], now: () => clock });
});
afterAll(() => simulator.close());
beforeEach(() => simulator.clearFaults());

type Json = Record<string, any>;
const get = async (path: string, query: Record<string, string>): Promise<Json> =>
  (await (await fetch(`${simulator.url}${path}?${new URLSearchParams(query).toString()}`)).json()) as Json;
const login = (app: { appid: string; secret: string }, code: string) =>
  get('/sns/jscode2session', { appid: app.appid, secret: app.secret, js_code: code, grant_type: 'authorization_code' });

describe("QQ's jscode2session and getToken in the simulator", () => {
  it("answers on WeChat's path by the appid, counted as qq_jscode2session; a code is single-use and of its own app (40029)", async () => {
    const before = { qq: simulator.callCount('qq_jscode2session'), wechat: simulator.callCount('jscode2session') };
    const code = simulator.issueCode(GAME.appid, 'ann');
    expect(await login(GAME, code)).toEqual({
      openid: simulator.openidFor(GAME.appid, 'ann'),
      session_key: simulator.sessionKeyFor(GAME.appid, 'ann'),
    });
    expect((await login(GAME, code)).errcode).toBe(40029);
    expect((await login(OTHER, simulator.issueCode(GAME.appid, 'ann'))).errcode).toBe(40029);
    expect((await login(WECHAT, simulator.issueCode(GAME.appid, 'ann'))).errcode).toBe(40029);
    expect(simulator.callCount('qq_jscode2session') - before.qq).toBe(3);
    expect(simulator.callCount('jscode2session') - before.wechat).toBe(1);
    simulator.injectFault({ endpoint: 'qq_jscode2session', kind: 'errcode', errcode: -1 });
    expect((await login(GAME, simulator.issueCode(GAME.appid, 'ann'))).errcode).toBe(-1);
  });

  it('limits a player to 100 a minute (45011), another player not', async () => {
    for (let i = 0; i < 100; i++) expect((await login(GAME, simulator.issueCode(GAME.appid, 'busy'))).openid).toEqual(expect.any(String));
    expect((await login(GAME, simulator.issueCode(GAME.appid, 'busy'))).errcode).toBe(45011);
    expect((await login(GAME, simulator.issueCode(GAME.appid, 'calm'))).openid).toEqual(expect.any(String));
    clock += 60_000;
    expect((await login(GAME, simulator.issueCode(GAME.appid, 'busy'))).openid).toEqual(expect.any(String));
  });

  it('hands out tokens at /api/getToken, each replacing the last; 40013, 40001, 40002 otherwise', async () => {
    const query = { grant_type: 'client_credential', appid: GAME.appid, secret: GAME.secret };
    const first = await get('/api/getToken', query);
    expect(first).toEqual({ access_token: expect.any(String), expires_in: 7200 });
    const second = await get('/api/getToken', query);
    expect(second.access_token).not.toBe(first.access_token);
    expect(simulator.currentAccessToken(GAME.appid)).toBe(second.access_token);
    expect((await get('/api/getToken', { ...query, appid: WECHAT.appid })).errcode).toBe(40013);
    expect((await get('/api/getToken', { ...query, secret: 'no' })).errcode).toBe(40001);
    expect((await get('/api/getToken', { ...query, grant_type: 'x' })).errcode).toBe(40002);
  });
});
