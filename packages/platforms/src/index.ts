export { DOUYIN_API_BASE, QQ_API_BASE, platformUrl, type Platform, type PlatformAppCredentials, type PlatformSession } from './platform.js';
export {
  DOUYIN_ERRCODES,
  QQ_ERRCODES,
  type DouyinErrcodeName,
  type PlatformErrcodeEntry,
  type PlatformErrcodeTable,
  type QQErrcodeName,
} from './errcodes.js';
export {
  DouyinAnonymousCodeInvalidError,
  DouyinAppIdInvalidError,
  DouyinBusyError,
  DouyinCodeInvalidError,
  DouyinParameterMissingError,
  DouyinSecretInvalidError,
  DouyinSignatureInvalidError,
  PlatformAccessTokenInvalidError,
  PlatformErrcodeError,
  platformErrcodeError,
  PlatformMisconfiguredError,
  PlatformTimeoutError,
  PlatformUnavailableError,
  QQBusyError,
  QQCodeInvalidError,
  QQFrequencyLimitError,
  QQSubscribeDataInvalidError,
  QQSubscribeLimitedError,
  QQSubscribeNotSubscribedError,
  QQSubscribeRefusedError,
  QQSubscribeTemplateInvalidError,
  type CalledPlatform,
} from './errors.js';
export { readDouyinAnswer, type DouyinAnswer } from './douyin-answer.js';
export { createDouyinCode2Session, type DouyinCode2Session } from './douyin-code2session.js';
export { createQQCode2Session, type QQCode2Session } from './qq-code2session.js';
export { createGetDouyinToken } from './douyin-token.js';
export { createGetQQToken } from './qq-token.js';
export { createQQSendSubscriptionMessage, type QQSubscriptionMessageRequest, type SendQQSubscriptionMessage } from './qq-subscribe-message.js';
export {
  createDouyinRemoveUserStorage,
  createDouyinSetUserStorage,
  type DouyinRemoveUserStorageRequest,
  type DouyinSetUserStorageRequest,
} from './douyin-user-storage.js';
export { createDouyinApi, createQQApi, type CreatePlatformApiOptions, type DouyinApi, type PlatformApi, type QQApi } from './platform-api.js';
