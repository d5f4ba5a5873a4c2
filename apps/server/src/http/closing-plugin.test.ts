import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { closingPlugin, createClosing } from './closing-plugin.js';
import { RequestOutcomes } from './request-outcomes.js';

describe('createClosing', () => {
  it('begins once', () => {
    const closing = createClosing();
    expect(closing.closing).toBe(false);
    expect(closing.begin()).toBe(true);
    expect(closing.begin()).toBe(false);
    expect(closing.closing).toBe(true);
  });
});

describe('closingPlugin', () => {
  async function server(connectionClose = false) {
    const closing = createClosing();
    const outcomes = new RequestOutcomes();
    const reasons: string[][] = [];
    outcomes.onAnswered((answered) => reasons.push(answered.reasons));
    const app = Fastify();
    app.addHook('onRequest', (request, _reply, next) => {
      outcomes.begin(request);
      next();
    });
    app.addHook('onResponse', (request, reply, next) => {
      outcomes.answered(request, reply);
      next();
    });
    await app.register(closingPlugin, { closing, outcomes, connectionClose });
    // A route of a sibling plugin: the closing hooks reach it (the plugin is not encapsulated).
    await app.register(async (child) => {
      child.get('/healthz', async () => ({ status: 'ok' }));
      // A call in flight when the close begins.
      child.get('/slow', async () => {
        closing.begin();
        return { status: 'done' };
      });
    });
    await app.ready();
    return { app, closing, reasons };
  }

  it('serves as usual until the close begins', async () => {
    const { app, reasons } = await server();
    const response = await app.inject({ url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.headers.connection).not.toBe('close');
    expect(reasons).toEqual([[]]);
    await app.close();
  });

  it('then answers 503 SERVER_CLOSING in tRPC’s shape, with Retry-After and Connection: close', async () => {
    const { app, closing, reasons } = await server();
    closing.begin();
    const response = await app.inject({ url: '/healthz' });
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ connection: 'close', 'retry-after': '1' });
    expect(response.json()).toEqual({
      error: {
        message: 'This instance is shutting down: try again',
        code: -32603,
        data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503, reason: 'SERVER_CLOSING' },
      },
    });
    expect(reasons).toEqual([['SERVER_CLOSING']]);
    await app.close();
  });

  it('answers a call in flight when the close began as usual, with Connection: close when asked (startServer)', async () => {
    for (const connectionClose of [false, true]) {
      const { app } = await server(connectionClose);
      const response = await app.inject({ url: '/slow' });
      expect(response.statusCode).toBe(200);
      expect(response.headers.connection === 'close').toBe(connectionClose);
      await app.close();
    }
  });

  it('sets the flag itself when close() is called (preClose)', async () => {
    const { app, closing } = await server();
    await app.close();
    expect(closing.closing).toBe(true);
  });
});
