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
});
