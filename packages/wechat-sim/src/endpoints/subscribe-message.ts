import { fail, ok, parseJsonObject, type Answer } from '../answers.js';
import type { Authorize, SimulatedEndpointDefinition, SimulatorContext } from '../endpoint.js';
import { FaultQueue } from '../faults.js';

/** A subscribe message the simulator delivered. */
export interface SimulatedSubscribeMessage {
  appid: string;
  player: string;
  templateId: string;
  data: Record<string, { value: string | number }>;
  page: string | null;
  at: number;
}

/**
 * POST /cgi-bin/message/subscribe/send (subscribeMessage.send): checks the access token, the openid (40003),
 * the data (47003 unless every entry is `{ value }` with a non-empty string or a number), then spends one of
 * the player's accepts of the template (43101 when none is left). Accepts are what the tests grant, as
 * wx.requestSubscribeMessage answering "accept" would.
 */
export function createSubscribeMessage(context: SimulatorContext, authorize: Authorize) {
  const accepts = new Map<string, number>();
  const delivered: SimulatedSubscribeMessage[] = [];
  const keyOf = (appid: string, player: string, templateId: string) => `${appid}\0${player}\0${templateId}`;

  const validData = (data: unknown): data is Record<string, { value: string | number }> =>
    typeof data === 'object' &&
    data !== null &&
    !Array.isArray(data) &&
    Object.keys(data).length > 0 &&
    Object.values(data).every((entry: unknown) => {
      if (typeof entry !== 'object' || entry === null) return false;
      const value = (entry as { value?: unknown }).value;
      return (typeof value === 'string' && value.length > 0) || typeof value === 'number';
    });

  const answer = (method: string, query: URLSearchParams, body: string): Answer => {
    if (method !== 'POST') return fail(43002);
    const appid = authorize(query);
    if (typeof appid !== 'string') return appid;
    const request = parseJsonObject(body);
    if (!request) return fail(47001);
    const player = context.players.playerOf(appid, typeof request.touser === 'string' ? request.touser : null);
    if (player === undefined) return fail(40003);
    if (typeof request.template_id !== 'string' || request.template_id === '') return fail(40037);
    if (!validData(request.data)) return fail(47003);
    const key = keyOf(appid, player, request.template_id);
    const left = accepts.get(key) ?? 0;
    if (left <= 0) return fail(43101);
    accepts.set(key, left - 1);
    delivered.push({
      appid,
      player,
      templateId: request.template_id,
      data: request.data,
      page: typeof request.page === 'string' ? request.page : null,
      at: context.now(),
    });
    return ok();
  };

  const endpoint: SimulatedEndpointDefinition = {
    name: 'subscribe_send',
    path: '/cgi-bin/message/subscribe/send',
    faults: new FaultQueue(),
    answer: ({ method, query, body }) => answer(method, query, body),
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
