/**
 * Failures Fastify answers before tRPC sees the request (a body that is not
 * JSON or over the limit, an unknown route, a path too long) in tRPC's
 * error shape, so every client parses every error the same way.
 */
const TRANSPORT_ERRORS: Record<number, { code: string; jsonRpcCode: number; reason: string }> = {
  400: { code: 'PARSE_ERROR', jsonRpcCode: -32700, reason: 'BODY_INVALID' },
  404: { code: 'NOT_FOUND', jsonRpcCode: -32004, reason: 'ROUTE_NOT_FOUND' },
  413: { code: 'PAYLOAD_TOO_LARGE', jsonRpcCode: -32413, reason: 'BODY_TOO_LARGE' },
  414: { code: 'BAD_REQUEST', jsonRpcCode: -32600, reason: 'REQUEST_INVALID' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', jsonRpcCode: -32415, reason: 'CONTENT_TYPE_UNSUPPORTED' },
  500: { code: 'INTERNAL_SERVER_ERROR', jsonRpcCode: -32603, reason: 'INTERNAL' },
};

const OTHER_CLIENT_ERROR = { code: 'BAD_REQUEST', jsonRpcCode: -32600, reason: 'REQUEST_INVALID' };

export interface TransportErrorBody {
  error: { message: string; code: number; data: { code: string; httpStatus: number; reason: string } };
}

/** The HTTP status to answer for an error Fastify raised: its own 4xx, else 500. */
export function transportStatus(error: { statusCode?: number }): number {
  return error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
}

export function transportErrorBody(status: number, message: string): TransportErrorBody {
  const known = TRANSPORT_ERRORS[status] ?? OTHER_CLIENT_ERROR;
  return {
    error: {
      message: status === 500 ? 'Internal server error' : message,
      code: known.jsonRpcCode,
      data: { code: known.code, httpStatus: status, reason: known.reason },
    },
  };
}
