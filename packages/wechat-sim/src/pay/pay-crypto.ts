import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

// The simulator's own copy of WeChat's virtual payment and push crypto, written apart from
// @minigate/wechat's so that a test against the simulator checks that package rather than itself.

/** hex(hmac_sha256(key, data)), lowercase: WeChat's pay_sig, signature, paySig and PayEventSig. */
export const hmacHex = (key: string, data: string): string => createHmac('sha256', Buffer.from(key, 'utf8')).update(data, 'utf8').digest('hex');

/** sha1 of the strings sorted and joined: the push's signature (token, timestamp, nonce) or msg_signature (and Encrypt). */
export const sortedSha1 = (...parts: string[]): string => createHash('sha1').update(parts.sort().join(''), 'utf8').digest('hex');

/** WXBizMsgCrypt: AES-256-CBC, key = base64(EncodingAESKey + "="), IV = its first 16 bytes, PKCS#7 to 32 bytes over 16 random bytes + length + message + appid. */
export function wxEncrypt(encodingAesKey: string, message: string, appid: string): string {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(appid, 'utf8')]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

/** A signature with one hex digit changed (still lowercase hex): what a forged push carries. */
export const offByOne = (hex: string): string => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');
