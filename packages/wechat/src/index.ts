export * from './errors.js';
export { createCode2Session, type Code2Session, type WeChatAppCredentials, type WeChatSession } from './code2session.js';
export {
  createHttpTransport,
  WeChatTransportError,
  type HttpTransport,
  type HttpTransportOptions,
  type WeChatRequest,
  type WeChatResponse,
  type WeChatTransport,
} from './transport.js';
export { redactUrl, scrub, SECRET_PARAMETERS } from './redact.js';
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
