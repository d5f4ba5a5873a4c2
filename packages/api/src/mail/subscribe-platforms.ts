// The platforms that send subscribe messages: WeChat (subscribeMessage.send) and QQ (SendSubscriptionMessage),
// each with the game's shared access token. What their refusals mean for the player's credit is decided here.
import {
  PlatformAccessTokenInvalidError,
  PlatformErrcodeError,
  PlatformMisconfiguredError,
  PlatformTimeoutError,
  PlatformUnavailableError,
  QQSubscribeDataInvalidError,
  QQSubscribeLimitedError,
  QQSubscribeNotSubscribedError,
  QQSubscribeRefusedError,
  QQSubscribeTemplateInvalidError,
} from '@minigate/platforms';
import { SubscribeDataInvalidError, SubscribeRefusedError, SubscribeTemplateInvalidError } from '@minigate/wechat';
import type { ServedApp } from '../apps/served-apps.js';
import { MinigateError } from '../errors.js';
import { platformFaultError } from '../services/platform-login-errors.js';
import type { ServiceLogger } from '../services/service-logger.js';
import { wechatCallError } from '../services/wechat-call-errors.js';

export interface SubscribeSend {
  accountId: number;
  appid: string;
  templateId: string;
  data: Record<string, { value: string | number }>;
  page?: string;
}

/**
 * The platform sent nothing, and says why: `refused` (the player holds no send of the template there: the
 * credits drop to none), `data`, `template` or `limited` (the credit is given back).
 */
export interface SubscribeRefusal {
  kind: 'refused' | 'data' | 'template' | 'limited';
  errcode: number;
}

export interface SubscribePlatform {
  /** The game. */
  appid: string;
  /** Whose openid the message goes to. */
  platform: 'wechat' | 'qq';
  send(openid: string, send: SubscribeSend): Promise<void>;
  /** The refusal a failed send is, or null: the platform may have sent it, so the credit stays spent. */
  refusal(error: unknown): SubscribeRefusal | null;
  /** The MinigateError for a failure that is no refusal (the platform's own trouble logged). */
  callError(error: unknown, log: ServiceLogger): unknown;
}

const NAMES = { wechat: 'WeChat', qq: 'QQ' } as const;

function wechatPlatform(app: ServedApp & { wechat: NonNullable<ServedApp['wechat']> }): SubscribePlatform {
  return {
    appid: app.appid,
    platform: 'wechat',
    send: (openid, send) =>
      app.wechat.withAccessToken((accessToken) =>
        app.wechat.sendSubscribeMessage({
          accessToken,
          touser: openid,
          templateId: send.templateId,
          data: send.data,
          ...(send.page === undefined ? {} : { page: send.page }),
        }),
      ),
    refusal(error) {
      if (error instanceof SubscribeRefusedError) return { kind: 'refused', errcode: error.errcode };
      if (error instanceof SubscribeDataInvalidError) return { kind: 'data', errcode: error.errcode };
      if (error instanceof SubscribeTemplateInvalidError) return { kind: 'template', errcode: error.errcode };
      return null;
    },
    callError: (error, log) => wechatCallError(error, log, 'subscribe_send'),
  };
}

