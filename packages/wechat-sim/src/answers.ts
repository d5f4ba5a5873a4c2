import { createHash, randomBytes } from 'node:crypto';

/** A JSON answer of WeChat's. */
export type Answer = Record<string, unknown>;

/** WeChat's errmsg for each errcode the simulator answers (or an injected fault names). */
const ERRMSGS: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40125: 'invalid appsecret',
  40163: 'code been used',
  40226: 'invalid code, high risk user',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41008: 'missing code',
  42001: 'access_token expired',
  40037: 'invalid template_id',
  43002: 'require POST method',
  43101: 'user refuse to accept the msg',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit  mustslower  retry next minute',
  47001: 'data format error',
  47003: 'argument invalid! data is not { key: { value } }',
  61010: 'code is expired',
  87009: 'invalid signature',
  87014: 'risky content',
  87016: 'invalid key-value: length of key+value exceeds limit',
  87017: 'user storage size exceeds limit',
  87018: 'user storage key-value count exceeds limit',
  87019: 'invalid key: length of key exceeds limit',
  90000: 'order not exist',
  90010: '[signature] signature is invalid',
  90011: '[pay_sig] pay_sig is invalid',
  90012: 'order already exists',
  90013: 'balance not enough',
  90016: 'sessionkey fail, please login again',
  90017: 'no permission',
  90018: 'invalid param',
};

/** WeChat's errmsg for an errcode, with a fresh rid as WeChat appends one. */
export function errmsgOf(errcode: number): string {
  const rid = randomBytes(6).toString('hex');
  return `${ERRMSGS[errcode] ?? 'unknown error'}, rid: ${rid}`;
}

export const fail = (errcode: number): Answer => ({ errcode, errmsg: errmsgOf(errcode) });
export const ok = (fields: Answer = {}): Answer => ({ errcode: 0, errmsg: 'ok', ...fields });

/** The body's JSON object, or null for anything else (not JSON, an array, a scalar). */
export function parseJsonObject(body: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** An id that is the same for the same parts: openids, unionids, avatar paths. */
export function stableId(prefix: string, ...parts: string[]): string {
  return prefix + createHash('sha256').update(parts.join('\0')).digest('base64url').slice(0, 27);
}
