import { describe, expect, it } from 'vitest';
import { clientErrorAnswer, rawErrorResponse, transportErrorBody } from './transport-errors.js';

describe('transportErrorBody', () => {
  it.each([
    [400, 'PARSE_ERROR', -32700, 'BODY_INVALID'],
    [404, 'NOT_FOUND', -32004, 'ROUTE_NOT_FOUND'],
    [405, 'METHOD_NOT_SUPPORTED', -32005, 'METHOD_NOT_SUPPORTED'],
    [413, 'PAYLOAD_TOO_LARGE', -32013, 'BODY_TOO_LARGE'],
    [415, 'UNSUPPORTED_MEDIA_TYPE', -32015, 'CONTENT_TYPE_UNSUPPORTED'],
    [431, 'BAD_REQUEST', -32600, 'HEADERS_TOO_LARGE'],
    [503, 'SERVICE_UNAVAILABLE', -32603, 'DATABASE_UNAVAILABLE'],
    [418, 'BAD_REQUEST', -32600, 'REQUEST_INVALID'],
  ])('%i is %s (%i) with reason %s, the codes tRPC itself uses', (status, code, jsonRpcCode, reason) => {
    expect(transportErrorBody(status, 'why')).toEqual({ error: { message: 'why', code: jsonRpcCode, data: { code, httpStatus: status, reason } } });
  });

  it('takes another reason for the same status, and never says more than "Internal server error" on a 500', () => {
    expect(transportErrorBody(503, 'behind', 'MIGRATIONS_PENDING').error.data.reason).toBe('MIGRATIONS_PENDING');
    expect(transportErrorBody(500, 'select * from account where secret = 1').error.message).toBe('Internal server error');
  });
});

describe('clientErrorAnswer', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 431, 'HEADERS_TOO_LARGE'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'REQUEST_TIMEOUT'],
    ['HPE_INVALID_METHOD', 400, 'REQUEST_MALFORMED'],
    ['HPE_INVALID_CONSTANT', 400, 'REQUEST_MALFORMED'],
    [undefined, 400, 'REQUEST_MALFORMED'],
  ])('%s is %i %s', (code, status, reason) => {
    expect(clientErrorAnswer({ code })).toMatchObject({ status, reason });
  });

  it('answers nothing on a connection the client reset', () => {
    expect(clientErrorAnswer({ code: 'ECONNRESET' })).toBeNull();
  });
});

describe('rawErrorResponse', () => {
  it('is a complete HTTP/1.1 response that closes the connection, with the JSON body and its length', () => {
    const raw = rawErrorResponse({ status: 431, reason: 'HEADERS_TOO_LARGE', message: 'too large' }, 'req-1');
    const [head, body] = raw.split('\r\n\r\n') as [string, string];
    expect(head.split('\r\n')).toEqual([
      'HTTP/1.1 431 Request Header Fields Too Large',
      'content-type: application/json; charset=utf-8',
      `content-length: ${Buffer.byteLength(body)}`,
      'x-request-id: req-1',
      'connection: close',
    ]);
    expect(JSON.parse(body).error.data).toEqual({ code: 'BAD_REQUEST', httpStatus: 431, reason: 'HEADERS_TOO_LARGE' });
  });
});
