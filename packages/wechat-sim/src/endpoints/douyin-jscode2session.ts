import { randomBytes } from 'node:crypto';
import { parseJsonObject, type Answer } from '../answers.js';
import { IssuedCodes, type IssuedCode } from '../codes.js';
import type { SimulatedEndpointDefinition, SimulatorContext } from '../endpoint.js';
import { FaultQueue } from '../faults.js';
import { douyinFlatFail, douyinWrapped } from './douyin-answers.js';

export interface DouyinJscode2SessionOptions {
  /** How long a tt.login code (and an anonymous code) stays valid. */
  codeTtlMs: number;
}

type Exchange = { errcode: number } | { session: Answer };

const newCode = () => randomBytes(12).toString('hex');
const EMPTY_SESSION = { session_key: '', openid: '', anonymous_openid: '', unionid: '' };

/**
 * Douyin's code2Session for a mini-game's tt.login codes, in both of
 * Douyin's shapes: the mini-game endpoint, GET
 * /mgplatform/api/apps/jscode2session (flat: {error: 0, session_key,
 * openid, anonymous_openid, unionid}, or {error: 1, errcode, errmsg,
 * message}), and the mini-app endpoint, POST /api/apps/v2/jscode2session
 * (wrapped: {err_no, err_tips, log_id, data}); SDKs have parsed one as the
 * other. Both take `code`, `anonymous_code` or both; codes are single-use
 * (a spent or foreign code is 40018, an anonymous one 40019). With only an
 * anonymous code the answer has the anonymous_openid alone (openid and
 * session_key empty). One fault queue and one call count
 * ('douyin_jscode2session') for both paths.
 */
export function createDouyinJscode2Session(context: SimulatorContext, options: DouyinJscode2SessionOptions) {
  const { apps, now, players } = context;
  const codes = new IssuedCodes<IssuedCode>(now, options.codeTtlMs);
  const anonymousCodes = new IssuedCodes<IssuedCode>(now, options.codeTtlMs);
  const faults = new FaultQueue();

  const exchange = (appid: unknown, secret: unknown, code: unknown, anonymousCode: unknown): Exchange => {
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    const [id, key, loginCode, anonymous] = [text(appid), text(secret), text(code), text(anonymousCode)];
    if (!id || !key || (!loginCode && !anonymous)) return { errcode: 40014 };
    const app = apps.get(id);
    if (!app || app.platform !== 'douyin') return { errcode: 40015 };
    if (app.secret !== key) return { errcode: 40017 };
    const issued = loginCode ? codes.find(loginCode, id) : undefined;
    if (loginCode && (!issued || issued.used)) return { errcode: 40018 };
    const device = anonymous ? anonymousCodes.find(anonymous, id) : undefined;
    if (anonymous && (!device || device.used)) return { errcode: 40019 };
    const session: Answer = { ...EMPTY_SESSION };
    if (issued) {
      issued.used = true;
      session.session_key = players.startSession(id, issued.player);
      session.openid = players.openidFor(id, issued.player);
      session.unionid = players.unionidFor(app, issued.player) ?? '';
    }
    if (device) {
      device.used = true;
      session.anonymous_openid = players.anonymousOpenidFor(id, device.player);
    }
    return { session };
  };

  const flatEndpoint: SimulatedEndpointDefinition = {
    name: 'douyin_jscode2session',
    path: '/mgplatform/api/apps/jscode2session',
    method: 'GET',
    faults,
    faultAnswer: (errcode, errmsg) => douyinFlatFail(errcode, errmsg),
    answer({ query }) {
      const result = exchange(query.get('appid'), query.get('secret'), query.get('code'), query.get('anonymous_code'));
      return 'session' in result ? { error: 0, ...result.session } : douyinFlatFail(result.errcode);
    },
  };

  const miniAppEndpoint: SimulatedEndpointDefinition = {
    name: 'douyin_jscode2session',
    path: '/api/apps/v2/jscode2session',
    method: 'POST',
    faults,
    faultAnswer: (errcode, errmsg) => douyinWrapped(errcode, { ...EMPTY_SESSION }, errmsg),
    answer({ body }) {
      const request = parseJsonObject(body) ?? {};
      const result = exchange(request.appid, request.secret, request.code, request.anonymous_code);
      return 'session' in result ? douyinWrapped(0, result.session) : douyinWrapped(result.errcode, { ...EMPTY_SESSION });
    },
  };

  return {
    flatEndpoint,
    miniAppEndpoint,
    /** A tt.login code for the player. */
    issueCode(appid: string, player: string): string {
      const code = newCode();
      codes.add(code, { appid, player, issuedAt: now(), used: false });
      return code;
    },
    /** tt.login's anonymousCode for a device. */
    issueAnonymousCode(appid: string, device: string): string {
      const code = newCode();
      anonymousCodes.add(code, { appid, player: device, issuedAt: now(), used: false });
      return code;
    },
  };
}