function qqPlatform(app: ServedApp & { qq: NonNullable<ServedApp['qq']> }): SubscribePlatform {
  return {
    appid: app.appid,
    platform: 'qq',
    send: (openid, send) =>
      app.qq.sendSubscriptionMessage({
        touser: openid,
        templateId: send.templateId,
        data: send.data,
        ...(send.page === undefined ? {} : { page: send.page }),
      }),
    refusal(error) {
      if (error instanceof QQSubscribeNotSubscribedError || error instanceof QQSubscribeRefusedError)
        return { kind: 'refused', errcode: error.errcode };
      if (error instanceof QQSubscribeDataInvalidError) return { kind: 'data', errcode: error.errcode };
      if (error instanceof QQSubscribeTemplateInvalidError) return { kind: 'template', errcode: error.errcode };
      if (error instanceof QQSubscribeLimitedError) return { kind: 'limited', errcode: error.errcode };
      return null;
    },
    callError(error, log) {
      if (error instanceof PlatformTimeoutError || error instanceof PlatformUnavailableError) {
        log.warn({ call: 'SendSubscriptionMessage', error: error.message }, 'QQ could not serve a call');
        return platformFaultError(error, 'try again');
      }
      if (error instanceof PlatformMisconfiguredError) {
        log.error(
          { call: 'SendSubscriptionMessage', errcode: error.errcode, error: error.message },
          'QQ refused our request: check the configuration',
        );
        return new MinigateError({
          code: 'INTERNAL_SERVER_ERROR',
          reason: 'PLATFORM_MISCONFIGURED',
          message: `The server cannot send QQ subscribe messages for this game (errcode ${error.errcode})`,
          cause: error,
        });
      }
      if (error instanceof PlatformErrcodeError || error instanceof PlatformAccessTokenInvalidError) {
        const errcode = error instanceof PlatformErrcodeError ? error.errcode : error.platformErrcode;
        log.warn({ call: 'SendSubscriptionMessage', errcode, error: error.message }, 'QQ refused a call');
        return new MinigateError({
          code: 'BAD_GATEWAY',
          reason: 'PLATFORM_ERROR',
          message: `QQ refused the send (errcode ${errcode})`,
          cause: error,
        });
      }
      return error;
    },
  };
}

/** The game's sender of subscribe messages: a WeChat or QQ game's; 400 PLATFORM_UNSUPPORTED for any other game. */
export function subscribePlatformOf(app: ServedApp | undefined): SubscribePlatform {
  if (app?.platform === 'wechat' && app.wechat) return wechatPlatform(app as ServedApp & { wechat: NonNullable<ServedApp['wechat']> });
  if (app?.platform === 'qq' && app.qq) return qqPlatform(app as ServedApp & { qq: NonNullable<ServedApp['qq']> });
  throw new MinigateError({
    code: 'BAD_REQUEST',
    reason: 'PLATFORM_UNSUPPORTED',
    message: 'Subscribe messages are WeChat’s and QQ’s: this game is neither a WeChat nor a QQ game on this server',
  });
}

/** What the player (or the operator) is told about a refusal; the credit is already settled. */
export function refusalError(platform: SubscribePlatform, refusal: SubscribeRefusal, send: SubscribeSend, cause: unknown): MinigateError {
  const name = NAMES[platform.platform];
  const { errcode } = refusal;
  switch (refusal.kind) {
    case 'refused':
      return new MinigateError({
        code: 'CONFLICT',
        reason: 'SUBSCRIBE_REFUSED',
        message: `${name} says the player refused this template or has no send of it left (${errcode})`,
        cause,
      });
    case 'data':
      return new MinigateError({
        code: 'BAD_REQUEST',
        reason: 'SUBSCRIBE_DATA_INVALID',
        message: `${name} refused the message's data (${errcode}): ${cause instanceof Error ? cause.message : ''}`,
        fields: [{ path: 'data', message: 'not what the template takes' }],
        cause,
      });
    case 'template':
      return new MinigateError({
        code: 'BAD_REQUEST',
        reason: 'SUBSCRIBE_TEMPLATE_INVALID',
        message: `${name} knows no template ${send.templateId} (${errcode})`,
        fields: [{ path: 'templateId', message: 'not a template of the game' }],
        cause,
      });
    case 'limited':
      return new MinigateError({
        code: 'TOO_MANY_REQUESTS',
        reason: 'QQ_RATE_LIMITED',
        message: `QQ refused the send for now (${errcode}: ${errcode === 41030 ? 'too fast for this player' : "the day's limit"}): nothing was sent`,
        retryAfterSeconds: errcode === 41030 ? 60 : 3600,
        cause,
      });
  }
}
