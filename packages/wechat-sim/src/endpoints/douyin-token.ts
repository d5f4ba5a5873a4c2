import { randomBytes } from 'node:crypto';
import { parseJsonObject, type Answer } from '../answers.js';
import type { SimulatedEndpointDefinition, SimulatorContext } from '../endpoint.js';
import { FaultQueue } from '../faults.js';
import { douyinWrapped } from './douyin-answers.js';

export interface DouyinTokenOptions {
  /** Lifetime of a token; Douyin's is 7200 s. */
  tokenTtlMs: number;
}

/** Douyin: "重复获取会导致之前一次获取的 access_token 的有效期缩短为 5 分钟". */
export const DOUYIN_PREVIOUS_TOKEN_MS = 5 * 60_000;

interface IssuedToken {
  appid: string;
  expiresAt: number;
  revoked: boolean;
}

/** The appid a Douyin access_token belongs to, or the errcode refusing it (28001003: missing, unknown, expired, revoked). */
export type DouyinAuthorize = (query: URLSearchParams) => string | { errcode: number };

const EMPTY_TOKEN = { access_token: '', expires_in: 0 };

/**
 * POST /mgplatform/api/apps/v2/token (getAccessToken): a new token on every
 * call, in the wrapped shape ({err_no, err_tips, data: {access_token,
 * expires_in}}), and the previous one cut to 5 minutes: two instances that
 * both fetch leave the first with a token about to die. Errors: 40014
 * (missing appid or secret), 40015 (appid), 40017 (secret), 40020
 * (grant_type not client_credential). Owns the tokens, so `authorize` (the
 * storage endpoints' access_token check) is here too.
 */
export function createDouyinToken(context: SimulatorContext, options: DouyinTokenOptions) {
  const { apps, now } = context;
  const tokens = new Map<string, IssuedToken>();
  const current = new Map<string, string>();

  const answer = (body: string): Answer => {
    const request = parseJsonObject(body) ?? {};
    const { appid, secret, grant_type: grantType } = request;
    if (typeof appid !== 'string' || !appid || typeof secret !== 'string' || !secret) return douyinWrapped(40014, { ...EMPTY_TOKEN });
    const app = apps.get(appid);
    if (!app || app.platform !== 'douyin') return douyinWrapped(40015, { ...EMPTY_TOKEN });
    if (app.secret !== secret) return douyinWrapped(40017, { ...EMPTY_TOKEN });
    if (grantType !== 'client_credential') return douyinWrapped(40020, { ...EMPTY_TOKEN });
    const previous = tokens.get(current.get(appid) ?? '');
    if (previous) previous.expiresAt = Math.min(previous.expiresAt, now() + DOUYIN_PREVIOUS_TOKEN_MS);
    // Douyin's tokens are hex, "0801121..." in its examples.
    const token = `0801121${randomBytes(28).toString('hex')}`;
    tokens.set(token, { appid, expiresAt: now() + options.tokenTtlMs, revoked: false });
    current.set(appid, token);
    return douyinWrapped(0, { access_token: token, expires_in: Math.floor(options.tokenTtlMs / 1000) });
  };

  const authorize: DouyinAuthorize = (query) => {
    const issued = tokens.get(query.get('access_token') ?? '');
    if (!issued || issued.revoked || now() >= issued.expiresAt) return { errcode: 28001003 };
    return issued.appid;
  };

  const endpoint: SimulatedEndpointDefinition = {
    name: 'douyin_token',
    path: '/mgplatform/api/apps/v2/token',
    method: 'POST',
    faults: new FaultQueue(),
    faultAnswer: (errcode, errmsg) => douyinWrapped(errcode, { ...EMPTY_TOKEN }, errmsg),
    answer: ({ body }) => answer(body),
  };

  return {
    endpoint,
    authorize,
    currentAccessToken: (appid: string): string | null => current.get(appid) ?? null,
    revokeAccessTokens(appid: string): void {
      for (const issued of tokens.values()) if (issued.appid === appid) issued.revoked = true;
    },
  };
}
