import type { ErrcodeTable } from './errcodes.js';
import { errcodeError, WeChatCircuitOpenError, WeChatTimeoutError, WeChatUnavailableError, type WeChatError } from './errors.js';
import { scrub } from './redact.js';
import { WeChatTransportError, type WeChatTransport } from './transport.js';

/** Where WeChat's server API is: https://api.weixin.qq.com, or the simulator, or an egress proxy. */
export interface WeChatApiOptions {
  apiBase: string;
}

/** How much of WeChat's errmsg an error message repeats (it is WeChat's text: short, and scrubbed). */
const MAX_ERRMSG_CHARS = 200;

/** `${apiBase}/${path}` with the query built by URLSearchParams. */
export function wechatUrl(apiBase: string, path: string, query?: Record<string, string>): string {
  const base = `${apiBase.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  return query ? `${base}?${new URLSearchParams(query).toString()}` : base;
}

export interface WeChatCall {
  transport: WeChatTransport;
  /** The endpoint's name for messages, e.g. "stable_token". */
  name: string;
  method: 'GET' | 'POST';
  url: string;
  /** The exact body to send (a signature may cover these bytes). */
  body?: string;
  /** Values that must never reach a message: secret, access token, session key, codes. */
  secrets: ReadonlyArray<string | undefined>;
  /** The endpoint's errcodes (errcodeTable); anything else is UnknownWeChatError. */
  errors: ErrcodeTable;
}

/**
 * One call to WeChat's server API: the transport's failures become
 * WeChatTimeoutError or WeChatUnavailableError, an answer that is not JSON
 * WeChatUnavailableError, a non-zero errcode the endpoint's typed error.
 * Returns the parsed answer otherwise. Every message goes through scrub.
 * Never retries: whether a call may be repeated is the caller's to decide.
 */
export async function callWeChat(call: WeChatCall): Promise<Record<string, unknown>> {
  const hide = (text: string) => scrub(text, call.secrets);
  let status: number;
  let body: string;
  try {
    ({ status, body } = await call.transport({
      method: call.method,
      url: call.url,
      ...(call.body === undefined ? {} : { body: call.body }),
    }));
  } catch (error) {
    throw transportFailure(error, call.name, call.secrets);
  }

  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    throw new WeChatUnavailableError(`${call.name}: WeChat answered HTTP ${status} without JSON`);
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
    throw new WeChatUnavailableError(`${call.name}: WeChat answered HTTP ${status} with an unexpected body`);
  }
  const { errcode, errmsg } = answer as { errcode?: unknown; errmsg?: unknown };
  if (typeof errcode === 'number' && errcode !== 0) {
    const text = hide(typeof errmsg === 'string' ? errmsg : '').slice(0, MAX_ERRMSG_CHARS);
    throw errorFor(call, errcode, text);
  }
  if (status < 200 || status > 299) throw new WeChatUnavailableError(`${call.name}: WeChat answered HTTP ${status}`);
  return answer as Record<string, unknown>;
}

/**
 * The typed error for a transport's failure, its message scrubbed:
 * WeChatCircuitOpenError (not even tried), WeChatTimeoutError, else WeChatUnavailableError.
 */
export function transportFailure(error: unknown, name: string, secrets: ReadonlyArray<string | undefined>): WeChatError {
  const message = `${name}: ${scrub(error instanceof Error ? error.message : String(error), secrets)}`;
  if (error instanceof WeChatTransportError && error.circuitOpenSeconds !== undefined)
    return new WeChatCircuitOpenError(message, error.circuitOpenSeconds);
  if (error instanceof WeChatTransportError && error.timedOut) return new WeChatTimeoutError(message);
  return new WeChatUnavailableError(message);
}

function errorFor(call: WeChatCall, errcode: number, errmsg: string): WeChatError {
  const message = call.errors.has(errcode)
    ? `WeChat ${call.name} errcode ${errcode}: ${errmsg}`
    : `WeChat errcode ${errcode}: ${call.name}: ${errmsg}`;
  return errcodeError(call.errors, errcode, message);
}
