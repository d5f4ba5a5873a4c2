import { createHmac, randomBytes } from 'node:crypto';
import { fail, stableId, type Answer } from './answers.js';
import type { SimulatedApp } from './types.js';

/** The player's current session_key at WeChat and when it was handed out (the player's last visit). */
export interface Session {
  sessionKey: string;
  issuedAt: number;
}

export const playerKey = (appid: string, player: string) => `${appid}\0${player}`;

/** hex(hmac_sha256(session_key, body)): the login-state signature of WeChat, Douyin and QQ alike. */
export const sessionHmac = (sessionKey: string, body: string) =>
  createHmac('sha256', Buffer.from(sessionKey, 'utf8')).update(Buffer.from(body, 'utf8')).digest('hex');

/**
 * The players WeChat knows, shared by every endpoint: their openid in each
 * app (and back), unionid, and current session_key.
 */
export class Players {
  private readonly byOpenid = new Map<string, string>();
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly now: () => number) {}

  /** The openid WeChat gives this player in this app. */
  openidFor(appid: string, player: string): string {
    const openid = stableId('o', appid, player);
    this.byOpenid.set(`${appid}\0${openid}`, player);
    return openid;
  }

  /** The player an openid of this app belongs to, if it was ever handed out. */
  playerOf(appid: string, openid: string | null): string | undefined {
    return openid ? this.byOpenid.get(`${appid}\0${openid}`) : undefined;
  }

  /** The player's unionid when the app is bound to an open platform account: one per platform and openPlatform. */
  unionidFor(app: SimulatedApp, player: string): string | undefined {
    if (!app.openPlatform) return undefined;
    const platform = app.platform ?? 'wechat';
    return platform === 'wechat' ? stableId('u', app.openPlatform, player) : stableId('u', platform, app.openPlatform, player);
  }

  /** The anonymous_openid Douyin gives a device (a guest) in this app. */
  anonymousOpenidFor(appid: string, device: string): string {
    return stableId('a', appid, device);
  }

  session(appid: string, player: string): Session | undefined {
    return this.sessions.get(playerKey(appid, player));
  }

  /** Hands the player `sessionKey` (a new random one by default) as of now; returns it. */
  startSession(appid: string, player: string, sessionKey = randomBytes(16).toString('base64')): string {
    this.sessions.set(playerKey(appid, player), { sessionKey, issuedAt: this.now() });
    return sessionKey;
  }

  /** The signed request's player, or WeChat's errcode: 40003 for an openid it does not know, 87009 for a bad signature. */
  signedPlayer(appid: string, query: URLSearchParams, body: string): string | Answer {
    const player = this.playerOf(appid, query.get('openid'));
    if (player === undefined) return fail(40003);
    const session = this.session(appid, player);
    if (!session || query.get('sig_method') !== 'hmac_sha256' || query.get('signature') !== sessionHmac(session.sessionKey, body)) return fail(87009);
    return player;
  }
}
