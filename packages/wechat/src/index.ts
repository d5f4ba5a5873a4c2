export * from './errcodes.js';
export * from './errors.js';
export { createCode2Session, errorForErrcode, type Code2Session, type WeChatAppCredentials, type WeChatSession } from './code2session.js';
export {
  createHttpTransport,
  WeChatTransportError,
  type HttpTransport,
  type HttpTransportOptions,
  type WeChatRequest,
  type WeChatResponse,
  type WeChatTransport,
  type WeChatTransportErrorDetails,
} from './transport.js';
export {
  createResilientTransport,
  WECHAT_API_BASE,
  WECHAT_BACKUP_API_BASES,
  type CircuitBreakerOptions,
  type CircuitState,
  type ResilienceEvent,
  type ResilientTransport,
  type ResilientTransportOptions,
} from './resilient-transport.js';
export { redactText, redactUrl, scrub, SECRET_PARAMETERS } from './redact.js';
export * from './data-errors.js';
export {
  checkWatermark,
  decryptEncryptedData,
  DEFAULT_WATERMARK_MAX_AGE_SECONDS,
  DEFAULT_WATERMARK_MAX_SKEW_SECONDS,
  MAX_ENCRYPTED_DATA_BYTES,
  openEncryptedData,
  rawDataSignature,
  sessionSignature,
  verifyRawDataSignature,
  watermarkError,
  type EncryptedDataInput,
  type Watermark,
  type WatermarkCheck,
  type WatermarkPolicy,
  type WatermarkProblem,
} from './data-crypto.js';
export { callWeChat, transportFailure, wechatUrl, type WeChatApiOptions, type WeChatCall } from './wechat-call.js';
export { createGetStableToken, type GetStableToken, type StableToken, type StableTokenOptions } from './stable-token.js';
export {
  AccessTokenManager,
  MemoryAccessTokenStore,
  type AccessTokenManagerOptions,
  type AccessTokenStore,
  type StoredAccessToken,
} from './access-token-manager.js';
export { createWeChatApi, type CreateWeChatApiOptions, type WeChatApi } from './wechat-api.js';
export { createCheckSessionKey, type CheckSessionKey, type SessionKeyCheck } from './check-session.js';
export {
  createRemoveUserStorage,
  createSetUserStorage,
  type RemoveUserStorage,
  type RemoveUserStorageRequest,
  type SetUserStorage,
  type SetUserStorageRequest,
  type UserStorageEntry,
} from './user-storage.js';
export { createGetPhoneNumber, type GetPhoneNumber, type PhoneNumberInfo, type PhoneNumberRequest } from './phone-number.js';
export {
  createMsgSecCheck,
  MSG_SEC_SCENE,
  type MsgSecCheck,
  type MsgSecCheckDetail,
  type MsgSecCheckRequest,
  type MsgSecCheckResult,
  type MsgSecScene,
  type MsgSecSuggest,
} from './msg-sec-check.js';
export {
  coinPaySig,
  hmacSha256Hex,
  ITEM_ORDER_METHOD,
  itemOrderSignatures,
  lowercaseHexEquals,
  payEventSignature,
  verifyPayEventSignature,
  type ItemOrderSignatures,
} from './pay-signatures.js';
export {
  decryptPushMessage,
  encryptPushMessage,
  openPushMessage,
  pushAesKey,
  PushMessageError,
  pushSignature,
  verifyPushSignature,
  type PushMessageProblem,
  type PushSignatureInput,
} from './push-crypto.js';
export { CoinBalanceTooLowError, CoinBillExistsError, coinError, CoinSessionKeyInvalidError } from './coin-errors.js';
export {
  createGameCoinsApi,
  type CoinBalance,
  type CoinCall,
  type CoinCancelPayRequest,
  type CoinPayRequest,
  type CoinPresentRequest,
  type CoinQueryOrderRequest,
  type GameCoinsApi,
  type GameCoinsApp,
} from './game-coins.js';
export {
  createSendSubscribeMessage,
  SubscribeDataInvalidError,
  SubscribeRefusedError,
  SubscribeTemplateInvalidError,
  type SendSubscribeMessage,
  type SubscribeMessageRequest,
} from './subscribe-message.js';
