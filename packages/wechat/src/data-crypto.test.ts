import { createCipheriv, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkWatermark,
  decryptEncryptedData,
  openEncryptedData,
  rawDataSignature,
  sessionSignature,
  verifyRawDataSignature,
  type EncryptedDataInput,
} from './data-crypto.js';
import {
  DecryptedDataNotJsonError,
  DecryptionFailedError,
  EncryptedDataMalformedError,
  SessionKeyStaleError,
  WatermarkAppIdMismatchError,
  WatermarkError,
  WatermarkInFutureError,
  WatermarkMissingError,
  WatermarkPredatesSessionKeyError,
  WatermarkTooOldError,
  type WeChatDataError,
} from './data-errors.js';

// WeChat's decrypt demo (the sample code linked from 开放数据校验与解密,
// https://developers.weixin.qq.com/minigame/dev/guide/open-ability/signature.html;
// its nodejs/demo.js holds these values, and WxJava's WxMaCryptUtilsTest
// decrypts the same ones).
const DEMO = {
  appid: 'wx4f4bc4dec97d474b',
  sessionKey: 'tiihtNczf5v6AKRyjwEUhQ==',
  encryptedData:
    'CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142d' +
    'NCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn' +
    '/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns' +
    '/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuy' +
    'Db/XcxxmK01EpqOyuxINew==',
  iv: 'r7BXXKkLb8qrSNn05n0qiA==',
};
const DEMO_DECRYPTED = {
  openId: 'oGZUI0egBJY1zhBYw2KhdUfwVJJE',
  nickName: 'Band',
  gender: 1,
  language: 'zh_CN',
  city: 'Guangzhou',
  province: 'Guangdong',
  country: 'CN',
  avatarUrl: 'http://wx.qlogo.cn/mmopen/vi_32/aSKcBBPpibyKNicHNTMM0qJVh8Kjgiak2AHWr8MHM4WgMEm7GFhsf8OYrySdbvAMvTsw3mo8ibKicsnfN5pRjl1p8HQ/0',
  unionId: 'ocMvos6NjeKLIBqg5Mr9QjxrP1FA',
  watermark: { timestamp: 1477314187, appid: 'wx4f4bc4dec97d474b' },
};
const DEMO_AT = 1477314187 * 1000;

// WeChat's signature page example (数据签名校验, same page as above).
const SIGNATURE_PAGE = {
  rawData:
    '{"nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/1vZvI39NWFQ9XM4LtQpFrQJ1xlgZxx3w7bQxKARol6503Iuswjjn6nIGBiaycAjAtpujxyzYsrztuuICqIM5ibXQ/0"}',
  sessionKey: 'HyVFkGl5F5OQWJZZaNzBBg==',
  signature: '75e81ceda165f4ffa64f4068af58c64b8f54b88c',
};

// WeChat's user login state signature example (用户登录态签名, the page the
// checkSessionKey and setUserStorage docs link to:
// https://developers.weixin.qq.com/minigame/dev/tutorial/open-ability/http-signature.html).
const HTTP_SIGNATURE_PAGE = {
  body: '{"foo":"bar"}',
  sessionKey: 'o0q0otL8aEzpcZL/FT9WsQ==',
  signature: '654571f79995b2ce1e149e53c0a33dc39c0a74090db514261454e8dbe432aa0b',
};

function failure(work: () => unknown): WeChatDataError {
  try {
    work();
  } catch (error) {
    return error as WeChatDataError;
  }
  throw new Error('expected a failure');
}

