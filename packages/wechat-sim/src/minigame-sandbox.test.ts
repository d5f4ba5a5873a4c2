import { createDecipheriv, createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMinigameSandbox, type MinigameSandbox } from './minigame-sandbox.js';
import { startWeChatSimulator, type WeChatSimulator } from './wechat-simulator.js';

const APP = { appid: 'wxsandboxtest001', secret: 'sandbox-test-secret' };
const DOUYIN = { appid: 'ttsandboxtest001', secret: 'sandbox-douyin-secret', platform: 'douyin' as const };
const QQ = { appid: '1110000001', secret: 'sandbox-qq-secret', platform: 'qq' as const };
let simulator: WeChatSimulator;

beforeAll(async () => {
  simulator = await startWeChatSimulator({ apps: [APP, DOUYIN, QQ] });
});
afterAll(() => simulator.close());

type Json = Record<string, any>;

/** A sandbox whose player has logged in: wx.login in the game, the code exchanged as a server would. */
async function loggedIn(player: string, userInfo?: Json): Promise<{ sandbox: MinigameSandbox; sessionKey: string }> {
  const sandbox = createMinigameSandbox({ simulatorUrl: simulator.url, appid: APP.appid, player, ...(userInfo ? { userInfo } : {}) });
  const { code } = (await sandbox.run('wx.login()')) as { code: string };
  const query = new URLSearchParams({ appid: APP.appid, secret: APP.secret, js_code: code, grant_type: 'authorization_code' });
  const session = (await (await fetch(`${simulator.url}/sns/jscode2session?${query.toString()}`)).json()) as { session_key: string };
  return { sandbox, sessionKey: session.session_key };
}

const decrypt = (encryptedData: string, iv: string, sessionKey: string): Json => {
  const decipher = createDecipheriv('aes-128-cbc', Buffer.from(sessionKey, 'base64'), Buffer.from(iv, 'base64'));
  return JSON.parse(Buffer.concat([decipher.update(Buffer.from(encryptedData, 'base64')), decipher.final()]).toString('utf8')) as Json;
};

/** Runs game code that calls back `done(value)`, and waits for the value (crossing the realm through JSON). */
function playUntilDone(sandbox: MinigameSandbox, body: string, tap?: () => Promise<void>): Promise<Json> {
  return new Promise((resolve) => {
    sandbox.global.done = (value: unknown) => resolve(JSON.parse(JSON.stringify(value)) as Json);
    sandbox.run(body);
    void tap?.();
  });
}

