/** Query parameters and fields that must never reach a log line or an error message. */
export const SECRET_PARAMETERS = ['secret', 'js_code', 'session_key', 'access_token', 'code'] as const;

/** Replaces every occurrence of each given value (a secret, a code) by `***`. */
export function scrub(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) result = result.split(secret).join('***');
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
