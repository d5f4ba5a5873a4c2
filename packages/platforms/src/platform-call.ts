import { scrub, WeChatTransportError, type WeChatTransport } from '@minigate/wechat';
import { platformErrcodeError, PlatformTimeoutError, PlatformUnavailableError, type CalledPlatform } from './errors.js';
import type { PlatformErrcodeTable } from './errcodes.js';

export interface PlatformCall {
  platform: CalledPlatform;
  transport: WeChatTransport;
  /** The endpoint's name for messages, e.g. "jscode2session". */
  name: string;
  method: 'GET' | 'POST';
  url: string;
  /** The exact body to send (a signature may cover these bytes). */
  body?: string;
  /** Values that must never reach a message: secret, codes, session key, access token. */
  secrets: ReadonlyArray<string | undefined>;
}

export interface PlatformAnswer {
  status: number;
  /** The answer's JSON object. */
  answer: Record<string, unknown>;
}

/** How much of the platform's errmsg a message repeats (scrubbed). */
const MAX_ERRMSG_CHARS = 200;

const PLATFORM_NAMES: Record<CalledPlatform, string> = { douyin: 'Douyin', qq: 'QQ' };

/**
 * One call of Douyin's or QQ's server API: the transport's failures become
 * PlatformTimeoutError or PlatformUnavailableError, an answer that is not a
 * JSON object PlatformUnavailableError. Returns the parsed answer; the
 * endpoint reads its errcode (the platforms' shapes differ). Every message
 * goes through scrub. Never retries: a login code is single-use.
 */
export async function callPlatform(call: PlatformCall): Promise<PlatformAnswer> {
  const who = `${PLATFORM_NAMES[call.platform]} ${call.name}`;
  let status: number;
  let body: string;
  try {
    ({ status, body } = await call.transport({ method: call.method, url: call.url, ...(call.body === undefined ? {} : { body: call.body }) }));
  } catch (error) {
    const message = `${who}: ${scrub(error instanceof Error ? error.message : String(error), call.secrets)}`;
    if (error instanceof WeChatTransportError && error.circuitOpenSeconds !== undefined)
      throw new PlatformUnavailableError(call.platform, message, error.circuitOpenSeconds);
    if (error instanceof WeChatTransportError && error.timedOut) throw new PlatformTimeoutError(call.platform, message);
    throw new PlatformUnavailableError(call.platform, message);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    throw new PlatformUnavailableError(call.platform, `${who}: answered HTTP ${status} without JSON`);
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
    throw new PlatformUnavailableError(call.platform, `${who}: answered HTTP ${status} with an unexpected body`);
  }
  return { status, answer: answer as Record<string, unknown> };
}

/** The typed error for an errcode answer of `call`, its errmsg scrubbed and cut. */
export function errcodeFailure(call: PlatformCall, table: PlatformErrcodeTable, errcode: number, errmsg: unknown) {
  const text = scrub(typeof errmsg === 'string' ? errmsg : '', call.secrets).slice(0, MAX_ERRMSG_CHARS);
  return platformErrcodeError(call.platform, table, errcode, `${PLATFORM_NAMES[call.platform]} ${call.name} errcode ${errcode}: ${text}`);
}

/** An answer without what the endpoint promises: PlatformUnavailableError. */
export function unexpectedAnswer(call: PlatformCall, status: number, missing: string): PlatformUnavailableError {
  return new PlatformUnavailableError(call.platform, `${PLATFORM_NAMES[call.platform]} ${call.name}: answered HTTP ${status} without ${missing}`);
}
