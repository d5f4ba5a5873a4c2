import { randomBytes } from 'node:crypto';
import { fail, type Answer } from '../answers.js';
import type { SimulatedEndpointDefinition, SimulatorContext } from '../endpoint.js';
import { FaultQueue } from '../faults.js';

export interface QQTokenOptions {
  /** Lifetime of a token; QQ's is 7200 s. */
  tokenTtlMs: number;
}

/**
 * GET /api/getToken?grant_type=client_credential&appid&secret (QQ's
 * getAccessToken): {access_token, expires_in}, or {errcode, errmsg} with
 * 40001 (secret), 40002 (grant_type), 40013 (appid). QQ: "重复获取将导致上次获取的
 * access_token 失效": each fetch replaces the app's token, the previous one is
 * revoked at once.
 */
export function createQQToken(context: SimulatorContext, options: QQTokenOptions) {
  const { apps, now } = context;
  const current = new Map<string, { token: string; expiresAt: number }>();

  const answer = (query: URLSearchParams): Answer => {
    const appid = query.get('appid');
    const app = appid ? apps.get(appid) : undefined;
    if (!appid || !app || app.platform !== 'qq') return fail(40013);
    if (app.secret !== query.get('secret')) return fail(40001);
    if (query.get('grant_type') !== 'client_credential') return fail(40002);
    const token = randomBytes(48).toString('base64url');
    current.set(appid, { token, expiresAt: now() + options.tokenTtlMs });
    return { access_token: token, expires_in: Math.floor(options.tokenTtlMs / 1000) };
  };

  const endpoint: SimulatedEndpointDefinition = {
    name: 'qq_token',
    path: '/api/getToken',
    method: 'GET',
    faults: new FaultQueue(),
    answer: ({ query }) => answer(query),
  };

  return {
    endpoint,
    /** The appid whose current, unexpired token the query's access_token is, or QQ's 40014 (token expired). */
    authorize(query: URLSearchParams): string | Answer {
      const token = query.get('access_token');
      for (const [appid, held] of current) if (token && held.token === token && held.expiresAt > now()) return appid;
      return fail(40014);
    },
    currentAccessToken: (appid: string): string | null => current.get(appid)?.token ?? null,
    revokeAccessTokens(appid: string): void {
      current.delete(appid);
    },
  };
}
