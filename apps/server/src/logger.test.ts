import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { loggerOptions, serializeError } from './logger.js';

describe('serializeError', () => {
  it('keeps name, message, code and cause, and drops the SQL a driver error carries', () => {
    const driverError = Object.assign(new Error("Data too long for column 'login_ip' at row 1"), {
      code: 'ER_DATA_TOO_LONG',
      errno: 1406,
      sql: "update `account_profile` set `login_ip` = '203.0.113.9-very-long' where `account_id` = 7",
      sqlMessage: "Data too long for column 'login_ip' at row 1",
    });
    const logged = serializeError(new Error('procedure failed', { cause: driverError }));
    expect(logged).toMatchObject({ type: 'Error', message: 'procedure failed', cause: { code: 'ER_DATA_TOO_LONG', errno: 1406 } });
    expect(JSON.stringify(logged)).not.toContain('203.0.113.9');
    expect(JSON.stringify(logged)).not.toContain('update `account_profile`');
  });
});

describe('loggerOptions', () => {
  it('masks secret fields at the top of a logged object and one level down', async () => {
    const lines: string[] = [];
    const server = Fastify({ logger: loggerOptions('info', { write: (line) => void lines.push(line) }) });
    server.log.info({ js_code: 'code-abc', accessToken: 'tok-abc', details: { sessionKey: 'key-abc', secret: 'sec-abc' }, openid: 'o-visible' }, 'x');
    const line = lines.join('');
    for (const secret of ['code-abc', 'tok-abc', 'key-abc', 'sec-abc']) expect(line).not.toContain(secret);
    expect(line).toContain('o-visible');
    await server.close();
  });

  it('masks them at any depth and whatever their value, and leaves fields that only resemble them', async () => {
    const lines: string[] = [];
    const server = Fastify({ logger: loggerOptions('info', { write: (line) => void lines.push(line) }) });
    server.log.info(
      {
        deep: { deeper: { refreshToken: 'rt-"quoted"\\-abc', password: 12345678 } },
        request: { headers: { authorization: 'Bearer tok-xyz', cookie: ['a=cookie-1', 'b=cookie-2'] } },
        list: [{ session_key: { iv: 'iv-abc' } }],
        secretary: 'visible-field',
      },
      'x',
    );
    const line = lines.join('');
    for (const secret of ['rt-', '12345678', 'tok-xyz', 'cookie-1', 'iv-abc']) expect(line).not.toContain(secret);
    const logged = JSON.parse(line) as Record<string, unknown>;
    expect(logged).toMatchObject({
      deep: { deeper: { refreshToken: '***', password: '***' } },
      request: { headers: { authorization: '***', cookie: '***' } },
      list: [{ session_key: '***' }],
      secretary: 'visible-field',
    });
    await server.close();
  });
});

describe('log format', () => {
  it('writes JSON lines to a LogStream even when pretty lines are asked for', async () => {
    const lines: string[] = [];
    const server = Fastify({ logger: loggerOptions('info', { write: (line) => void lines.push(line) }, { pretty: true }) });
    server.log.info({ openid: 'o-1' }, 'hello');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, msg: 'hello', openid: 'o-1' });
    await server.close();
  });

  it('goes through pino-pretty in development and stays JSON on stdout in production', () => {
    const development = loggerOptions('info', undefined, { pretty: true }) as { transport?: { target: string } };
    expect(development.transport?.target).toMatch(/pino-pretty/);
    const production = loggerOptions('info', undefined, { pretty: false }) as { transport?: unknown };
    expect(production.transport).toBeUndefined();
  });
});