/** encryptedData for raw plaintext bytes, padded by the caller (or deliberately not). */
function encryptRaw(plain: Buffer, key: Buffer, iv: Buffer): string {
  const cipher = createCipheriv('aes-128-cbc', key, iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

/** PKCS#7 padding to whole 16-byte blocks (a full block when already aligned). */
function pkcs7(data: Buffer): Buffer {
  const padding = 16 - (data.length % 16);
  return Buffer.concat([data, Buffer.alloc(padding, padding)]);
}

const KEY = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const IV = Buffer.from('0f0e0d0c0b0a09080706050403020100', 'hex');
const own = (plain: Buffer): EncryptedDataInput => ({
  encryptedData: encryptRaw(plain, KEY, IV),
  iv: IV.toString('base64'),
  sessionKey: KEY.toString('base64'),
});

describe('decryptEncryptedData', () => {
  it("decrypts WeChat's own demo vector to the published user info with watermark timestamp 1477314187", () => {
    expect(decryptEncryptedData(DEMO)).toEqual(DEMO_DECRYPTED);
  });

  it('decrypts strictly padded messages of our own, multibyte text and a whole block of padding included', () => {
    expect(decryptEncryptedData(own(pkcs7(Buffer.from('{"nick":"猫🎮"}', 'utf8'))))).toEqual({ nick: '猫🎮' });
    const sixteen = Buffer.from('{"x":1234567890}', 'utf8');
    expect(sixteen.length).toBe(16);
    expect(pkcs7(sixteen).length).toBe(32);
    expect(decryptEncryptedData(own(pkcs7(sixteen)))).toEqual({ x: 1234567890 });
  });

  it('fails a wrong session key as DecryptionFailedError, a SessionKeyStaleError', () => {
    const error = failure(() => decryptEncryptedData({ ...DEMO, sessionKey: 'HyVFkGl5F5OQWJZZaNzBBg==' }));
    expect(error).toBeInstanceOf(DecryptionFailedError);
    expect(error).toBeInstanceOf(SessionKeyStaleError);
    expect(error.message).not.toContain('HyVFkGl5F5OQWJZZaNzBBg==');
  });

  it('refuses padding a loose unpadder would accept: the last byte says 9, but one of the 9 bytes is not 9', () => {
    // Stripping 9 bytes by the last one alone leaves {"a":123}: valid JSON, yet not what was encrypted.
    const plain = Buffer.concat([Buffer.from('{"a":123}', 'utf8'), Buffer.from([0x20]), Buffer.alloc(6, 9)]);
    expect(plain.length).toBe(16);
    expect(failure(() => decryptEncryptedData(own(plain)))).toBeInstanceOf(DecryptionFailedError);
  });

  it('refuses a padding byte of 0 and one above 16', () => {
    const zero = Buffer.concat([Buffer.from('{"a":1234567890', 'utf8'), Buffer.from([0])]);
    const seventeen = Buffer.concat([Buffer.from('{"a":1234567890', 'utf8'), Buffer.from([17])]);
    expect(failure(() => decryptEncryptedData(own(zero)))).toBeInstanceOf(DecryptionFailedError);
    expect(failure(() => decryptEncryptedData(own(seventeen)))).toBeInstanceOf(DecryptionFailedError);
  });

  it("refuses WeChat's demo ciphertext with its last block tampered into bad padding", () => {
    const bytes = Buffer.from(DEMO.encryptedData, 'base64');
    // In CBC the last plaintext byte is the last ciphertext byte of the block before, XOR-ed in: 0x07 becomes 0x06.
    bytes[bytes.length - 17] = (bytes[bytes.length - 17] ?? 0) ^ 0x01;
    expect(failure(() => decryptEncryptedData({ ...DEMO, encryptedData: bytes.toString('base64') }))).toBeInstanceOf(DecryptionFailedError);
  });

  it('answers DecryptedDataNotJsonError when the padding is valid but the plaintext is not a JSON object', () => {
    const notJson = Buffer.concat([Buffer.from('not json at all', 'utf8'), Buffer.from([1])]);
    const notUtf8 = Buffer.concat([Buffer.from([0xff, 0xfe, 0xfd]), Buffer.alloc(13, 13)]);
    const array = Buffer.concat([Buffer.from('[1,2,3]', 'utf8'), Buffer.alloc(9, 9)]);
    for (const plain of [notJson, notUtf8, array]) {
      expect(failure(() => decryptEncryptedData(own(plain)))).toBeInstanceOf(DecryptedDataNotJsonError);
    }
  });

  it.each([
    ['encryptedData', { encryptedData: 'not base64!!' }],
    ['encryptedData', { encryptedData: 'CiyLU1Aw2Kjv-jMdj8YK_iAjtP4gsMZM' }],
    ['encryptedData', { encryptedData: 'CiyLU1Aw2Kjv rjMdj8YKliAjtP4gsMZM' }],
    ['encryptedData', { encryptedData: '' }],
    ['encryptedData', { encryptedData: Buffer.alloc(17).toString('base64') }],
    ['encryptedData', { encryptedData: 'A'.repeat(200_000) }],
    ['iv', { iv: 'r7BXXKkLb8qrSNn05n0q' }],
    ['iv', { iv: Buffer.alloc(12).toString('base64') }],
    ['iv', { iv: 'r7BXXKkLb8qrSNn05n0qiA' }],
    ['sessionKey', { sessionKey: Buffer.alloc(24).toString('base64') }],
    ['sessionKey', { sessionKey: 'tiihtNczf5v6AKRyjwEUhR==' }],
    ['sessionKey', { sessionKey: 42 as unknown as string }],
  ] as const)('refuses garbage %s as EncryptedDataMalformedError naming the field (%j)', (field, change) => {
    const error = failure(() => decryptEncryptedData({ ...DEMO, ...change }));
    expect(error).toBeInstanceOf(EncryptedDataMalformedError);
    expect((error as EncryptedDataMalformedError).field).toBe(field);
  });
});

describe('checkWatermark and openEncryptedData', () => {
  const policy = { appid: DEMO.appid, now: DEMO_AT + 60_000, maxAgeSeconds: 300, maxSkewSeconds: 30 };

  it("accepts WeChat's demo data for its appid a minute after its timestamp", () => {
    expect(checkWatermark(DEMO_DECRYPTED, policy)).toEqual({ ok: true, watermark: { appid: DEMO.appid, timestamp: 1477314187 } });
    expect(openEncryptedData(DEMO, policy)).toEqual({ data: DEMO_DECRYPTED, watermark: DEMO_DECRYPTED.watermark });
  });

  it('refuses another appid, an old watermark, one from the future, and one before the session key', () => {
    expect(checkWatermark(DEMO_DECRYPTED, { ...policy, appid: 'wxsomeotherapp00' })).toMatchObject({ ok: false, problem: 'appid-mismatch' });
    expect(checkWatermark(DEMO_DECRYPTED, { ...policy, now: DEMO_AT + 301_000 })).toMatchObject({ ok: false, problem: 'too-old' });
    expect(checkWatermark(DEMO_DECRYPTED, { ...policy, now: DEMO_AT - 31_000 })).toMatchObject({ ok: false, problem: 'in-future' });
    expect(checkWatermark(DEMO_DECRYPTED, { ...policy, sessionKeyIssuedAt: DEMO_AT + 31_000 })).toMatchObject({
      ok: false,
      problem: 'predates-session-key',
    });
  });

  it('tolerates the skew: a watermark a few seconds ahead, or in the same second as the key', () => {
    expect(checkWatermark(DEMO_DECRYPTED, { ...policy, now: DEMO_AT - 5_000 }).ok).toBe(true);
    expect(checkWatermark(DEMO_DECRYPTED, { ...policy, sessionKeyIssuedAt: DEMO_AT + 999 }).ok).toBe(true);
    expect(checkWatermark(DEMO_DECRYPTED, { ...policy, now: DEMO_AT + 300_000 }).ok).toBe(true);
  });

  it('uses a 300 s age and 30 s skew by default', () => {
    expect(checkWatermark(DEMO_DECRYPTED, { appid: DEMO.appid, now: DEMO_AT + 299_000 }).ok).toBe(true);
    expect(checkWatermark(DEMO_DECRYPTED, { appid: DEMO.appid, now: DEMO_AT + 301_000 }).ok).toBe(false);
    expect(checkWatermark(DEMO_DECRYPTED, { appid: DEMO.appid, now: DEMO_AT - 29_000 }).ok).toBe(true);
    expect(checkWatermark(DEMO_DECRYPTED, { appid: DEMO.appid, now: DEMO_AT - 31_000 }).ok).toBe(false);
  });

  it('finds no watermark in data without one or with a malformed one', () => {
    expect(checkWatermark({ nickName: 'x' }, policy)).toEqual({ ok: false, problem: 'missing', watermark: null });
    expect(checkWatermark({ watermark: { appid: DEMO.appid, timestamp: '1477314187' } }, policy)).toMatchObject({ problem: 'missing' });
    expect(checkWatermark(null, policy)).toMatchObject({ problem: 'missing' });
  });

  it('throws a typed error for each failed check', () => {
    expect(failure(() => openEncryptedData(DEMO, { ...policy, appid: 'wxsomeotherapp00' }))).toBeInstanceOf(WatermarkAppIdMismatchError);
    expect(failure(() => openEncryptedData(DEMO, { ...policy, now: DEMO_AT + 3_600_000 }))).toBeInstanceOf(WatermarkTooOldError);
    expect(failure(() => openEncryptedData(DEMO, { ...policy, now: DEMO_AT - 3_600_000 }))).toBeInstanceOf(WatermarkInFutureError);
    const stale = failure(() => openEncryptedData(DEMO, { ...policy, sessionKeyIssuedAt: DEMO_AT + 3_600_000 }));
    expect(stale).toBeInstanceOf(WatermarkPredatesSessionKeyError);
    expect(stale).toBeInstanceOf(SessionKeyStaleError);
    const noWatermark = own(Buffer.concat([Buffer.from('{"nickName":"x"}', 'utf8'), Buffer.alloc(16, 16)]));
    const missing = failure(() => openEncryptedData(noWatermark, policy));
    expect(missing).toBeInstanceOf(WatermarkMissingError);
    expect(missing).toBeInstanceOf(WatermarkError);
    // A wrong key fails before any watermark is looked at.
    expect(failure(() => openEncryptedData({ ...DEMO, sessionKey: KEY.toString('base64') }, policy))).toBeInstanceOf(SessionKeyStaleError);
  });
});

describe('rawData signature', () => {
  it("matches WeChat's signature page example", () => {
    expect(rawDataSignature(SIGNATURE_PAGE.rawData, SIGNATURE_PAGE.sessionKey)).toBe(SIGNATURE_PAGE.signature);
    expect(verifyRawDataSignature(SIGNATURE_PAGE.rawData, SIGNATURE_PAGE.signature, SIGNATURE_PAGE.sessionKey)).toBe(true);
    expect(verifyRawDataSignature(SIGNATURE_PAGE.rawData, SIGNATURE_PAGE.signature.toUpperCase(), SIGNATURE_PAGE.sessionKey)).toBe(true);
  });

  it('refuses tampered data, another key, a truncated or empty signature, and non-strings', () => {
    const { rawData, signature, sessionKey } = SIGNATURE_PAGE;
    expect(verifyRawDataSignature(rawData.replace('Band', 'Bond'), signature, sessionKey)).toBe(false);
    expect(verifyRawDataSignature(rawData, signature, DEMO.sessionKey)).toBe(false);
    expect(verifyRawDataSignature(rawData, signature.slice(0, 39), sessionKey)).toBe(false);
    expect(verifyRawDataSignature(rawData, '', sessionKey)).toBe(false);
    expect(verifyRawDataSignature(rawData, `${signature}00`, sessionKey)).toBe(false);
    expect(verifyRawDataSignature(rawData, 42 as unknown as string, sessionKey)).toBe(false);
  });
});

describe('session signature (hmac_sha256)', () => {
  it("matches WeChat's user login state signature example", () => {
    expect(sessionSignature(HTTP_SIGNATURE_PAGE.sessionKey, HTTP_SIGNATURE_PAGE.body)).toBe(HTTP_SIGNATURE_PAGE.signature);
    expect(sessionSignature(HTTP_SIGNATURE_PAGE.sessionKey, Buffer.from(HTTP_SIGNATURE_PAGE.body, 'utf8'))).toBe(HTTP_SIGNATURE_PAGE.signature);
  });

  it('is keyed with the session key string, not its decoded bytes, and signs "" for checksession', () => {
    const keyedWithDecodedBytes = createHmac('sha256', Buffer.from(HTTP_SIGNATURE_PAGE.sessionKey, 'base64'))
      .update(HTTP_SIGNATURE_PAGE.body)
      .digest('hex');
    expect(keyedWithDecodedBytes).not.toBe(HTTP_SIGNATURE_PAGE.signature);
    expect(sessionSignature(HTTP_SIGNATURE_PAGE.sessionKey)).toBe(createHmac('sha256', HTTP_SIGNATURE_PAGE.sessionKey).update('').digest('hex'));
    expect(sessionSignature(HTTP_SIGNATURE_PAGE.sessionKey)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs the exact bytes: one more space is another signature', () => {
    expect(sessionSignature(HTTP_SIGNATURE_PAGE.sessionKey, '{"foo": "bar"}')).not.toBe(HTTP_SIGNATURE_PAGE.signature);
  });
});
