import { describe, expect, it } from 'vitest';
import { redactText, redactUrl, scrub } from './redact.js';

describe('redaction', () => {
  it('masks secret, js_code, session_key and access_token in a URL and keeps the rest', () => {
    const url = 'https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret=s3cr3t&js_code=abc123&grant_type=authorization_code&access_token=tok';
    const redacted = redactUrl(url);
    expect(redacted).toBe(
      'https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret=***&js_code=***&grant_type=authorization_code&access_token=***',
    );
  });

  it('scrubs every occurrence of each secret from a text', () => {
    expect(scrub('a s3cr3t b s3cr3t c code1234', ['s3cr3t', 'code1234', undefined])).toBe('a *** b *** c ***');
  });
});

describe('redactText', () => {
  it('masks secrets in quoted URLs and JSON, and the values it is given', () => {
    const text =
      'GET https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret=s3cr3t&js_code=abc123 answered {"session_key":"a2V5\\"x==","openid":"o1","access_token":"tok"} with the-secret-value';
    expect(redactText(text, ['the-secret-value'])).toBe(
      'GET https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret=***&js_code=*** answered {"session_key":"***","openid":"o1","access_token":"***"} with ***',
    );
  });
});
