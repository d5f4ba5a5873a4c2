/**
 * The pieces of the access line (one per request) that come from what the
 * caller sent: which procedures, which client. Bounded and sanitised, since
 * the caller chooses them; never the query string, which may carry input
 * (a refresh token, a login code).
 */

/** Longest procedure list logged (a batch of 50 long names fits). */
const MAX_PROCEDURES_LENGTH = 1_000;
/** Longest client version logged, e.g. `minigate.js/0.3.1 (wechat; ios)`. */
export const MAX_CLIENT_LENGTH = 64;

/** The URL's path, without the query string. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The tRPC procedures a URL calls: `/trpc/a,b?batch=1` → `['a', 'b']`;
 * null outside `/trpc/`.
 */
export function proceduresOf(url: string): string[] | null {
  const path = pathOf(url);
  if (!path.startsWith('/trpc/')) return null;
  let names = path.slice('/trpc/'.length, '/trpc/'.length + MAX_PROCEDURES_LENGTH);
  try {
    names = decodeURIComponent(names);
  } catch {
    // Bad percent-encoding: keep the raw text (Fastify refuses such a URL anyway).
  }
  return names.split(',').map(printable);
}

/** The `x-minigate-client` header, printable and at most MAX_CLIENT_LENGTH characters, or undefined. */
export function clientVersionOf(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const value = printable(header).trim().slice(0, MAX_CLIENT_LENGTH);
  return value === '' ? undefined : value;
}

/** Printable ASCII only: anything else becomes `?`, so a caller cannot forge lines or escapes. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
