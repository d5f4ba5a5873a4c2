import { randomUUID } from 'node:crypto';

/** The longest request id accepted from a caller (a proxy's or a client's). */
export const MAX_REQUEST_ID_LENGTH = 128;

/** Visible ASCII only: no spaces, no control characters that could forge a log line or a header. */
const ACCEPTABLE_REQUEST_ID = new RegExp(`^[\\x21-\\x7e]{1,${MAX_REQUEST_ID_LENGTH}}$`);

/**
 * The id of a request: the caller's `x-request-id` when it is one visible
 * ASCII word of at most 128 characters (a proxy's, so its logs and ours
 * join up), else a fresh UUID. Fastify's genReqId.
 */
export function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && ACCEPTABLE_REQUEST_ID.test(header) ? header : randomUUID();
}
