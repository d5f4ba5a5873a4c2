import { ACCESS_TOKEN_CALL_ERRCODES, errcodeTable, type ErrcodeEntry } from './errcodes.js';
import { WeChatErrcodeError } from './errors.js';
import type { WeChatTransport } from './transport.js';
import { callWeChat, wechatUrl, type WeChatApiOptions } from './wechat-call.js';

// subscribeMessage.send (POST /cgi-bin/message/subscribe/send): a one-time subscribe message to a player who
// allowed it with wx.requestSubscribeMessage; each "accept" allows one send of that template.

/** 43101: the player has not allowed this template (refused it, or every send they allowed is spent). */
export class SubscribeRefusedError extends WeChatErrcodeError {}

/** 47003: WeChat refused the data (a key the template lacks, an empty or too long value; errmsg names it). */
export class SubscribeDataInvalidError extends WeChatErrcodeError {}

/** 40037: no such template for the app (or not one of its subscribe templates). */
export class SubscribeTemplateInvalidError extends WeChatErrcodeError {}

const ROWS: readonly ErrcodeEntry[] = [
  { errcode: 43101, name: 'SubscribeRefusedError', retryable: false, meaning: 'the player refused the template, or has no send of it left' },
  { errcode: 47003, name: 'SubscribeDataInvalidError', retryable: false, meaning: "WeChat refused the template's data (errmsg names the field)" },
  { errcode: 40037, name: 'SubscribeTemplateInvalidError', retryable: false, meaning: 'the template id is not one of the app' },
  { errcode: 41030, name: 'SubscribePageInvalidError', retryable: false, meaning: 'the page is not a page of the published mini-program' },
];

const SUBSCRIBE_ERRORS = new Map([...errcodeTable(ACCESS_TOKEN_CALL_ERRCODES), ...ROWS.map((row) => [row.errcode, row] as const)]);

const CLASSES: Record<string, new (entry: ErrcodeEntry, message: string) => WeChatErrcodeError> = {
  SubscribeRefusedError,
  SubscribeDataInvalidError,
  SubscribeTemplateInvalidError,
};

export interface SubscribeMessageRequest {
  accessToken: string;
  /** The player's openid in the app. */
  touser: string;
  templateId: string;
  /** `{ thing1: { value: '…' }, … }`, as the template's keys. */
  data: Record<string, { value: string | number }>;
  /** The page the message opens, with its query. */
  page?: string;
  /** developer | trial | formal (the default). */
  miniprogramState?: 'developer' | 'trial' | 'formal';
  /** zh_CN (the default), en_US, zh_HK, zh_TW. */
  lang?: string;
}

export type SendSubscribeMessage = (request: SubscribeMessageRequest) => Promise<void>;

/**
 * POST /cgi-bin/message/subscribe/send. Throws SubscribeRefusedError (43101), SubscribeDataInvalidError
 * (47003), SubscribeTemplateInvalidError (40037), or the errors of every call made with an access token.
 */
export function createSendSubscribeMessage(api: WeChatApiOptions, transport: WeChatTransport): SendSubscribeMessage {
  return async ({ accessToken, touser, templateId, data, page, miniprogramState, lang }) => {
    const url = wechatUrl(api.apiBase, 'cgi-bin/message/subscribe/send', { access_token: accessToken });
    const body = JSON.stringify({ touser, template_id: templateId, page, data, miniprogram_state: miniprogramState, lang });
    try {
      await callWeChat({ transport, name: 'subscribe_send', method: 'POST', url, body, secrets: [accessToken], errors: SUBSCRIBE_ERRORS });
    } catch (error) {
      if (error instanceof WeChatErrcodeError && CLASSES[error.entry.name]) {
        const typed = new CLASSES[error.entry.name]!(error.entry, error.message);
        typed.stack = error.stack;
        throw typed;
      }
      throw error;
    }
  };
}