describe('user info in the mini-game sandbox', () => {
  it('wx.getUserInfo gives what the simulator’s userInfoFor gives the player, encrypted with its current session key', async () => {
    const { sandbox, sessionKey } = await loggedIn('mia', { nickName: 'Mia', gender: 2 });
    const result = await playUntilDone(sandbox, `wx.getUserInfo({ withCredentials: true, success: done, fail: done })`);
    expect(result).toMatchObject({ errMsg: 'getUserInfo:ok', userInfo: { nickName: 'Mia', gender: 2 } });
    expect(JSON.parse(result.rawData as string)).toEqual(result.userInfo);
    expect(result.signature).toBe(
      createHash('sha1')
        .update(String(result.rawData) + sessionKey)
        .digest('hex'),
    );
    expect(decrypt(result.encryptedData as string, result.iv as string, sessionKey)).toMatchObject({
      openId: simulator.openidFor(APP.appid, 'mia'),
      nickName: 'Mia',
      watermark: { appid: APP.appid },
    });
    expect(sessionKey).toBe(simulator.sessionKeyFor(APP.appid, 'mia'));
  });

  it('wx.getUserInfo answers a promise without callbacks, leaves out the credentials without withCredentials, and fails when denied', async () => {
    const { sandbox } = await loggedIn('ned');
    const plain = (await sandbox.run('wx.getUserInfo({ withCredentials: false })')) as Json;
    expect(plain).toMatchObject({ errMsg: 'getUserInfo:ok', userInfo: { nickName: 'ned' } });
    expect(plain.encryptedData).toBeUndefined();
    sandbox.setUserInfoBehaviour({ kind: 'deny' });
    await expect(sandbox.run('wx.getUserInfo({})') as Promise<unknown>).rejects.toMatchObject({ errMsg: 'getUserInfo:fail auth deny' });
  });

  it('fails wx.getUserInfo before the player logged in', async () => {
    const sandbox = createMinigameSandbox({ simulatorUrl: simulator.url, appid: APP.appid, player: 'never-logged-in' });
    await expect(sandbox.run('wx.getUserInfo({})') as Promise<unknown>).rejects.toMatchObject({ errMsg: expect.stringMatching(/^getUserInfo:fail/) });
  });

  it('a user info button hands its onTap listeners the user info when the player taps it, and nothing once destroyed', async () => {
    const { sandbox, sessionKey } = await loggedIn('oli');
    const result = await playUntilDone(
      sandbox,
      `const button = wx.createUserInfoButton({ type: 'text', text: 'Sign in', style: { left: 10, top: 76, width: 200, height: 40 } });
       GameGlobal.button = button;
       button.onTap((res) => done(res));`,
      () => sandbox.tapUserInfoButton(),
    );
    expect(result.errMsg).toBe('getUserInfo:ok');
    expect(decrypt(result.encryptedData as string, result.iv as string, sessionKey)).toMatchObject({ nickName: 'oli' });

    let taps = 0;
    sandbox.global.count = () => (taps += 1);
    sandbox.run('button.offTap(); button.onTap(() => count()); button.hide();');
    await sandbox.tapUserInfoButton();
    expect(taps).toBe(0);
    sandbox.run('button.show();');
    await sandbox.tapUserInfoButton();
    expect(taps).toBe(1);
    sandbox.run('button.destroy();');
    await sandbox.tapUserInfoButton();
    expect(taps).toBe(1);
  });

  it('a tap while consent is refused hands the listener a fail errMsg', async () => {
    const { sandbox } = await loggedIn('pam');
    sandbox.setUserInfoBehaviour({ kind: 'deny', errMsg: 'privacy permission is not authorized' });
    const result = await playUntilDone(sandbox, `wx.createUserInfoButton({ type: 'text', text: 'Go' }).onTap(done);`, () =>
      sandbox.tapUserInfoButton(),
    );
    expect(result).toEqual({ errMsg: 'getUserInfo:fail privacy permission is not authorized' });
  });
});

/** Douyin's mini-game jscode2session (the flat GET), as a server calls it. */
async function douyinSession(code: string | undefined, anonymousCode: string | undefined): Promise<Json> {
  const query = new URLSearchParams({
    appid: DOUYIN.appid,
    secret: DOUYIN.secret,
    ...(code ? { code } : {}),
    ...(anonymousCode ? { anonymous_code: anonymousCode } : {}),
  });
  return (await (await fetch(`${simulator.url}/mgplatform/api/apps/jscode2session?${query.toString()}`)).json()) as Json;
}

