import { randomBytes } from 'node:crypto';
import { fail, type Answer } from '../answers.js';
import { IssuedCodes, type IssuedCode } from '../codes.js';
import type { SimulatedEndpointDefinition, SimulatorContext } from '../endpoint.js';
import { FaultQueue } from '../faults.js';
import { playerKey } from '../players.js';
import type { SessionKeyRotation } from '../types.js';

export interface Jscode2SessionOptions {
  /** How long a wx.login code stays valid. */
  codeTtlMs: number;
  /** Calls allowed per player per minute before 45011. */
  callsPerPlayerPerMinute: number;
  sessionKeyRotation: SessionKeyRotation;
}

const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function newCode(): string {
  const bytes = randomBytes(32);
  let code = '';
  for (const byte of bytes) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
  return code;
}

/**
 * GET /sns/jscode2session (登录凭证校验): a wx.login code for the player's
 * openid, session_key and (with an open platform) unionid. Codes are
 * single-use and expire; a player has a per-minute quota; a blocked player
 * gets 40226.
 */
export function createJscode2Session(context: SimulatorContext, options: Jscode2SessionOptions) {
  const { apps, now, players } = context;
  const codes = new IssuedCodes<IssuedCode>(now, options.codeTtlMs);
  const blocked = new Set<string>();
  const callWindows = new Map<string, { startedAt: number; calls: number }>();
  let sessionKeyRotation = options.sessionKeyRotation;

  const overQuota = (appid: string, player: string) => {
    const key = playerKey(appid, player);
    const window = callWindows.get(key);
    if (!window || now() - window.startedAt >= 60_000) {
      callWindows.set(key, { startedAt: now(), calls: 1 });
      return false;
    }
    window.calls += 1;
    return window.calls > options.callsPerPlayerPerMinute;
  };

  const answer = (query: URLSearchParams): Answer => {
    const appid = query.get('appid');
    const secret = query.get('secret');
    const jsCode = query.get('js_code');
    if (!appid) return fail(41002);
    if (!secret) return fail(41004);
    if (!jsCode) return fail(41008);
    const app = apps.get(appid);
    // A Douyin or QQ appid is no WeChat appid (QQ's own jscode2session, same path, is routed by the appid).
    if (!app || (app.platform ?? 'wechat') !== 'wechat') return fail(40013);
    if (app.secret !== secret) return fail(40125);
    const issued = codes.find(jsCode, appid);
    if (!issued) return fail(40029);
    if (issued.used) return fail(40163);
    if (overQuota(appid, issued.player)) return fail(45011);
    issued.used = true;
    if (blocked.has(playerKey(appid, issued.player))) return fail(40226);
    // WeChat's refresh has a minimum period: in 'on-demand' mode a login keeps the player's key.
    const kept = sessionKeyRotation === 'on-demand' ? players.session(appid, issued.player)?.sessionKey : undefined;
    const sessionKey = players.startSession(appid, issued.player, kept);
    const result: Answer = { openid: players.openidFor(appid, issued.player), session_key: sessionKey };
    const unionid = players.unionidFor(app, issued.player);
    if (unionid) result.unionid = unionid;
    return result;
  };

  const endpoint: SimulatedEndpointDefinition = {
    name: 'jscode2session',
    path: '/sns/jscode2session',
    method: 'GET',
    // WeChat answers jscode2session with text/plain; clients must not rely on the content type.
    contentType: 'text/plain',
    faults: new FaultQueue(),
    answer: ({ query }) => answer(query),
  };

  return {
    endpoint,
    /** Issues a wx.login code for the player (what wx.login gives the game). */
    issueCode(appid: string, player: string): string {
      const code = newCode();
      codes.add(code, { appid, player, issuedAt: now(), used: false });
      return code;
    },
    blockPlayer(appid: string, player: string): void {
      blocked.add(playerKey(appid, player));
    },
    setSessionKeyRotation(rotation: SessionKeyRotation): void {
      sessionKeyRotation = rotation;
    },
  };
}
