import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// WeChat's message push (消息推送) to the developer's server, pure functions without I/O.
//
// Confirmed in WeChat's official docs (developers.weixin.qq.com, via `search`):
// - minigame/dev/guide/base-ability/message-push: the GET handshake carries signature, timestamp, nonce and
//   echostr; signature = sha1 of Token, timestamp and nonce sorted lexicographically and joined; on a match
//   the server answers echostr unchanged. Example: Token "AAAAA", timestamp 1714036504, nonce 1514711492 →
//   f464b24fc39322e44b38aa78f5edd27bd1441696 (a vector in push-crypto.test.ts, as is the POST example of
//   doc/oplatform/developers/dev/push/encryption: 1714037059, 486452656 → 899cf89e…5f53aa78). Modes: plain
//   (明文), compatible (兼容) and safe (安全); data format XML or JSON.
// - doc/oplatform …/Message_Encryption/Technical_Plan: EncodingAESKey is 43 characters of a-z, A-Z, 0-9;
//   AESKey = Base64_Decode(EncodingAESKey + "="); AES in CBC mode; the safe mode adds encrypt_type=aes and
//   msg_signature to the URL.
// Not confirmed in what `search` returned (the technical plan's excerpt stops short; these are WXBizMsgCrypt's,
// the sample code WeChat ships, and the contract's): the 32-byte key's first 16 bytes as the IV, PKCS#7 with a
// 32-byte block, plaintext = 16 random bytes + the message's length (4 bytes, big-endian) + message + appid,
// msg_signature = sha1 of the sorted Token, timestamp, nonce and Encrypt, and the JSON safe-mode body
// { ToUserName, Encrypt }.
//
// AES-CBC has no integrity of its own: a changed ciphertext may still decrypt. msg_signature is what proves the
// body is WeChat's, so check it first (openPushMessage does both).

/** Why a pushed message was refused: never the key or the plaintext. */
export type PushMessageProblem = 'aes-key' | 'signature' | 'encrypt' | 'padding' | 'length' | 'appid' | 'utf8';

export class PushMessageError extends Error {
  override name = 'PushMessageError';
  constructor(
    readonly problem: PushMessageProblem,
    message: string,
  ) {
    super(message);
  }
}

const ENCODING_AES_KEY = /^[A-Za-z0-9]{43}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const SHA1_HEX = /^[0-9a-f]{40}$/;
const PAD_BLOCK = 32;
const RANDOM_BYTES = 16;
/** Far above any push WeChat sends; refuses a flood before decrypting it. */
const MAX_ENCRYPT_CHARS = 1024 * 1024;

/** The 32-byte AES key of an EncodingAESKey (43 characters): Base64_Decode(EncodingAESKey + "="). */
export function pushAesKey(encodingAesKey: string): Buffer {
  if (!ENCODING_AES_KEY.test(encodingAesKey)) throw new PushMessageError('aes-key', 'the EncodingAESKey is not 43 letters and digits');
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new PushMessageError('aes-key', 'the EncodingAESKey does not decode to 32 bytes');
  return key;
}

/** sha1 of the strings sorted and joined, lowercase hex: the handshake's signature (no encrypt) or msg_signature (with Encrypt). */
export function pushSignature(token: string, timestamp: string, nonce: string, encrypt?: string): string {
  const parts = encrypt === undefined ? [token, timestamp, nonce] : [token, timestamp, nonce, encrypt];
  return createHash('sha1').update(parts.sort().join(''), 'utf8').digest('hex');
}

/** What a push carries in its query: `signature` is the handshake's or msg_signature; `encrypt` the body's Encrypt in the safe mode. */
export interface PushSignatureInput {
  signature: unknown;
  timestamp: string;
  nonce: string;
  encrypt?: string;
}