describe('the sandbox on each runtime', () => {
  it('wx (the default) tells the appid through wx.getAccountInfoSync, and not when accountInfo is false (an old base library)', () => {
    const sandbox = createMinigameSandbox({ simulatorUrl: simulator.url, appid: APP.appid, player: 'rae' });
    expect(sandbox.run('wx.getAccountInfoSync().miniProgram.appId')).toBe(APP.appid);
    expect(sandbox.runtime).toBe(sandbox.global.wx);
    expect(sandbox.run('[typeof tt, typeof qq, typeof GameGlobal.wx]')).toEqual(['undefined', 'undefined', 'object']);
    const old = createMinigameSandbox({ simulatorUrl: simulator.url, appid: APP.appid, player: 'rae', accountInfo: false });
    expect(old.run('typeof wx.getAccountInfoSync')).toBe('undefined');
  });

  it('tt: the appid in tt.getEnvInfoSync().microapp, no wx, and no WeChat user info', () => {
    const sandbox = createMinigameSandbox({ simulatorUrl: simulator.url, appid: DOUYIN.appid, player: 'sol', runtime: 'tt' });
    expect(sandbox.run('tt.getEnvInfoSync().microapp.appId')).toBe(DOUYIN.appid);
    expect(sandbox.run('[typeof wx, typeof qq, typeof tt.getAccountInfoSync, typeof tt.createUserInfoButton, GameGlobal.tt === tt]')).toEqual([
      'undefined',
      'undefined',
      'undefined',
      'undefined',
      true,
    ]);
  });

  it('tt.login gives a logged-in player a code and an anonymousCode that Douyin exchanges for the openid and the device’s anonymous_openid', async () => {
    const sandbox = createMinigameSandbox({ simulatorUrl: simulator.url, appid: DOUYIN.appid, player: 'sol', runtime: 'tt', device: 'sol-phone' });
    const result = (await sandbox.run('tt.login({ force: false })')) as Json;
    expect(result).toMatchObject({ errMsg: 'login:ok', isLogin: true, code: expect.any(String), anonymousCode: expect.any(String) });
    const session = await douyinSession(result.code as string, result.anonymousCode as string);
    expect(session).toMatchObject({
      openid: simulator.openidFor(DOUYIN.appid, 'sol'),
      anonymous_openid: simulator.anonymousOpenidFor(DOUYIN.appid, 'sol-phone'),
    });
  });

  it('tt.login({ force: false }) gives a player not logged in to Douyin an anonymousCode alone; a forced tt.login (the default) logs them in', async () => {
    const sandbox = createMinigameSandbox({
      simulatorUrl: simulator.url,
      appid: DOUYIN.appid,
      player: 'tom',
      runtime: 'tt',
      device: 'tom-tablet',
      loggedInToHost: false,
    });
    const guest = await playUntilDone(sandbox, 'tt.login({ force: false, success: done, fail: done })');
    expect(guest).toEqual({ errMsg: 'login:ok', isLogin: false, anonymousCode: expect.any(String) });
    expect(await douyinSession(undefined, guest.anonymousCode as string)).toMatchObject({
      openid: '',
      anonymous_openid: simulator.anonymousOpenidFor(DOUYIN.appid, 'tom-tablet'),
    });

    const forced = (await sandbox.run('tt.login({})')) as Json;
    expect(forced).toMatchObject({ isLogin: true, code: expect.any(String), anonymousCode: expect.any(String) });
    expect((await douyinSession(forced.code as string, undefined)).openid).toBe(simulator.openidFor(DOUYIN.appid, 'tom'));
    // Logged in now, and out again.
    expect(((await sandbox.run('tt.login({ force: false })')) as Json).isLogin).toBe(true);
    sandbox.setLoggedInToHost(false);
    expect(((await sandbox.run('tt.login({ force: false })')) as Json).code).toBeUndefined();
  });

  it('qq: the appid in qq.getAccountInfoSync, and qq.login a code that QQ’s jscode2session exchanges', async () => {
    const sandbox = createMinigameSandbox({ simulatorUrl: simulator.url, appid: QQ.appid, player: 'uma', runtime: 'qq' });
    expect(sandbox.run('[qq.getAccountInfoSync().miniProgram.appId, typeof wx, typeof tt]')).toEqual([QQ.appid, 'undefined', 'undefined']);
    const { code } = (await sandbox.run('qq.login()')) as { code: string };
    const query = new URLSearchParams({ appid: QQ.appid, secret: QQ.secret, js_code: code, grant_type: 'authorization_code' });
    const session = (await (await fetch(`${simulator.url}/sns/jscode2session?${query.toString()}`)).json()) as Json;
    expect(session.openid).toBe(simulator.openidFor(QQ.appid, 'uma'));
    sandbox.setLoginBehaviour({ kind: 'fail', errMsg: 'system error' });
    await expect(sandbox.run('qq.login()') as Promise<unknown>).rejects.toEqual({ errMsg: 'login:fail system error' });
  });
});
