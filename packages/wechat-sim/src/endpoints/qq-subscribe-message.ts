import { parseJsonObject, type Answer } from '../answers.js';
import type { Authorize, SimulatedEndpointDefinition, SimulatorContext } from '../endpoint.js';
import { FaultQueue } from '../faults.js';
import type { SimulatedSubscribeMessage } from './subscribe-message.js';

/** QQ's errmsg for the errcodes this endpoint answers (QQ's docs give their meaning, not their text). */
const ERRMSGS: Record<number, string> = {
  40003: 'invalid openid',
  40035: 'param error: data is not { key: { value } }',
  40037: 'invalid template_id',
  46001: 'user not subscribed',
};

const qqFail = (errcode: number): Answer => ({ errcode, errmsg: ERRMSGS[errcode] ?? 'unknown error' });

/** A non-empty object of `{ value }` entries, each a non-empty string or a number. */
const validData = (data: unknown): data is Record<string, { value: string | number }> =>
  typeof data === 'object' &&
  data !== null &&
  !Array.isArray(data) &&
  Object.keys(data).length > 0 &&
  Object.values(data).every((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return false;
    const value = (entry as { value?: unknown }).value;
    return (typeof value === 'string' && value.length > 0) || typeof value === 'number';
  });

/**
 * QQ's POST /api/json/subscribe/SendSubscriptionMessage?access_token: checks the token (40014 unless it is the
 * app's current one from /api/getToken), the openid (40003: QQ documents none, WeChat's errcode), the template
 * (40037 when empty) and the data (40035 unless it is `{ key: { value } }`, every value a non-empty string or
 * a number), then spends one of the player's accepts of the template (46001 when none is left). Accepts are
 * what the tests grant, as qq.subscribeAppMsg({ tmplIds, subscribe: true }) answering "accept" would: one each.
 */
export function createQQSubscribeMessage(context: SimulatorContext, authorize: Authorize) {
  const accepts = new Map<string, number>();
  const delivered: SimulatedSubscribeMessage[] = [];
  const keyOf = (appid: string, player: string, templateId: string) => `${appid}\0${player}\0${templateId}`;

  const answer = (query: URLSearchParams, body: string): Answer => {
    const appid = authorize(query);
    if (typeof appid !== 'string') return appid;
    const request = parseJsonObject(body);
    if (!request) return qqFail(40035);
    const player = context.players.playerOf(appid, typeof request.touser === 'string' ? request.touser : null);
    if (player === undefined) return qqFail(40003);
    if (typeof request.template_id !== 'string' || request.template_id === '') return qqFail(40037);
    if (!validData(request.data)) return qqFail(40035);
    const key = keyOf(appid, player, request.template_id);
    const left = accepts.get(key) ?? 0;
    if (left <= 0) return qqFail(46001);
    accepts.set(key, left - 1);
    delivered.push({
      appid,
      player,
      templateId: request.template_id,
      data: request.data,
      page: typeof request.page === 'string' ? request.page : null,
      at: context.now(),
    });
    return { errcode: 0, errmsg: 'ok' };
  };

  const endpoint: SimulatedEndpointDefinition = {
    name: 'qq_subscribe_send',
    path: '/api/json/subscribe/SendSubscriptionMessage',
    method: 'POST',
    faults: new FaultQueue(),
    answer: ({ query, body }) => answer(query, body),
  };

  return {
    endpoint,
    /** The player answered "accept" for the template (`times` times): that many sends are allowed. */
    acceptSubscription(appid: string, player: string, templateId: string, times = 1): void {
      const key = keyOf(appid, player, templateId);
      accepts.set(key, (accepts.get(key) ?? 0) + times);
    },
    /** Sends of the template the player still allows. */
    subscriptionsLeft: (appid: string, player: string, templateId: string): number => accepts.get(keyOf(appid, player, templateId)) ?? 0,
    /** The subscribe messages delivered to the player (a copy), oldest first. */
    subscribeMessages: (appid: string, player: string): SimulatedSubscribeMessage[] =>
      delivered.filter((message) => message.appid === appid && message.player === player).map((message) => ({ ...message })),
  };
}
