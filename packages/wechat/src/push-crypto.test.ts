import { createDecipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decryptPushMessage,
  encryptPushMessage,
  openPushMessage,
  pushAesKey,
  pushSignature,
  PushMessageError,
  verifyPushSignature,
} from './push-crypto.js';

const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const OTHER_KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg';
const APPID = 'wxpushcrypto0001';

function problemOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PushMessageError);
    return (error as PushMessageError).problem;
  }
  throw new Error('expected a PushMessageError');
}

describe('the push handshake and msg_signature', () => {
  it('matches WeChat’s examples: Token AAAAA with its timestamps and nonces', () => {
    expect(pushSignature('AAAAA', '1714036504', '1514711492')).toBe('f464b24fc39322e44b38aa78f5edd27bd1441696');
    expect(pushSignature('AAAAA', '1714037059', '486452656')).toBe('899cf89e464efb63f54ddac96b0a0a235f53aa78');
  });

  it('signs the sorted strings, Encrypt included for msg_signature', () => {
    const expected = createHash('sha1').update(['tok', '1700000000', 'n1', 'QUJD'].sort().join('')).digest('hex');
    expect(pushSignature('tok', '1700000000', 'n1', 'QUJD')).toBe(expected);
  });

  it('verifies, refusing one character off, uppercase hex, another token, nonce or Encrypt', () => {
    const signature = 'f464b24fc39322e44b38aa78f5edd27bd1441696';
    const good = { signature, timestamp: '1714036504', nonce: '1514711492' };
    expect(verifyPushSignature('AAAAA', good)).toBe(true);
    expect(verifyPushSignature('AAAAA', { ...good, signature: `${signature.slice(0, -1)}7` })).toBe(false);
    expect(verifyPushSignature('AAAAA', { ...good, signature: signature.toUpperCase() })).toBe(false);
    expect(verifyPushSignature('AAAAB', good)).toBe(false);
    expect(verifyPushSignature('AAAAA', { ...good, nonce: '1514711493' })).toBe(false);
    expect(verifyPushSignature('AAAAA', { ...good, encrypt: 'QUJD' })).toBe(false);
    expect(verifyPushSignature('AAAAA', { ...good, signature: undefined })).toBe(false);
  });
});

describe('the safe mode (WXBizMsgCrypt)', () => {
  it('derives the 32-byte key from the 43-character EncodingAESKey and refuses any other', () => {
    expect(pushAesKey(AES_KEY)).toEqual(Buffer.from(`${AES_KEY}=`, 'base64'));
    expect(pushAesKey(AES_KEY)).toHaveLength(32);
    expect(problemOf(() => pushAesKey(AES_KEY.slice(1)))).toBe('aes-key');
    expect(problemOf(() => pushAesKey(`${AES_KEY.slice(1)}+`))).toBe('aes-key');
  });

  it('lays the plaintext out as 16 random bytes, a big-endian length, the message and the appid, padded to 32 bytes', () => {
    const random = Buffer.alloc(16, 7);
    const message = '{"Event":"x","中":"文"}';
    const encrypt = encryptPushMessage(AES_KEY, message, APPID, random);
    const key = Buffer.from(`${AES_KEY}=`, 'base64');
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
    expect(plain.length % 32).toBe(0);
    const padding = plain[plain.length - 1]!;
    expect(padding).toBeGreaterThanOrEqual(1);
    expect(padding).toBeLessThanOrEqual(32);
    expect([...plain.subarray(plain.length - padding)].every((byte) => byte === padding)).toBe(true);
    expect(plain.subarray(0, 16)).toEqual(random);
    const length = Buffer.byteLength(message);
    expect(plain.readUInt32BE(16)).toBe(length);
    expect(plain.subarray(20, 20 + length).toString('utf8')).toBe(message);
    expect(plain.subarray(20 + length, plain.length - padding).toString('utf8')).toBe(APPID);
  });

  it('round-trips messages of every length across the 32-byte block', () => {
    for (let size = 0; size < 70; size++) {
      const message = 'm'.repeat(size);
      expect(decryptPushMessage(AES_KEY, encryptPushMessage(AES_KEY, message, APPID), APPID)).toBe(message);
    }
    const json = JSON.stringify({ ToUserName: 'gh_1', MiniGame: { Payload: '{"OpenId":"o"}' }, emoji: '🎮' });
    expect(decryptPushMessage(AES_KEY, encryptPushMessage(AES_KEY, json, APPID), APPID)).toBe(json);
  });

  it('refuses another key, another appid, garbage, and a tampered last block', () => {
    const encrypt = encryptPushMessage(AES_KEY, '{"a":1}', APPID);
    expect(problemOf(() => decryptPushMessage(OTHER_KEY, encrypt, APPID))).toMatch(/^(padding|length|appid)$/);
    expect(problemOf(() => decryptPushMessage(AES_KEY, encrypt, 'wxsomeoneelse001'))).toBe('appid');
    expect(problemOf(() => decryptPushMessage(AES_KEY, 'not base64!', APPID))).toBe('encrypt');
    expect(problemOf(() => decryptPushMessage(AES_KEY, Buffer.alloc(20).toString('base64'), APPID))).toBe('encrypt');
    const bytes = Buffer.from(encrypt, 'base64');
    bytes[bytes.length - 1]! ^= 0x01;
    expect(problemOf(() => decryptPushMessage(AES_KEY, bytes.toString('base64'), APPID))).toMatch(/^(padding|length|appid)$/);
  });

  it('refuses any changed byte of Encrypt through msg_signature (openPushMessage)', () => {
    const push = { token: 'push-token', aesKey: AES_KEY, appid: APPID };
    const encrypt = encryptPushMessage(AES_KEY, '{"Event":"minigame_game_pay_goods_deliver_notify"}', APPID);
    const query = { timestamp: '1700000000', nonce: '42', msgSignature: pushSignature('push-token', '1700000000', '42', encrypt) };
    expect(openPushMessage(push, query, encrypt)).toBe('{"Event":"minigame_game_pay_goods_deliver_notify"}');
    const bytes = Buffer.from(encrypt, 'base64');
    for (const at of [0, 5, 17, bytes.length - 1]) {
      const tampered = Buffer.from(bytes);
      tampered[at]! ^= 0x20;
      expect(problemOf(() => openPushMessage(push, query, tampered.toString('base64')))).toBe('signature');
    }
    expect(problemOf(() => openPushMessage(push, { ...query, msgSignature: String(query.msgSignature).toUpperCase() }, encrypt))).toBe('signature');
  });

  it('keeps the key and the plaintext out of its messages', () => {
    const encrypt = encryptPushMessage(AES_KEY, 'secret-plaintext', APPID);
    const error = (() => {
      try {
        decryptPushMessage(AES_KEY, encrypt, 'wxsomeoneelse001');
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected a refusal');
    })();
    expect(error).toBeInstanceOf(PushMessageError);
    expect(`${error.message}${error.stack}`).not.toContain('secret-plaintext');
    expect(`${error.message}${error.stack}`).not.toContain(AES_KEY);
  });
});
