import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { createAccessTokens, keyIdOf } from './access-tokens.js';

const SECRET = 'an-access-token-secret-of-32-bytes-or-more';
const options = { secret: SECRET, issuer: 'minigate', audience: 'minigate:wxtest', ttlSeconds: 3600 };

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('access tokens', () => {
  it('round-trips the account id as sub and the session id as sid, with iss, aud, exp and the key id', () => {
    let now = Date.parse('2026-11-21T00:00:00Z');
    const tokens = createAccessTokens({ ...options, now: () => now });
    const issued = tokens.issue(42, 7, 'wxtestgame01');
    expect(issued.expiresIn).toBe(3600);
    expect(issued.expiresAt).toBe(now + 3_600_000);
    const claims = jwt.decode(issued.accessToken, { complete: true });
    expect(claims?.header).toMatchObject({ alg: 'HS256', kid: keyIdOf(SECRET) });
    expect(claims?.header.kid).not.toContain(SECRET.slice(0, 8));
    expect(claims?.payload).toMatchObject({
      sub: '42',
      sid: '7',
      app: 'wxtestgame01',
      iss: 'minigate',
      aud: 'minigate:wxtest',
      exp: now / 1000 + 3600,
    });
    expect(tokens.verify(issued.accessToken)).toEqual({ ok: true, accountId: 42, sessionId: 7, appid: 'wxtestgame01' });
    now += 3_601_000;
    expect(tokens.verify(issued.accessToken)).toEqual({ ok: false, reason: 'TOKEN_EXPIRED' });
  });

  it('answers a token verified before from memory until it expires; a token one character off is checked afresh', () => {
    let now = Date.parse('2026-11-21T00:00:00Z');
    const tokens = createAccessTokens({ ...options, now: () => now });
    const { accessToken } = tokens.issue(42, 7, null);
    for (let i = 0; i < 3; i++) expect(tokens.verify(accessToken)).toEqual({ ok: true, accountId: 42, sessionId: 7, appid: null });
    const last = accessToken.at(-1) === 'A' ? 'B' : 'A';
    expect(tokens.verify(`${accessToken.slice(0, -1)}${last}`)).toEqual({ ok: false, reason: 'TOKEN_INVALID' });
    now += 3_599_000;
    expect(tokens.verify(accessToken).ok).toBe(true);
    now += 1_000;
    expect(tokens.verify(accessToken)).toEqual({ ok: false, reason: 'TOKEN_EXPIRED' });
    expect(tokens.verify(accessToken)).toEqual({ ok: false, reason: 'TOKEN_EXPIRED' });
  });

  it("carries no app claim for a session of the deployment's WeChat app from before several games, and refuses an app claim that is no appid", () => {
    const tokens = createAccessTokens(options);
    const legacy = jwt.decode(tokens.issue(3, 4, null).accessToken) as Record<string, unknown>;
    expect(legacy).not.toHaveProperty('app');
    const sign = (app: unknown) =>
      jwt.sign({ sub: '3', sid: '4', app }, SECRET, {
        algorithm: 'HS256',
        issuer: 'minigate',
        audience: 'minigate:wxtest',
        expiresIn: 60,
        keyid: keyIdOf(SECRET),
      });
    expect(tokens.verify(sign('tt12345678'))).toEqual({ ok: true, accountId: 3, sessionId: 4, appid: 'tt12345678' });
    expect(tokens.verify(sign(12345))).toEqual({ ok: false, reason: 'TOKEN_INVALID' });
    expect(tokens.verify(sign('wx app with spaces'))).toEqual({ ok: false, reason: 'TOKEN_INVALID' });
  });

  it('refuses a wrong signature, another audience, garbage and alg none', () => {
    const tokens = createAccessTokens(options);
    const forged = jwt.sign({ sub: '1' }, 'another-secret-that-is-also-long-enough', {
      algorithm: 'HS256',
      issuer: 'minigate',
      audience: 'minigate:wxtest',
    });
    const otherGame = createAccessTokens({ ...options, audience: 'minigate:wxother' }).issue(1, 1, null).accessToken;
    const algNone = `${base64url({ alg: 'none', typ: 'JWT', kid: keyIdOf(SECRET) })}.${base64url({ sub: '1', sid: '1', iss: 'minigate', aud: 'minigate:wxtest', exp: 9_999_999_999 })}.`;
    for (const token of [forged, otherGame, 'not-a-jwt', '', algNone]) {
      expect(tokens.verify(token)).toEqual({ ok: false, reason: 'TOKEN_INVALID' });
    }
  });

  it('refuses HS512 signed with the right key (the algorithm is pinned)', () => {
    const tokens = createAccessTokens(options);
    const header = base64url({ alg: 'HS512', typ: 'JWT', kid: keyIdOf(SECRET) });
    const payload = base64url({ sub: '1', sid: '1', iss: 'minigate', aud: 'minigate:wxtest', exp: 9_999_999_999 });
    const signature = createHmac('sha512', SECRET).update(`${header}.${payload}`).digest('base64url');
    expect(tokens.verify(`${header}.${payload}.${signature}`)).toEqual({ ok: false, reason: 'TOKEN_INVALID' });
  });

  it('refuses a validly signed token whose sub is not an account id, or that has no session id', () => {
    const tokens = createAccessTokens(options);
    const signed = (payload: object) =>
      jwt.sign(payload, SECRET, { algorithm: 'HS256', keyid: keyIdOf(SECRET), issuer: 'minigate', audience: 'minigate:wxtest', expiresIn: 60 });
    expect(tokens.verify(signed({ sub: '1', sid: '2' }))).toEqual({ ok: true, accountId: 1, sessionId: 2, appid: null });
    for (const payload of [{ sub: 'admin', sid: '2' }, { sub: '1' }, { sub: '1', sid: 2 }, { sub: '1', sid: '0' }]) {
      expect(tokens.verify(signed(payload))).toEqual({ ok: false, reason: 'TOKEN_INVALID' });
    }
  });

  it('after a key rotation, still accepts tokens of a previous secret while it is listed, and signs only with the new one', () => {
    const newSecret = 'the-new-access-token-secret-of-32-bytes-or-more';
    const beforeRotation = createAccessTokens(options).issue(5, 9, null).accessToken;
    const rotated = createAccessTokens({ ...options, secret: newSecret, previousSecrets: [SECRET] });
    expect(rotated.verify(beforeRotation)).toEqual({ ok: true, accountId: 5, sessionId: 9, appid: null });
    const afterRotation = rotated.issue(5, 10, null).accessToken;
    expect(jwt.decode(afterRotation, { complete: true })?.header.kid).toBe(keyIdOf(newSecret));
    expect(createAccessTokens(options).verify(afterRotation)).toEqual({ ok: false, reason: 'TOKEN_INVALID' });
    // Once the previous secret is dropped from the list, its tokens stop.
    expect(createAccessTokens({ ...options, secret: newSecret }).verify(beforeRotation)).toEqual({ ok: false, reason: 'TOKEN_INVALID' });
  });
});
