import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';

/**
 * Failures answered before tRPC sees the request (Node's HTTP parser, a body
 * that is not JSON or over the limit, an unknown route, a path too long, an
 * OPTIONS preflight, a server not ready) in tRPC's error shape, so every
 * client parses every error the same way.
 */
type TrpcCode = keyof typeof TRPC_ERROR_CODES_BY_KEY;

/** The stable reasons this layer adds to those of @minigate/api. */
export type TransportReason =
  | 'BODY_INVALID'
  | 'BODY_TOO_LARGE'
  | 'CONTENT_TYPE_UNSUPPORTED'
  | 'ROUTE_NOT_FOUND'
  | 'METHOD_NOT_SUPPORTED'
  | 'REQUEST_INVALID'
  | 'REQUEST_MALFORMED'
  | 'REQUEST_TIMEOUT'
  | 'HEADERS_TOO_LARGE'
  | 'BATCH_TOO_LARGE'
  | 'DATABASE_UNAVAILABLE'
  | 'MIGRATIONS_PENDING'
  | 'SERVER_CLOSING'
  | 'INTERNAL';

interface TransportError {
  code: TrpcCode;
  reason: TransportReason;
}

const BY_STATUS: Record<number, TransportError> = {
  400: { code: 'PARSE_ERROR', reason: 'BODY_INVALID' },
  404: { code: 'NOT_FOUND', reason: 'ROUTE_NOT_FOUND' },
  405: { code: 'METHOD_NOT_SUPPORTED', reason: 'METHOD_NOT_SUPPORTED' },
  408: { code: 'TIMEOUT', reason: 'REQUEST_TIMEOUT' },
  413: { code: 'PAYLOAD_TOO_LARGE', reason: 'BODY_TOO_LARGE' },
  414: { code: 'BAD_REQUEST', reason: 'REQUEST_INVALID' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', reason: 'CONTENT_TYPE_UNSUPPORTED' },
  431: { code: 'BAD_REQUEST', reason: 'HEADERS_TOO_LARGE' },
  500: { code: 'INTERNAL_SERVER_ERROR', reason: 'INTERNAL' },
  503: { code: 'SERVICE_UNAVAILABLE', reason: 'DATABASE_UNAVAILABLE' },
};

const OTHER_CLIENT_ERROR: TransportError = { code: 'BAD_REQUEST', reason: 'REQUEST_INVALID' };

export interface TransportErrorBody {
  error: { message: string; code: number; data: { code: string; httpStatus: number; reason: string } };
}

/** The HTTP status to answer for an error Fastify raised: its own 4xx, else 500. */
export function transportStatus(error: { statusCode?: number }): number {
  return error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
}

/** The body for `status`; `reason` overrides the status's usual one (a 503 that is MIGRATIONS_PENDING). */
export function transportErrorBody(status: number, message: string, reason?: TransportReason): TransportErrorBody {
  const known = BY_STATUS[status] ?? OTHER_CLIENT_ERROR;
  // A batch refused before tRPC saw it has the code tRPC gives a batch too large.
  const code = reason === 'BATCH_TOO_LARGE' ? 'BAD_REQUEST' : known.code;
  return {
    error: {
      message: status === 500 ? 'Internal server error' : message,
      code: TRPC_ERROR_CODES_BY_KEY[code],
      data: { code, httpStatus: status, reason: reason ?? known.reason },
    },
  };
}

/** What a connection whose bytes Node's HTTP parser refused gets, before any request exists. */
export interface ClientErrorAnswer {
  status: number;
  reason: TransportReason;
  message: string;
}

/** The answer to a `clientError` (Node's parser or its timeouts), or null when the socket is gone. */
export function clientErrorAnswer(error: { code?: string }): ClientErrorAnswer | null {
  if (error.code === 'ECONNRESET') return null;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, reason: 'HEADERS_TOO_LARGE', message: 'The request headers are too large' };
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, reason: 'REQUEST_TIMEOUT', message: 'The request did not arrive in time' };
  }
  return { status: 400, reason: 'REQUEST_MALFORMED', message: 'The request is not well-formed HTTP/1.1' };
}

/**
 * The raw HTTP/1.1 response for a refused connection: the error shape as
 * JSON, then the connection closes (after a parse error it cannot be reused).
 */
export function rawErrorResponse(answer: ClientErrorAnswer, requestId: string): string {
  const body = JSON.stringify(transportErrorBody(answer.status, answer.message, answer.reason));
  return [
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * Writes `rawErrorResponse` on a socket Node's parser gave up on, unless a
 * response is already on its way there (its headers sent), then closes it.
 */
export function answerClientError(socket: Socket, answer: ClientErrorAnswer, requestId: string): void {
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) socket.end(rawErrorResponse(answer, requestId), () => socket.destroy());
  else socket.destroy();
}
