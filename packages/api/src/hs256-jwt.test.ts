import { createHmac, createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, describe, expect, it } from 'vitest';
import { createHs256Codec, verifyHs256Jws } from './hs256-jwt.js';

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

// RFC 7515, Appendix A.1 (Example JWS Using HMAC SHA-256): the JWK's `k` and the compact JWS, as printed there.
const RFC7515_A1_KEY = 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow';
const RFC7515_A1_JWS =
  'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9' +
  '.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ' +
  '.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

describe('HS256 codec: RFC 7515 Appendix A.1', () => {
  const key = createSecretKey(Buffer.from(RFC7515_A1_KEY, 'base64url'));

  it('verifies the example JWS with the example key, and reads its header and payload as the RFC prints them', () => {
    const verified = verifyHs256Jws(RFC7515_A1_JWS, key);
    expect(verified).not.toBeNull();
    expect(verified!.header).toEqual({ typ: 'JWT', alg: 'HS256' });
    expect(verified!.payload).toBe('{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}');
  });

  it('refuses the example with any one bit of any character changed, and under another key', () => {
    let refused = 0;
    for (let at = 0; at < RFC7515_A1_JWS.length; at++) {
      for (let bit = 0; bit < 16; bit++) {
        const changed = `${RFC7515_A1_JWS.slice(0, at)}${String.fromCharCode(RFC7515_A1_JWS.charCodeAt(at) ^ (1 << bit))}${RFC7515_A1_JWS.slice(at + 1)}`;
        expect({ changed, verified: verifyHs256Jws(changed, key) }).toEqual({ changed, verified: null });
        refused++;
      }
    }
    expect(refused).toBe(RFC7515_A1_JWS.length * 16);
    const other = Buffer.from(RFC7515_A1_KEY, 'base64url');
    other[0]! ^= 1;
    expect(verifyHs256Jws(RFC7515_A1_JWS, createSecretKey(other))).toBeNull();
  });

  it("is refused by minigate's access-token policy all the same: it names no key (kid) and no audience", () => {
    const rfc = createHs256Codec({ signing: { id: 'a1', key }, verifying: [], issuer: 'joe', audience: 'minigate:wxtest' });
    expect(rfc.verify(RFC7515_A1_JWS, 1300819380 - 1)).toEqual({ ok: false, reason: 'invalid' });
  });
});

