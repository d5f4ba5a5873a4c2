// QQ's subscribe messages (订阅消息) for mini-games: SendSubscriptionMessage.
// Confirmed in QQ's docs (小游戏 后端 API 订阅消息 sendSubscriptionMessage, mirrored at
// w3cschool.cn/qqxiaochengxu/qqxiaochengxu-1xtc3879.html): POST
// https://api.q.qq.com/api/json/subscribe/SendSubscriptionMessage?access_token=ACCESS_TOKEN with a JSON body
// {touser (the openid), template_id, page?, data?: {keyword1: {value}, ...}, emphasis_keyword?, oac_appid?},
// answering {errcode, errmsg} ({"errcode": 0, "errmsg": "ok"} when sent): 40014 token expired, 40015 oac_appid,
// 40035 parameter error (the data does not match the template's fields), 40036 internal, 40037 template_id,
// 41030 too fast for one user, 46001 not subscribed, 46002 the day's limit, 46003 the user refuses, 46004/46005
// the official account, 47001 the game may not send. 46006 (a long-term subscription lapsed) is from
// qq.subscribeAppMsg's page (q.qq.com/wiki/develop/game/API/open-port/port_subscription.html), where the
// player's one-time subscription (一次性订阅: tmplIds given, at most 3) allows one send each: 订阅一次,发一条.
// Not confirmed: QQ's errcode for an openid it does not know (none documented; we read WeChat's 40003).
import type { WeChatTransport } from '@minigate/wechat';
import { qqErrcodeTable } from './errcodes.js';
import { callPlatform, errcodeFailure, unexpectedAnswer, type PlatformCall } from './platform-call.js';
import { platformUrl } from './platform.js';

export interface QQSubscriptionMessageRequest {
  accessToken: string;
  /** The player's openid in the game. */
  touser: string;
  templateId: string;
  /** `{ keyword1: { value: '…' }, … }`, as many keys as the template has fields. */
  data: Record<string, { value: string | number }>;
  /** The page the message card opens, with its query (`index?foo=bar`); none: the card opens nothing. */
  page?: string;
}

export type SendQQSubscriptionMessage = (request: QQSubscriptionMessageRequest) => Promise<void>;

const SEND_ERRORS = qqErrcodeTable([
  'QQAccessTokenInvalidError',
  'QQOacAppIdInvalidError',
  'QQSubscribeDataInvalidError',
  'QQSubscribeInternalError',
  'QQSubscribeTemplateInvalidError',
  'QQSubscribeTooFastError',
  'QQSubscribeNotSubscribedError',
  'QQSubscribeDailyLimitError',
  'QQSubscribeRefusedError',
  'QQOfficialAccountNotFollowedError',
  'QQOfficialAccountNotBoundError',
  'QQSubscribeLapsedError',
  'QQSubscribeForbiddenError',
  'QQOpenidInvalidError',
]);

/**
 * POST /api/json/subscribe/SendSubscriptionMessage. Throws QQSubscribeNotSubscribedError (46001),
 * QQSubscribeRefusedError (46003), QQSubscribeDataInvalidError (40035), QQSubscribeTemplateInvalidError
 * (40037), QQSubscribeLimitedError (41030, 46002), PlatformAccessTokenInvalidError (40014: withAccessToken
 * replaces the token and retries once), another PlatformErrcodeError for the other errcodes, or
 * PlatformTimeoutError / PlatformUnavailableError. The access token never reaches a message.
 */
export function createQQSendSubscriptionMessage(apiBase: string, transport: WeChatTransport): SendQQSubscriptionMessage {
  return async ({ accessToken, touser, templateId, data, page }) => {
    const call: PlatformCall = {
      platform: 'qq',
      transport,
      name: 'SendSubscriptionMessage',
      method: 'POST',
      url: platformUrl(apiBase, 'api/json/subscribe/SendSubscriptionMessage', { access_token: accessToken }),
      body: JSON.stringify({ touser, template_id: templateId, ...(page === undefined ? {} : { page }), data }),
      secrets: [accessToken],
    };
    const { status, answer } = await callPlatform(call);
    if (typeof answer.errcode === 'number' && answer.errcode !== 0) throw errcodeFailure(call, SEND_ERRORS, answer.errcode, answer.errmsg);
    if (answer.errcode !== 0 || status < 200 || status > 299) throw unexpectedAnswer(call, status, 'errcode 0');
  };
}
