import { randomBytes } from 'node:crypto';
import { fail, type Answer } from '../answers.js';
import { IssuedCodes, type IssuedCode } from '../codes.js';
import type { SimulatedEndpointDefinition, SimulatorContext } from '../endpoint.js';
import { FaultQueue } from '../faults.js';
import { playerKey } from '../players.js';

export interface QQJscode2SessionOptions {
  /** How long a qq.login code stays valid. */
  codeTtlMs: number;
  /** Calls allowed per player per minute before 45011; QQ's is 100. */
  callsPerPlayerPerMinute: number;
}

/**
 * QQ's code2Session: GET api.q.qq.com/sns/jscode2session, the same path as
 * WeChat's (the simulator routes it by the appid's platform) and the same
 * answer (openid, session_key, unionid). QQ documents 40029 (a bad code),
 * 45011 (over 100 a minute per user) and -1 (busy); a spent code or one of
 * another app is 40029 too. A missing parameter, an unknown appid and a wrong
 * secret answer as WeChat's do (41002/41004/41008, 40013, 40125): QQ does not
 * document them.
 */
export function createQQJscode2Session(context: SimulatorContext, options: QQJscode2SessionOptions) {
  const { apps, now, players } = context;
  const codes = new IssuedCodes<IssuedCode>(now, options.codeTtlMs);
  const callWindows = new Map<string, { startedAt: number; calls: number }>();

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
    if (!app || app.platform !== 'qq') return fail(40013);
    if (app.secret !== secret) return fail(40125);
    const issued = codes.find(jsCode, appid);
    if (!issued || issued.used) return fail(40029);
    if (overQuota(appid, issued.player)) return fail(45011);
    issued.used = true;
    const result: Answer = { openid: players.openidFor(appid, issued.player), session_key: players.startSession(appid, issued.player) };
    const unionid = players.unionidFor(app, issued.player);
    if (unionid) result.unionid = unionid;
    return result;
  };

  const endpoint: SimulatedEndpointDefinition = {
    name: 'qq_jscode2session',
    path: '/sns/jscode2session',
    method: 'GET',
    faults: new FaultQueue(),
    answer: ({ query }) => answer(query),
  };

  return {
    endpoint,
    /** A qq.login code for the player. */
    issueCode(appid: string, player: string): string {
      const code = randomBytes(16).toString('hex');
      codes.add(code, { appid, player, issuedAt: now(), used: false });
      return code;
    },
  };
}