/** mulberry32: the fuzz cases are the same on every run, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('HS256 codec under fuzzing: random and mutated tokens', () => {
  const good = codec.sign(claims);
  const [header, payload, signature] = good.split('.') as [string, string, string];
  const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

  /** Our verdict; any throw at all is a failure of the test. */
  const ours = (token: string): boolean => {
    const verdict = codec.verify(token, NOW);
    if (verdict.ok) return true;
    expect(verdict).toEqual({ ok: false, reason: token === good ? 'expired' : 'invalid' });
    return false;
  };
  /**
   * jsonwebtoken's verdict under the same policy. Any throw is a refusal: it throws a bare SyntaxError,
   * not its own error type, for tokens whose payload is not JSON, before it checks the signature (counted, not judged).
   */
  const bareErrors = new Map<string, number>();
  const theirs = (token: string): boolean => {
    try {
      jwt.verify(token, SECRET, { algorithms: ['HS256'], issuer: 'minigate', audience: 'minigate:wxtest', clockTimestamp: NOW });
      return true;
    } catch (error) {
      if (!(error instanceof jwt.JsonWebTokenError)) bareErrors.set((error as Error).name, (bareErrors.get((error as Error).name) ?? 0) + 1);
      return false;
    }
  };
  afterAll(() => {
    if (bareErrors.size > 0) console.info(`jsonwebtoken threw errors not its own: ${JSON.stringify(Object.fromEntries(bareErrors))}`);
  });
  /** Accepted only when exactly the valid token, and jsonwebtoken says the same. */
  const judge = (cases: Iterable<string>): number => {
    let count = 0;
    for (const token of cases) {
      const accepted = ours(token);
      expect({ token: token.slice(0, 300), accepted }).toEqual({ token: token.slice(0, 300), accepted: token === good });
      expect({ token: token.slice(0, 300), jsonwebtoken: theirs(token) }).toEqual({ token: token.slice(0, 300), jsonwebtoken: accepted });
      count++;
    }
    return count;
  };
  const replaceAt = (text: string, at: number, by: string) => `${text.slice(0, at)}${by}${text.slice(at + 1)}`;

  it('accepts the valid token itself, and jsonwebtoken agrees', () => {
    expect(judge([good])).toBe(1);
  });

  it('refuses thousands of random strings without throwing', () => {
    const random = seeded(0x5eed);
    const pick = (alphabet: string) => alphabet[Math.floor(random() * alphabet.length)]!;
    const text = (length: number, alphabet: () => string) => Array.from({ length }, alphabet).join('');
    const alphabets = [
      () => pick(`${BASE64URL}.`),
      () => String.fromCharCode(Math.floor(random() * 128)),
      () => String.fromCharCode(Math.floor(random() * 0x10000)),
    ];
    const cases: string[] = [];
    for (let i = 0; i < 3000; i++) cases.push(text(Math.floor(random() * 300), alphabets[i % 3]!));
    // Shaped like ours: two segments and a 43-character signature, random all the same.
    for (let i = 0; i < 2000; i++) {
      cases.push(
        `${text(1 + Math.floor(random() * 60), () => pick(BASE64URL))}.${text(1 + Math.floor(random() * 200), () => pick(BASE64URL))}.${text(43, () => pick(BASE64URL))}`,
      );
    }
    // Our header and payload with a random signature.
    for (let i = 0; i < 2000; i++) cases.push(`${header}.${payload}.${text(43, () => pick(BASE64URL))}`);
    expect(judge(cases)).toBe(7000);
  });

  it('refuses every one-bit change of every character (ASCII and beyond Latin-1), and random multi-bit changes', () => {
    const cases: string[] = [];
    for (let at = 0; at < good.length; at++) {
      for (let bit = 0; bit < 16; bit++) cases.push(replaceAt(good, at, String.fromCharCode(good.charCodeAt(at) ^ (1 << bit))));
      // The same character's low byte under a higher one: equal bytes when read as Latin-1.
      for (const high of [0x100, 0xff00]) cases.push(replaceAt(good, at, String.fromCharCode(good.charCodeAt(at) | high)));
    }
    const random = seeded(0xb175);
    for (let i = 0; i < 2000; i++) {
      let token = good;
      for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
        const at = Math.floor(random() * token.length);
        token = replaceAt(token, at, String.fromCharCode(token.charCodeAt(at) ^ (1 << Math.floor(random() * 8))));
      }
      cases.push(token);
    }
    expect(judge(cases)).toBe(good.length * 18 + 2000);
  });

  it('refuses truncations, segment swaps, extra or missing segments', () => {
    const cases: string[] = [];
    for (let length = 0; length < good.length; length++) cases.push(good.slice(0, length), good.slice(good.length - length));
    const segments = [header, payload, signature];
    for (const a of segments) for (const b of segments) for (const c of segments) cases.push(`${a}.${b}.${c}`);
    cases.push(
      `${header}.${payload}`,
      `${payload}.${signature}`,
      `${good}.`,
      `.${good}`,
      `${good}.${signature}`,
      `${header}..${signature}`,
      `..${signature}`,
      '..',
      '.',
    );
    cases.push(`${header}.${payload}.${signature.slice(0, 42)}`, `${header}.${payload}.${signature}A`, `${header}.${payload}.${signature.slice(1)}A`);
    expect(judge(cases)).toBeGreaterThan(good.length * 2);
  });

  it('refuses non-canonical base64url: padding, base64 characters, a last character with its unused bits set', () => {
    const cases: string[] = [];
    // 32 bytes in 43 characters: the last character's 2 low bits carry nothing, so 4 spellings decode alike.
    const last = BASE64URL.indexOf(signature.at(-1)!);
    for (let unused = 1; unused < 4; unused++) cases.push(`${header}.${payload}.${signature.slice(0, -1)}${BASE64URL[last | unused]!}`);
    for (const padding of ['=', '==', '==='])
      cases.push(`${good}${padding}`, `${header}${padding}.${payload}.${signature}`, `${header}.${payload}${padding}.${signature}`);
    cases.push(`${header}.${payload}.${signature.replaceAll('-', '+').replaceAll('_', '/')}`);
    const standard = (segment: string) => segment.replace(/[A-Za-z0-9_-]/, (c) => (c === '-' ? '+' : c === '_' ? '/' : c));
    cases.push(`${standard(header)}.${payload}.${signature}`);
    for (let at = 0; at < signature.length; at++)
      for (const odd of ['+', '/', '=', '*', '%', '\u0000']) cases.push(`${header}.${payload}.${replaceAt(signature, at, odd)}`);
    expect(judge(cases)).toBeGreaterThan(43 * 6);
  });

  it('refuses whitespace anywhere, and case changes', () => {
    const cases: string[] = [];
    for (const space of [' ', '\t', '\n', '\r\n', '\u00a0', '\u200b', '\ufeff']) {
      cases.push(`${space}${good}`, `${good}${space}`, `${header}.${payload}.${space}${signature}`, `${header}${space}.${payload}.${signature}`);
      for (let at = 1; at < good.length; at += 7) cases.push(`${good.slice(0, at)}${space}${good.slice(at)}`);
    }
    cases.push(good.toUpperCase(), good.toLowerCase(), `${header}.${payload}.${signature.toUpperCase()}`);
    expect(judge(cases)).toBeGreaterThan(100);
  });

  it('accepts HS256 only, whatever else the header says it is, signed with our own key', () => {
    const signedAs = (alg: unknown, hash = 'sha256') => {
      const input = `${segment({ alg, typ: 'JWT', kid: 'k1' })}.${segment(claims)}`;
      return `${input}.${createHmac(hash, SECRET).update(input).digest('base64url')}`;
    };
    const variants = [
      'none',
      'None',
      'NONE',
      'hs256',
      'HS256 ',
      ' HS256',
      'HS256\u0000',
      'HS 256',
      'RS256',
      'ES256',
      'PS256',
      'EdDSA',
      '',
      null,
      0,
      ['HS256'],
      { HS256: true },
    ];
    const cases = variants.map((alg) => signedAs(alg));
    cases.push(signedAs('HS384', 'sha384'), signedAs('HS512', 'sha512'), signedAs('HS256', 'sha384'), signedAs('HS256', 'sha1'));
    cases.push(
      `${segment({ alg: 'none', typ: 'JWT', kid: 'k1' })}.${segment(claims)}.`,
      `${segment({ alg: 'none', typ: 'JWT', kid: 'k1' })}.${segment(claims)}.${signature}`,
    );
    expect(judge(cases)).toBe(variants.length + 6);
    // The header spelled another way but saying the same: a token of ours, and jsonwebtoken's too.
    const reordered = (() => {
      const input = `${segment({ kid: 'k1', typ: 'JWT', alg: 'HS256' })}.${segment(claims)}`;
      return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
    })();
    expect(codec.verify(reordered, NOW).ok).toBe(true);
    expect(theirs(reordered)).toBe(true);
  });

  it('refuses huge inputs at once, and values that are not strings, without throwing', () => {
    const cases = [
      `${good}${'A'.repeat(1_000_000)}`,
      `${header}.${'A'.repeat(100_000)}.${signature}`,
      `${'A'.repeat(100_000)}.${payload}.${signature}`,
      '.'.repeat(100_000),
      'A'.repeat(5_000_000),
    ];
    expect(judge(cases)).toBe(5);
    for (const value of [undefined, null, 0, {}, [], Buffer.from(good), { toString: () => good }]) {
      expect(codec.verify(value as unknown as string, NOW)).toEqual({ ok: false, reason: 'invalid' });
    }
  });
});