/** Whether the signature is pushSignature's for these values: constant-time, 40 lowercase hex digits only. */
export function verifyPushSignature(token: string, input: PushSignatureInput): boolean {
  const { signature } = input;
  if (typeof signature !== 'string' || !SHA1_HEX.test(signature)) return false;
  const expected = pushSignature(token, input.timestamp, input.nonce, input.encrypt);
  return timingSafeEqual(Buffer.from(signature, 'utf8'), Buffer.from(expected, 'utf8'));
}

/** Encrypt of the safe mode for `message` (WXBizMsgCrypt). `random` (16 bytes) is for tests; fresh random bytes otherwise. */
export function encryptPushMessage(aesKey: string, message: string, appid: string, random: Buffer = randomBytes(RANDOM_BYTES)): string {
  if (random.length !== RANDOM_BYTES) throw new RangeError('random must be 16 bytes');
  const key = pushAesKey(aesKey);
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([random, length, body, Buffer.from(appid, 'utf8')]);
  const padding = PAD_BLOCK - (plain.length % PAD_BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(padding, padding)])), cipher.final()]).toString('base64');
}

/** Strict PKCS#7 with a 32-byte block, every one of the last 32 bytes looked at: the unpadded bytes, or null. */
function stripPadding(plain: Buffer): Buffer | null {
  const padding = plain[plain.length - 1] ?? 0;
  let bad = padding === 0 || padding > PAD_BLOCK ? 1 : 0;
  for (let i = 1; i <= PAD_BLOCK; i++) bad |= (i <= padding ? 1 : 0) & ((plain[plain.length - i] ?? 0) !== padding ? 1 : 0);
  return bad ? null : plain.subarray(0, plain.length - padding);
}

/**
 * The message inside a safe-mode Encrypt, checked: base64, whole AES blocks, strict padding, a length that
 * fits, the appid it names, valid UTF-8. Throws PushMessageError. Check msg_signature first.
 */
export function decryptPushMessage(aesKey: string, encrypt: string, appid: string): string {
  const key = pushAesKey(aesKey);
  if (typeof encrypt !== 'string' || encrypt.length > MAX_ENCRYPT_CHARS || encrypt.length % 4 !== 0 || !BASE64.test(encrypt))
    throw new PushMessageError('encrypt', 'Encrypt is not base64');
  const sealed = Buffer.from(encrypt, 'base64');
  if (sealed.length < PAD_BLOCK || sealed.length % 16 !== 0) throw new PushMessageError('encrypt', 'Encrypt is not whole AES blocks');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const plain = stripPadding(Buffer.concat([decipher.update(sealed), decipher.final()]));
  if (!plain) throw new PushMessageError('padding', 'Encrypt does not decrypt with this EncodingAESKey (bad padding)');
  if (plain.length < RANDOM_BYTES + 4) throw new PushMessageError('length', 'the decrypted message is too short');
  const length = plain.readUInt32BE(RANDOM_BYTES);
  if (length > plain.length - RANDOM_BYTES - 4) throw new PushMessageError('length', 'the decrypted length does not fit the message');
  const end = RANDOM_BYTES + 4 + length;
  if (plain.subarray(end).toString('utf8') !== appid) throw new PushMessageError('appid', 'the message is not for this appid');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plain.subarray(RANDOM_BYTES + 4, end));
  } catch {
    throw new PushMessageError('utf8', 'the decrypted message is not UTF-8');
  }
}

/** A safe-mode push: msg_signature checked against token, timestamp, nonce and Encrypt, then Encrypt decrypted. */
export function openPushMessage(
  push: { token: string; aesKey: string; appid: string },
  query: { msgSignature: unknown; timestamp: string; nonce: string },
  encrypt: string,
): string {
  if (!verifyPushSignature(push.token, { signature: query.msgSignature, timestamp: query.timestamp, nonce: query.nonce, encrypt }))
    throw new PushMessageError('signature', 'msg_signature does not match');
  return decryptPushMessage(push.aesKey, encrypt, push.appid);
}
