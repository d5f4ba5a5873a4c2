import { createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  DecryptedDataNotJsonError,
  DecryptionFailedError,
  EncryptedDataMalformedError,
  WatermarkAppIdMismatchError,
  WatermarkInFutureError,
  WatermarkMissingError,
  WatermarkPredatesSessionKeyError,
  WatermarkTooOldError,
  type EncryptedDataField,
  type WeChatDataError,
} from './data-errors.js';

// WeChat's open data crypto (开放数据校验与解密), pure functions without I/O:
// https://developers.weixin.qq.com/minigame/dev/guide/open-ability/signature.html
// and the user login state signature (用户登录态签名):
// https://developers.weixin.qq.com/minigame/dev/tutorial/open-ability/http-signature.html

const AES_BLOCK_BYTES = 16;
const SESSION_KEY_BYTES = 16;

/** Larger than any user info or phone number WeChat encrypts (a few hundred bytes); refuses a flood. */
export const MAX_ENCRYPTED_DATA_BYTES = 64 * 1024;

/** What a game hands the server from wx.getUserInfo or a user info button, with the player's session key. */
export interface EncryptedDataInput {
  /** Base64 of the AES-128-CBC ciphertext. */
  encryptedData: string;
  /** Base64 of the 16-byte initialisation vector. */
  iv: string;
  /** The player's current session_key as jscode2session gave it (base64 of 16 bytes). */
  sessionKey: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes canonical standard base64 (padded, no whitespace, no URL-safe letters) or throws EncryptedDataMalformedError. */
function decodeBase64(value: unknown, field: EncryptedDataField, maxBytes: number): Buffer {
  if (typeof value !== 'string' || value.length === 0) throw new EncryptedDataMalformedError(field, `${field} is empty or not a string`);
  if (value.length > Math.ceil(maxBytes / 3) * 4) throw new EncryptedDataMalformedError(field, `${field} is longer than ${maxBytes} bytes`);
  if (value.length % 4 !== 0 || !BASE64.test(value)) throw new EncryptedDataMalformedError(field, `${field} is not base64`);
  const bytes = Buffer.from(value, 'base64');
  // Buffer.from skips what it does not understand; a round trip catches non-zero trailing bits too.
  if (bytes.toString('base64') !== value) throw new EncryptedDataMalformedError(field, `${field} is not canonical base64`);
  return bytes;
}

/**
 * Removes PKCS#7 padding strictly: the last byte n must be 1..16 and each of
 * the last n bytes must equal n. Every one of the last 16 bytes is looked at
 * whatever n is, so the check's time does not depend on where it fails.
 * Returns null for bad padding (never a loosely unpadded guess).
 */
function stripPkcs7(plain: Buffer): Buffer | null {
  const length = plain.length;
  const padding = plain[length - 1] ?? 0;
  let bad = padding === 0 || padding > AES_BLOCK_BYTES ? 1 : 0;
  for (let i = 1; i <= AES_BLOCK_BYTES; i++) {
    const byte = plain[length - i] ?? 0;
    const inPadding = i <= padding ? 1 : 0;
    bad |= inPadding & (byte !== padding ? 1 : 0);
  }
  return bad ? null : plain.subarray(0, length - padding);
}

/**
 * Decrypts WeChat's encryptedData: AES-128-CBC, key = base64-decoded
 * session_key (16 bytes), iv = base64-decoded iv (16 bytes), strict PKCS#7,
 * then JSON. Returns the decoded object; checks no watermark (see
 * checkWatermark and openEncryptedData).
 *
 * Throws EncryptedDataMalformedError (garbage input), DecryptionFailedError
 * (bad padding: another session key) or DecryptedDataNotJsonError.
 */
export function decryptEncryptedData(input: EncryptedDataInput): Record<string, unknown> {
  const key = decodeBase64(input.sessionKey, 'sessionKey', SESSION_KEY_BYTES);
  if (key.length !== SESSION_KEY_BYTES) throw new EncryptedDataMalformedError('sessionKey', `the session key is ${key.length} bytes, not 16`);
  const iv = decodeBase64(input.iv, 'iv', AES_BLOCK_BYTES);
  if (iv.length !== AES_BLOCK_BYTES) throw new EncryptedDataMalformedError('iv', `iv is ${iv.length} bytes, not 16`);
  const ciphertext = decodeBase64(input.encryptedData, 'encryptedData', MAX_ENCRYPTED_DATA_BYTES);
  if (ciphertext.length % AES_BLOCK_BYTES !== 0) {
    throw new EncryptedDataMalformedError('encryptedData', `encryptedData is ${ciphertext.length} bytes, not a multiple of 16`);
  }

  const decipher = createDecipheriv('aes-128-cbc', key, iv);
  // OpenSSL's own unpadding is not the point here: every padding byte is checked below.
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  const unpadded = stripPkcs7(plain);
  if (!unpadded) throw new DecryptionFailedError('encryptedData does not decrypt with this session key (invalid PKCS#7 padding)');

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(unpadded);
  } catch {
    throw new DecryptedDataNotJsonError('the decrypted data is not UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DecryptedDataNotJsonError('the decrypted data is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DecryptedDataNotJsonError('the decrypted data is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** WeChat's data watermark: the appid the data was produced for and when (seconds). */
export interface Watermark {
  appid: string;
  /** Epoch seconds. */
  timestamp: number;
}

export interface WatermarkPolicy {
  /** Our appid: data for any other is refused. */
  appid: string;
  /** Epoch milliseconds to judge freshness by; default Date.now(). */
  now?: number;
  /** How old the watermark may be, in seconds; default 300. */
  maxAgeSeconds?: number;
  /** Clock difference tolerated between WeChat and us, in seconds; default 30 (and WeChat's timestamps are whole seconds). */
  maxSkewSeconds?: number;
  /**
   * Epoch milliseconds at which the server got the session key it decrypted
   * with (its jscode2session answer; keep the first time when WeChat hands
   * the same key again). A watermark before it (beyond the skew) is data of an
   * earlier login: `predates-session-key`. Omit to skip the check.
   */
  sessionKeyIssuedAt?: number | null;
}

export const DEFAULT_WATERMARK_MAX_AGE_SECONDS = 300;
export const DEFAULT_WATERMARK_MAX_SKEW_SECONDS = 30;

export type WatermarkProblem = 'missing' | 'appid-mismatch' | 'in-future' | 'predates-session-key' | 'too-old';

export type WatermarkCheck = { ok: true; watermark: Watermark } | { ok: false; problem: WatermarkProblem; watermark: Watermark | null };

function watermarkOf(data: unknown): Watermark | null {
  if (typeof data !== 'object' || data === null) return null;
  const watermark = (data as { watermark?: unknown }).watermark;
  if (typeof watermark !== 'object' || watermark === null) return null;
  const { appid, timestamp } = watermark as { appid?: unknown; timestamp?: unknown };
  if (typeof appid !== 'string' || typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp <= 0) return null;
  return { appid, timestamp };
}

/**
 * Checks the `watermark` of decrypted open data (user info, or phone_info):
 * its appid must be ours, its timestamp not in the future beyond the skew,
 * not before the session key was issued, and not older than the maximum age
 * (checked in that order). Never throws.
 */
export function checkWatermark(data: unknown, policy: WatermarkPolicy): WatermarkCheck {
  const watermark = watermarkOf(data);
  if (!watermark) return { ok: false, problem: 'missing', watermark: null };
  if (watermark.appid !== policy.appid) return { ok: false, problem: 'appid-mismatch', watermark };
  const now = policy.now ?? Date.now();
  const skewMs = (policy.maxSkewSeconds ?? DEFAULT_WATERMARK_MAX_SKEW_SECONDS) * 1000;
  const maxAgeMs = (policy.maxAgeSeconds ?? DEFAULT_WATERMARK_MAX_AGE_SECONDS) * 1000;
  const at = watermark.timestamp * 1000;
  if (at > now + skewMs) return { ok: false, problem: 'in-future', watermark };
  if (typeof policy.sessionKeyIssuedAt === 'number' && at < policy.sessionKeyIssuedAt - skewMs) {
    return { ok: false, problem: 'predates-session-key', watermark };
  }
  if (at < now - maxAgeMs) return { ok: false, problem: 'too-old', watermark };
  return { ok: true, watermark };
}

/** The typed error for a failed watermark check. */
export function watermarkError(problem: WatermarkProblem): WeChatDataError {
  switch (problem) {
    case 'missing':
      return new WatermarkMissingError('the decrypted data has no watermark');
    case 'appid-mismatch':
      return new WatermarkAppIdMismatchError('the data was produced for another appid');
    case 'in-future':
      return new WatermarkInFutureError('the watermark lies in the future');
    case 'predates-session-key':
      return new WatermarkPredatesSessionKeyError('the data was produced before the current session key was issued');
    case 'too-old':
      return new WatermarkTooOldError('the watermark is too old');
  }
}

/**
 * decryptEncryptedData, then checkWatermark: the decoded data with its
 * watermark, or one of the typed errors of data-errors.ts.
 */
export function openEncryptedData(input: EncryptedDataInput, policy: WatermarkPolicy): { data: Record<string, unknown>; watermark: Watermark } {
  const data = decryptEncryptedData(input);
  const check = checkWatermark(data, policy);
  if (!check.ok) throw watermarkError(check.problem);
  return { data, watermark: check.watermark };
}

/** Compares two strings in time that depends only on their lengths; different lengths are unequal. */
function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** sha1(rawData + session_key), lowercase hex: the `signature` wx.getUserInfo gives beside rawData. */
export function rawDataSignature(rawData: string, sessionKey: string): string {
  return createHash('sha1')
    .update(rawData + sessionKey, 'utf8')
    .digest('hex');
}

/** Whether `signature` is sha1(rawData + session_key), compared in constant time. */
export function verifyRawDataSignature(rawData: string, signature: string, sessionKey: string): boolean {
  if (typeof rawData !== 'string' || typeof signature !== 'string' || typeof sessionKey !== 'string') return false;
  return constantTimeEqual(signature.toLowerCase(), rawDataSignature(rawData, sessionKey));
}

/**
 * The user login state signature of checksession, set_user_storage and
 * remove_user_storage: hmac_sha256 keyed with the session_key string's UTF-8
 * bytes (not its base64-decoded bytes) over the exact body bytes sent, or
 * over "" for a GET; lowercase hex.
 */
export function sessionSignature(sessionKey: string, body: string | Uint8Array = ''): string {
  const hmac = createHmac('sha256', Buffer.from(sessionKey, 'utf8'));
  hmac.update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  return hmac.digest('hex');
}
