import { ACCESS_TOKEN_CALL_ERRCODES, errcodeTable } from './errcodes.js';
import { WeChatUnavailableError } from './errors.js';
import type { WeChatTransport } from './transport.js';
import { callWeChat, wechatUrl, type WeChatApiOptions } from './wechat-call.js';

/** msg_sec_check's scenes: 1 profile (资料, nicknames), 2 comment, 3 forum, 4 social log. */
export const MSG_SEC_SCENE = { profile: 1, comment: 2, forum: 3, socialLog: 4 } as const;
export type MsgSecScene = (typeof MSG_SEC_SCENE)[keyof typeof MSG_SEC_SCENE];

export type MsgSecSuggest = 'pass' | 'review' | 'risky';

export interface MsgSecCheckRequest {
  accessToken: string;
  /** The player the text comes from; WeChat wants one who visited in the last two hours or so. */
  openid: string;
  content: string;
  scene: MsgSecScene;
  title?: string;
  nickname?: string;
  signature?: string;
}

/** One strategy's finding in `detail`. */
export interface MsgSecCheckDetail {
  strategy: string;
  errcode: number;
  suggest?: string;
  label?: number;
  prob?: number;
  level?: number;
  keyword?: string;
}

export interface MsgSecCheckResult {
  /** pass: publish; review: WeChat is not sure (a person should look); risky: refuse. */
  suggest: MsgSecSuggest;
  /** 100 normal; 10001 ads, 20001 politics, 20002 porn, 20003 abuse, 20006 crime, 20008 fraud, 20012 vulgar, 20013 copyright, 21000 other. */
  label: number;
  traceId: string | null;
  detail: MsgSecCheckDetail[];
}

export type MsgSecCheck = (request: MsgSecCheckRequest) => Promise<MsgSecCheckResult>;

const MSG_SEC_CHECK_ERRORS = errcodeTable([...ACCESS_TOKEN_CALL_ERRCODES, 'UserVisitExpiredError']);
const SUGGESTS = new Set<string>(['pass', 'review', 'risky']);

/** POST /wxa/msg_sec_check version 2 (security.msgSecCheck): WeChat's verdict on a text a player wrote. */
export function createMsgSecCheck(api: WeChatApiOptions, transport: WeChatTransport): MsgSecCheck {
  return async ({ accessToken, openid, content, scene, title, nickname, signature }) => {
    const url = wechatUrl(api.apiBase, 'wxa/msg_sec_check', { access_token: accessToken });
    const body = JSON.stringify({ content, version: 2, scene, openid, title, nickname, signature });
    const answer = await callWeChat({
      transport,
      name: 'msg_sec_check',
      method: 'POST',
      url,
      body,
      secrets: [accessToken],
      errors: MSG_SEC_CHECK_ERRORS,
    });
    const result = answer.result as { suggest?: unknown; label?: unknown } | undefined;
    if (typeof result !== 'object' || result === null || typeof result.suggest !== 'string' || !SUGGESTS.has(result.suggest)) {
      throw new WeChatUnavailableError('msg_sec_check: WeChat answered without a result');
    }
    return {
      suggest: result.suggest as MsgSecSuggest,
      label: typeof result.label === 'number' ? result.label : Number(result.label) || 0,
      traceId: typeof answer.trace_id === 'string' ? answer.trace_id : null,
      detail: Array.isArray(answer.detail) ? (answer.detail as MsgSecCheckDetail[]) : [],
    };
  };
}
