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
