import { AccessTokenInvalidError } from '@minigate/wechat';
import { describe, expect, it } from 'vitest';
import { DOUYIN_ERRCODES, douyinErrcodeTable, QQ_ERRCODES, qqErrcodeTable } from './errcodes.js';
import {
  DouyinAnonymousCodeInvalidError,
  DouyinAppIdInvalidError,
  DouyinBusyError,
  DouyinCodeInvalidError,
  DouyinParameterMissingError,
  DouyinSecretInvalidError,
  PlatformAccessTokenInvalidError,
  platformErrcodeError,
  PlatformMisconfiguredError,
  QQBusyError,
  QQCodeInvalidError,
  QQFrequencyLimitError,
} from './errors.js';

const douyinLogin = douyinErrcodeTable(DOUYIN_ERRCODES.map((row) => row.name));
const qqLogin = qqErrcodeTable(['QQBusyError', 'QQCodeInvalidError', 'QQFrequencyLimitError', 'QQAppIdInvalidError', 'QQSecretInvalidError']);

describe("the platforms' errcodes", () => {
  it("give Douyin's jscode2session errcodes their classes, the misconfigured ones PlatformMisconfiguredError", () => {
    const expected: Array<[number, abstract new (...args: never[]) => Error, boolean]> = [
      [-1, DouyinBusyError, false],
      [40014, DouyinParameterMissingError, true],
      [40015, DouyinAppIdInvalidError, true],
      [40017, DouyinSecretInvalidError, true],
      [40018, DouyinCodeInvalidError, false],
      [40019, DouyinAnonymousCodeInvalidError, false],
    ];
    for (const [errcode, type, misconfigured] of expected) {
      const error = platformErrcodeError('douyin', douyinLogin, errcode, `errcode ${errcode}`);
      expect(error, String(errcode)).toBeInstanceOf(type);
      expect(error instanceof PlatformMisconfiguredError, String(errcode)).toBe(misconfigured);
      expect(error).toMatchObject({ platform: 'douyin', errcode, name: type.name });
    }
  });

  it("give QQ's jscode2session errcodes their classes; 45011 says to wait a minute", () => {
    expect(platformErrcodeError('qq', qqLogin, 40029, 'm')).toBeInstanceOf(QQCodeInvalidError);
    expect(platformErrcodeError('qq', qqLogin, -1, 'm')).toBeInstanceOf(QQBusyError);
    const limited = platformErrcodeError('qq', qqLogin, 45011, 'm');
    expect(limited).toBeInstanceOf(QQFrequencyLimitError);
    expect(limited).toMatchObject({ retryAfterSeconds: 60, retryable: true });
    expect(platformErrcodeError('qq', qqLogin, 40125, 'm')).toBeInstanceOf(PlatformMisconfiguredError);
  });

  it("make a token Douyin refuses @minigate/wechat's AccessTokenInvalidError, with Douyin's errcode beside it", () => {
    for (const errcode of [28001003, 40002]) {
      const error = platformErrcodeError('douyin', douyinLogin, errcode, 'refused');
      expect(error).toBeInstanceOf(AccessTokenInvalidError);
      expect(error).toBeInstanceOf(PlatformAccessTokenInvalidError);
      expect(error).toMatchObject({ platform: 'douyin', platformErrcode: errcode, name: 'DouyinAccessTokenInvalidError', retryable: true });
    }
  });

  it('name every row once per errcode within each table they are read through', () => {
    expect(new Set(DOUYIN_ERRCODES.map((row) => row.errcode)).size).toBe(DOUYIN_ERRCODES.length);
    expect(QQ_ERRCODES.filter((row) => row.errcode === 40029)).toHaveLength(1);
  });
});
