import { describe, expect, it } from 'vitest';
import { clientVersionOf, pathOf, proceduresOf } from './access-log.js';

describe('proceduresOf', () => {
  it.each([
    ['/trpc/account.me', ['account.me']],
    ['/trpc/account.me?input=%7B%22refreshToken%22%3A%22secret%22%7D', ['account.me']],
    ['/trpc/auth.refresh,account.me?batch=1', ['auth.refresh', 'account.me']],
    ['/trpc/account%2Eme', ['account.me']],
    ['/trpc/%zz', ['%zz']],
    ['/trpc/evil%0Aline', ['evil?line']],
  ])('%s calls %j', (url, procedures) => {
    expect(proceduresOf(url)).toEqual(procedures);
  });

  it.each(['/healthz', '/trpc', '/trpcx/a'])('%s is outside tRPC', (url) => {
    expect(proceduresOf(url)).toBeNull();
  });

  it('bounds a long batch', () => {
    expect(proceduresOf(`/trpc/${'account.me,'.repeat(500)}`)!.join(',').length).toBeLessThanOrEqual(1_000);
  });
});

describe('pathOf', () => {
  it('drops the query string', () => {
    expect(pathOf('/trpc/auth.refresh?input=secret')).toBe('/trpc/auth.refresh');
    expect(pathOf('/healthz')).toBe('/healthz');
  });
});

describe('clientVersionOf', () => {
  it('keeps a printable version, trimmed to 64 characters', () => {
    expect(clientVersionOf('minigate.js/0.3.1 (wechat; android)')).toBe('minigate.js/0.3.1 (wechat; android)');
    expect(clientVersionOf(`v/${'9'.repeat(100)}`)).toHaveLength(64);
  });

  it('replaces what is not printable ASCII, and drops an empty or repeated header', () => {
    expect(clientVersionOf('game\u0007/1\u00e9')).toBe('game?/1?');
    expect(clientVersionOf('   ')).toBeUndefined();
    expect(clientVersionOf(undefined)).toBeUndefined();
    expect(clientVersionOf(['a', 'b'])).toBeUndefined();
  });
});
