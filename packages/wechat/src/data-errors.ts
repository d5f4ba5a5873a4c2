/**
 * Why a piece of WeChat open data (encryptedData + iv from wx.getUserInfo or
 * a user info button) could not be read, one class each, so the API maps
 * them with `instanceof`:
 *
 * - EncryptedDataMalformedError: the input is garbage (not base64, wrong
 *   lengths). The client sent something WeChat never produced: BAD_REQUEST,
 *   naming `field`. A malformed `sessionKey` is the server's own data at
 *   fault, not the client's.
 * - SessionKeyStaleError (DecryptionFailedError, WatermarkPredatesSessionKeyError):
 *   the data was encrypted with another session_key than the one the server
 *   holds, or before it was issued. The client logs in again and retries.
 * - DecryptedDataNotJsonError: the padding was valid but the plaintext is not
 *   a JSON object. With a wrong key this happens about once in 256 tries
 *   (the last byte decrypts to 0x01 by chance), so it usually means a stale
 *   key as well.
 * - WatermarkError subclasses: the data is genuine but not for us or not
 *   fresh (other appid, too old, from the future, no watermark).
 *
 * No message carries the session key, the iv or any decrypted byte.
 */
export abstract class WeChatDataError extends Error {
  /** A stable machine-readable name of the problem. */
  abstract readonly problem: string;
}

export type EncryptedDataField = 'encryptedData' | 'iv' | 'sessionKey';

/** encryptedData, iv or session key is not canonical base64, or decodes to the wrong length. */
export class EncryptedDataMalformedError extends WeChatDataError {
  override name = 'EncryptedDataMalformedError';
  readonly problem = 'malformed';
  constructor(
    readonly field: EncryptedDataField,
    message: string,
  ) {
    super(message);
  }
}

/** The session key the server holds is not the one WeChat encrypted the data with (or was issued after the data). */
export abstract class SessionKeyStaleError extends WeChatDataError {}

/** AES-128-CBC decryption ended in invalid PKCS#7 padding: almost always another session_key. */
export class DecryptionFailedError extends SessionKeyStaleError {
  override name = 'DecryptionFailedError';
  readonly problem = 'decryption-failed';
}

/** The watermark is older than the session key: the data was produced under an earlier login. */
export class WatermarkPredatesSessionKeyError extends SessionKeyStaleError {
  override name = 'WatermarkPredatesSessionKeyError';
  readonly problem = 'predates-session-key';
}

/** The plaintext is not UTF-8 JSON, or not a JSON object. */
export class DecryptedDataNotJsonError extends WeChatDataError {
  override name = 'DecryptedDataNotJsonError';
  readonly problem = 'not-json';
}

/** The decrypted data is genuine, but its watermark says it is not ours or not fresh. */
export abstract class WatermarkError extends WeChatDataError {}

/** No `watermark: { appid, timestamp }` in the decrypted data. */
export class WatermarkMissingError extends WatermarkError {
  override name = 'WatermarkMissingError';
  readonly problem = 'missing';
}

/** The watermark's appid is not ours: data of another mini-game. */
export class WatermarkAppIdMismatchError extends WatermarkError {
  override name = 'WatermarkAppIdMismatchError';
  readonly problem = 'appid-mismatch';
}

/** The watermark is older than the allowed age: a replay, or a client that sat on the data. */
export class WatermarkTooOldError extends WatermarkError {
  override name = 'WatermarkTooOldError';
  readonly problem = 'too-old';
}

/** The watermark lies further in the future than the allowed clock skew. */
export class WatermarkInFutureError extends WatermarkError {
  override name = 'WatermarkInFutureError';
  readonly problem = 'in-future';
}
