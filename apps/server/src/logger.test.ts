import { describe, expect, it } from 'vitest';
import { serializeError } from './logger.js';

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
