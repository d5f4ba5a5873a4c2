import { getTRPCErrorShape, initTRPC, TRPCError } from '@trpc/server';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatError } from './error-shape.js';
import { MinigateError } from './errors.js';
import { appRouter } from './router.js';

/** tRPC's own shape of `error` (its default formatter), through its public getTRPCErrorShape. */
function defaultShape(error: TRPCError, path?: string) {
  const config = initTRPC.create({ isDev: false })._config;
  return getTRPCErrorShape({ config, error, type: 'query', path, input: undefined, ctx: undefined });
}

describe('formatError', () => {
  it.each(Object.keys(TRPC_ERROR_CODES_BY_KEY) as TRPC_ERROR_CODE_KEY[])('keeps tRPC’s code, httpStatus and path for %s', (code) => {
    const error = new TRPCError({ code, message: 'why' });
    const { code: number, data } = formatError(error, 'auth.refresh');
    const expected = defaultShape(error, 'auth.refresh');
    expect({ code: number, data: { code: data.code, httpStatus: data.httpStatus, path: data.path } }).toEqual({
      code: expected.code,
      data: { code: expected.data.code, httpStatus: expected.data.httpStatus, path: expected.data.path },
    });
  });

  it('is the router’s errorFormatter: tRPC gives the caller exactly what formatError gives the access log', () => {
    const errors = [
      new MinigateError({ code: 'TOO_MANY_REQUESTS', reason: 'RATE_LIMITED', message: 'slow down', retryAfterSeconds: 3, limit: 'login' }),
      new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'select secret from account' }),
      new TRPCError({ code: 'NOT_FOUND', message: 'No procedure found on path "nope"' }),
    ];
    for (const error of errors) {
      const shape = getTRPCErrorShape({ config: appRouter._def._config, error, type: 'mutation', path: 'nope', input: undefined, ctx: undefined });
      expect(shape).toEqual(formatError(error, 'nope'));
    }
  });

  it('adds the reason: a MinigateError’s own with its retry, limit and fields', () => {
    const error = new MinigateError({
      code: 'TOO_MANY_REQUESTS',
      reason: 'RATE_LIMITED',
      message: 'Too many logins',
      retryAfterSeconds: 7,
      limit: 'login',
      fields: [{ path: 'code', message: 'bad' }],
    });
    expect(formatError(error, 'auth.wechatLogin')).toEqual({
      message: 'Too many logins',
      code: -32029,
      data: {
        code: 'TOO_MANY_REQUESTS',
        httpStatus: 429,
        path: 'auth.wechatLogin',
        reason: 'RATE_LIMITED',
        retryAfterSeconds: 7,
        limit: 'login',
        fields: [{ path: 'code', message: 'bad' }],
      },
    });
  });

  it('names invalid input field by field, and hides the message of an unexpected error', () => {
    const parsed = z.object({ score: z.number() }).safeParse({ score: 'x' });
    const invalid = formatError(new TRPCError({ code: 'BAD_REQUEST', cause: parsed.error }));
    expect(invalid.data).toMatchObject({ reason: 'INPUT_INVALID', fields: [{ path: 'score' }] });
    expect(invalid.message).toMatch(/^Invalid input: score: /);
    expect(invalid.data).not.toHaveProperty('path');

    const internal = formatError(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'select secret from account' }), 'account.me');
    expect(internal).toEqual({
      message: 'Internal server error',
      code: -32603,
      data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, path: 'account.me', reason: 'INTERNAL' },
    });
  });

  it.each([
    [new TRPCError({ code: 'PARSE_ERROR', message: 'Unexpected token' }), 'BODY_INVALID', 'The request body is not valid JSON'],
    [new TRPCError({ code: 'BAD_REQUEST', cause: new SyntaxError('Unexpected token') }), 'BODY_INVALID', 'The request body is not valid JSON'],
    [new TRPCError({ code: 'BAD_REQUEST', message: 'Batch call exceeds maximum size' }), 'BATCH_TOO_LARGE', 'Batch call exceeds maximum size'],
    [new TRPCError({ code: 'NOT_FOUND', message: 'No procedure' }), 'PROCEDURE_NOT_FOUND', 'No procedure'],
    [new TRPCError({ code: 'UNAUTHORIZED', message: 'no' }), 'TOKEN_INVALID', 'no'],
    [new TRPCError({ code: 'CONFLICT', message: 'taken' }), 'CONFLICT', 'taken'],
  ])('%s is %s', (error, reason, message) => {
    const shape = formatError(error);
    expect(shape.data.reason).toBe(reason);
    expect(shape.message).toBe(message);
  });
});
