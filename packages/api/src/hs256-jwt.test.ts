import { createHmac, createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { createHs256Codec } from './hs256-jwt.js';

const SECRET = 'a-secret-for-the-hs256-codec-of-32-bytes';
const OLD_SECRET = 'the-previous-secret-of-the-codec-32-bytes';
const NOW = 1_800_000_000;
const codec = createHs256Codec({
  signing: { id: 'k1', key: createSecretKey(Buffer.from(SECRET)) },
  verifying: [{ id: 'k0', key: createSecretKey(Buffer.from(OLD_SECRET)) }],
  issuer: 'minigate',
  audience: 'minigate:wxtest',
});
const claims = { sub: '7', sid: '9', iss: 'minigate', aud: 'minigate:wxtest', iat: NOW, exp: NOW + 60 };
const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token as any HS256 encoder would write it, signed with `secret`. */
function handMade(header: object, payload: object, secret = SECRET): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('HS256 codec', () => {
  it('writes tokens jsonwebtoken verifies, with the kid in the header', () => {
    const token = codec.sign(claims);
    const decoded = jwt.verify(token, SECRET, {
      algorithms: ['HS256'],
      issuer: 'minigate',
      audience: 'minigate:wxtest',
      clockTimestamp: NOW,
      complete: true,
    });
    expect(decoded.header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k1' });
    expect(decoded.payload).toEqual(claims);
  });

  it("verifies jsonwebtoken's tokens, under the signing key and a previous one", () => {
    for (const [secret, keyid] of [
      [SECRET, 'k1'],
      [OLD_SECRET, 'k0'],
    ] as const) {
      const token = jwt.sign({ sub: '7', sid: '9', exp: NOW + 60 }, secret, {
        algorithm: 'HS256',
        keyid,
        issuer: 'minigate',
        audience: 'minigate:wxtest',
      });
      expect(codec.verify(token, NOW)).toMatchObject({ ok: true, claims: { sub: '7', sid: '9' } });
    }
    // An audience list that holds ours, as the RFC allows.
    expect(codec.verify(handMade({ alg: 'HS256', kid: 'k1' }, { ...claims, aud: ['other', 'minigate:wxtest'] }), NOW).ok).toBe(true);
  });

  it('says expired only for a good signature past exp, and refuses a token not yet valid', () => {
    const token = codec.sign(claims);
    expect(codec.verify(token, NOW + 59).ok).toBe(true);
    expect(codec.verify(token, NOW + 60)).toEqual({ ok: false, reason: 'expired' });
    expect(codec.verify(handMade({ alg: 'HS256', kid: 'k1' }, { ...claims, exp: NOW - 1 }, 'a-wrong-secret'), NOW)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(codec.verify(handMade({ alg: 'HS256', kid: 'k1' }, { ...claims, nbf: NOW + 10 }), NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(codec.verify(handMade({ alg: 'HS256', kid: 'k1' }, { ...claims, nbf: NOW }), NOW).ok).toBe(true);
  });

  it('refuses forgeries and anything not exactly an HS256 token of ours', () => {
    const good = codec.sign(claims);
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const cases: Record<string, string> = {
      'another key': handMade({ alg: 'HS256', kid: 'k1' }, claims, 'another-secret-that-is-long-enough-too'),
      'an unknown kid': handMade({ alg: 'HS256', kid: 'k9' }, claims),
      'no kid': handMade({ alg: 'HS256' }, claims),
      'alg none': `${segment({ alg: 'none', kid: 'k1' })}.${segment(claims)}.`,
      'alg none with our signature': `${segment({ alg: 'none', kid: 'k1' })}.${payload}.${signature}`,
      HS512: (() => {
        const input = `${segment({ alg: 'HS512', kid: 'k1' })}.${segment(claims)}`;
        return `${input}.${createHmac('sha512', SECRET).update(input).digest('base64url')}`;
      })(),
      'a crit header': handMade({ alg: 'HS256', kid: 'k1', crit: ['exp'] }, claims),
      'another typ': handMade({ alg: 'HS256', kid: 'k1', typ: 'at+jwt' }, claims),
      'a payload changed after signing': `${header}.${segment({ ...claims, sub: '1' })}.${signature}`,
      'a signature with padding': `${good}=`,
      'a signature one character off': `${header}.${payload}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`,
      'a signature with a stray character': `${header}.${payload}.${signature.slice(0, -1)}*`,
      'another issuer': handMade({ alg: 'HS256', kid: 'k1' }, { ...claims, iss: 'elsewhere' }),
      'another audience': handMade({ alg: 'HS256', kid: 'k1' }, { ...claims, aud: 'minigate:wxother' }),
      'no exp': handMade({ alg: 'HS256', kid: 'k1' }, { ...claims, exp: undefined }),
      'exp as a string': handMade({ alg: 'HS256', kid: 'k1' }, { ...claims, exp: String(NOW + 60) }),
      'a payload that is not an object': handMade({ alg: 'HS256', kid: 'k1' }, [claims]),
      'two segments': `${header}.${payload}`,
      'four segments': `${good}.x`,
      'an empty string': '',
      'a huge token': `${header}.${'A'.repeat(5000)}.${signature}`,
    };
    for (const [name, token] of Object.entries(cases)) {
      expect({ name, verdict: codec.verify(token, NOW) }).toEqual({ name, verdict: { ok: false, reason: 'invalid' } });
    }
  });
});
