/** Query parameters and fields that must never reach a log line or an error message. */
export const SECRET_PARAMETERS = ['secret', 'js_code', 'session_key', 'access_token', 'code'] as const;

/** Replaces every occurrence of each given value (a secret, a code) by `***`. */
export function scrub(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4 && result.includes(secret)) result = result.replaceAll(secret, '***');
  }
  return result;
}

/** A WeChat URL fit for a log line: secret, js_code, session_key and access_token shown as `***`. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return url;
  const params = new URLSearchParams(url.slice(queryStart + 1));
  for (const name of SECRET_PARAMETERS) if (params.has(name)) params.set(name, '***');
  return `${url.slice(0, queryStart)}?${params.toString().replaceAll('%2A', '*')}`;
}

// `key=value` wherever it stands: in a URL's query, or quoted in WeChat's
// errmsg after a space. The word boundary keeps `errcode=` out.
const QUERY_SECRET = /(\b(?:secret|js_code|session_key|access_token|code)=)[^&#\s"']*/gi;
const JSON_SECRET = /("(?:secret|js_code|session_key|sessionKey|access_token|accessToken)"\s*:\s*")(?:[^"\\]|\\.)*"/g;

/**
 * A text fit for a log line or an error message, whatever it quotes: the
 * values of secret, js_code, session_key, access_token and code in a URL's
 * query, and of those fields in JSON, shown as `***`; and every value in
 * `secrets` (the AppSecret, a session key, a token the caller holds) too.
 */
export function redactText(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  return scrub(text, secrets).replace(QUERY_SECRET, '$1***').replace(JSON_SECRET, '$1***"');
}
