import { describe, expect, it } from 'vitest';
import { errcodeTable, WECHAT_ERRCODES } from './errcodes.js';
import { AccessTokenInvalidError, errcodeError, PhoneCodeInvalidError, WeChatErrcodeError, WeChatMisconfiguredError } from './errors.js';

describe('the errcode table', () => {
  it.each(WECHAT_ERRCODES.map((row) => [row.name, row.errcode, row] as const))(
    'makes %s (%i) an error that carries its row, name, errcode and retryable',
    (name, errcode, row) => {
      const error = errcodeError(errcodeTable([name]), errcode, 'WeChat errcode: scrubbed');
      expect(error).toBeInstanceOf(WeChatErrcodeError);
      expect(error).toMatchObject({ name, errcode, retryable: row.retryable, entry: row, message: 'WeChat errcode: scrubbed' });
      expect(error instanceof WeChatMisconfiguredError).toBe('misconfigured' in row && row.misconfigured);
    },
  );

  it('picks every row of a name, a later name winning an errcode both have', () => {
    expect([...errcodeTable(['AccessTokenInvalidError']).keys()].sort()).toEqual([40001, 40014, 42001]);
    expect(errcodeTable(['AccessTokenInvalidError', 'InvalidCredentialError']).get(40001)?.name).toBe('InvalidCredentialError');
    expect(errcodeError(errcodeTable(['AccessTokenInvalidError']), 42001, 'm')).toBeInstanceOf(AccessTokenInvalidError);
    const noCode = errcodeError(errcodeTable(['PhoneCodeInvalidError']), 41008, 'm');
    expect(noCode).toBeInstanceOf(PhoneCodeInvalidError);
    expect(noCode.errcode).toBe(41008);
  });

  it('makes an errcode outside the table UnknownWeChatError, not retryable', () => {
    const error = errcodeError(errcodeTable(['WeChatBusyError']), 40163, 'm');
    expect(error).toBeInstanceOf(WeChatErrcodeError);
    expect(error).toMatchObject({ name: 'UnknownWeChatError', errcode: 40163, retryable: false });
  });
});
