import type { Watermark } from './data-crypto.js';
import { ACCESS_TOKEN_CALL_ERRCODES, errcodeTable } from './errcodes.js';
import { WeChatUnavailableError } from './errors.js';
import type { WeChatTransport } from './transport.js';
import { callWeChat, wechatUrl, type WeChatApiOptions } from './wechat-call.js';

/** getuserphonenumber's phone_info. */
export interface PhoneNumberInfo {
  /** With the country code for numbers outside China. */
  phoneNumber: string;
  purePhoneNumber: string;
  /** WeChat documents a string and has shown a number (86): always a string here. */
  countryCode: string;
  watermark: Watermark | null;
}

export interface PhoneNumberRequest {
  accessToken: string;
  /** The phone code the game got from the player (single-use, valid 5 minutes). */
  code: string;
  /** When given, WeChat checks that the code belongs to this openid. */
  openid?: string;
}

export type GetPhoneNumber = (request: PhoneNumberRequest) => Promise<PhoneNumberInfo>;

/** 40029 (and 41008, no code): the phone code is no good; -1 busy and 45011 come from the shared table. */
const PHONE_NUMBER_ERRORS = errcodeTable([...ACCESS_TOKEN_CALL_ERRCODES, 'PhoneCodeInvalidError']);

function watermarkOf(value: unknown): Watermark | null {
  if (typeof value !== 'object' || value === null) return null;
  const { appid, timestamp } = value as { appid?: unknown; timestamp?: unknown };
  return typeof appid === 'string' && typeof timestamp === 'number' ? { appid, timestamp } : null;
}

/**
 * POST /wxa/business/getuserphonenumber (phonenumber.getPhoneNumber): the
 * player's phone number for a phone code. A code is single-use: a failed
 * call is not retried here.
 */
export function createGetPhoneNumber(api: WeChatApiOptions, transport: WeChatTransport): GetPhoneNumber {
  return async ({ accessToken, code, openid }) => {
    const url = wechatUrl(api.apiBase, 'wxa/business/getuserphonenumber', { access_token: accessToken });
    const body = JSON.stringify(openid === undefined ? { code } : { code, openid });
    const answer = await callWeChat({
      transport,
      name: 'getuserphonenumber',
      method: 'POST',
      url,
      body,
      secrets: [accessToken, code],
      errors: PHONE_NUMBER_ERRORS,
    });
    const info = answer.phone_info as { phoneNumber?: unknown; purePhoneNumber?: unknown; countryCode?: unknown; watermark?: unknown } | undefined;
    if (typeof info !== 'object' || info === null || typeof info.phoneNumber !== 'string' || typeof info.purePhoneNumber !== 'string') {
      throw new WeChatUnavailableError('getuserphonenumber: WeChat answered without phone_info');
    }
    const countryCode = typeof info.countryCode === 'string' || typeof info.countryCode === 'number' ? String(info.countryCode) : '';
    return { phoneNumber: info.phoneNumber, purePhoneNumber: info.purePhoneNumber, countryCode, watermark: watermarkOf(info.watermark) };
  };
}
