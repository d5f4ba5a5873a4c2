import { createDatabase } from '@minigate/db';
import { createTestDatabase, TEST_DATABASE_SERVER, type TestDatabase } from '@minigate/db/testing';
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadinessCheck } from './readiness.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe('createReadinessCheck', () => {
  it('is ready when the database answers and nothing is pending, and reads the migrations only until they are current', async () => {
    let reads = 0;
    let pending = ['0099-later'];
    const readiness = createReadinessCheck(database.db, {
      pending: async () => {
        reads++;
        return pending;
      },
    });
    expect(await readiness.check()).toMatchObject({ ready: false, reason: 'MIGRATIONS_PENDING', message: expect.stringContaining('0099-later') });
    pending = [];
    expect(await readiness.check()).toEqual({ ready: true });
    expect(await readiness.check()).toEqual({ ready: true });
    expect(reads).toBe(2);
  });

  it('uses @minigate/db’s list of migrations by default', async () => {
    expect(await createReadinessCheck(database.db).check()).toEqual({ ready: true });
  });

  it('answers DATABASE_UNAVAILABLE within its timeout when the database hangs, and keeps one probe out at a time', async () => {
    // Accepts connections and never says a word: a database behind a black-holed network.
    const sockets: Socket[] = [];
    const blackHole = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const { port } = blackHole.address() as { port: number };
    const server = new URL(TEST_DATABASE_SERVER);
    const db = createDatabase(`mysql://${server.username}@127.0.0.1:${port}/minigate_test_hung`);
    try {
      const readiness = createReadinessCheck(db, { timeoutMs: 300 });
      const started = Date.now();
      const verdicts = await Promise.all([readiness.check(), readiness.check(), readiness.check()]);
      expect(Date.now() - started).toBeLessThan(3_000);
      for (const verdict of verdicts)
        expect(verdict).toMatchObject({ ready: false, reason: 'DATABASE_UNAVAILABLE', message: expect.stringContaining('300 ms') });
      expect(await readiness.check()).toMatchObject({ ready: false, reason: 'DATABASE_UNAVAILABLE' });
      expect(sockets).toHaveLength(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
      await db.destroy().catch(() => undefined);
    }
  });

  it('answers DATABASE_UNAVAILABLE with the driver’s code when nothing listens', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const db = createDatabase(`mysql://root@127.0.0.1:${port}/minigate_test_gone`);
    try {
      expect(await createReadinessCheck(db).check()).toMatchObject({
        ready: false,
        reason: 'DATABASE_UNAVAILABLE',
        message: expect.stringContaining('ECONNREFUSED'),
      });
    } finally {
      await db.destroy().catch(() => undefined);
    }
  });
});
