import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { stableId, type Answer } from '../answers.js';
import type { SimRoute, SimulatorContext } from '../endpoint.js';
import { playerKey } from '../players.js';
import type { SimulatedProfile, SimulatedUserInfo } from '../types.js';

/**
 * What wx.getUserInfo (or a user info button) gives the game: the profile,
 * signed and encrypted with the player's current session_key; by HTTP at
 * /sim/userinfo.
 */
export function createUserInfo(context: SimulatorContext) {
  const { apps, now, players } = context;
  const profiles = new Map<string, Partial<SimulatedProfile>>();

  const profileOf = (appid: string, player: string, override?: Partial<SimulatedProfile>): SimulatedProfile => ({
    nickName: player,
    avatarUrl: `https://thirdwx.qlogo.cn/mmopen/vi_32/${stableId('', appid, player, 'avatar')}/132`,
    gender: 0,
    country: '',
    province: '',
    city: '',
    language: 'zh_CN',
    ...profiles.get(playerKey(appid, player)),
    ...override,
  });

  const userInfoFor = (
    appid: string,
    player: string,
    override?: Partial<SimulatedProfile>,
    infoOptions: { timestamp?: number } = {},
  ): SimulatedUserInfo => {
    const app = apps.get(appid);
    if (!app) throw new Error(`unknown appid ${appid}`);
    const session = players.session(appid, player);
    if (!session) throw new Error(`player ${player} has not logged in to ${appid}: no session_key to encrypt with`);
    const userInfo = profileOf(appid, player, override);
    const rawData = JSON.stringify({
      nickName: userInfo.nickName,
      gender: userInfo.gender,
      language: userInfo.language,
      city: userInfo.city,
      province: userInfo.province,
      country: userInfo.country,
      avatarUrl: userInfo.avatarUrl,
    });
    const full: Answer = { openId: players.openidFor(appid, player), ...(JSON.parse(rawData) as Answer) };
    const unionId = players.unionidFor(app, player);
    if (unionId) full.unionId = unionId;
    full.watermark = { timestamp: infoOptions.timestamp ?? Math.floor(now() / 1000), appid };
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-128-cbc', Buffer.from(session.sessionKey, 'base64'), iv);
    const encryptedData = Buffer.concat([cipher.update(JSON.stringify(full), 'utf8'), cipher.final()]).toString('base64');
    return {
      userInfo,
      rawData,
      signature: createHash('sha1')
        .update(rawData + session.sessionKey, 'utf8')
        .digest('hex'),
      encryptedData,
      iv: iv.toString('base64'),
    };
  };

  const route: SimRoute = {
    path: '/sim/userinfo',
    answer({ appid, player }, params) {
      if (!players.session(appid, player)) return { status: 409, body: { error: 'the player has not logged in (wx.login) yet' } };
      const profile = typeof params.profile === 'object' && params.profile !== null ? (params.profile as Partial<SimulatedProfile>) : undefined;
      return { status: 200, body: userInfoFor(appid, player, profile) };
    },
  };

  return {
    route,
    userInfoFor,
    /** Sets what wx.getUserInfo reports for the player (merged over the default and earlier calls). */
    setUserProfile(appid: string, player: string, profile: Partial<SimulatedProfile>): void {
      profiles.set(playerKey(appid, player), { ...profiles.get(playerKey(appid, player)), ...profile });
    },
  };
}
