import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../metrics.js';
import { RequestOutcomes, type AnsweredRequest } from './request-outcomes.js';
import { transportErrorOptions, transportErrorsPlugin } from './transport-errors-plugin.js';

async function server() {
  const outcomes = new RequestOutcomes();
  const answered: AnsweredRequest[] = [];
  outcomes.onAnswered((answer) => answered.push(answer));
  const metrics = createMetrics(new Set(['account.me']));
  const app = Fastify({ routerOptions: { maxParamLength: 100 }, ...transportErrorOptions({ outcomes, metrics, maxBatchSize: 3 }) });
  app.addHook('onRequest', (request, _reply, next) => {
    outcomes.begin(request);
    next();
  });
  app.addHook('onResponse', (request, reply, next) => {
    outcomes.answered(request, reply);
    next();
  });
  await app.register(transportErrorsPlugin, { outcomes });
  await app.register(async (child) => {
    child.get('/trpc/:path', async () => ({ result: 'ok' }));
    child.post('/trpc/:path', async () => ({ result: 'ok' }));
    child.get('/fails', async () => {
      throw new Error('select secret from account');
    });
  });
  await app.ready();
  return { app, answered };
}

const reasonOf = (body: string) => (JSON.parse(body) as { error: { data: { reason: string } } }).error.data.reason;

describe('transportErrorsPlugin', () => {
  it('answers 405 with Allow to methods other than GET, HEAD and POST, OPTIONS (no CORS) included', async () => {
    const { app, answered } = await server();
    const put = await app.inject({ method: 'PUT', url: '/trpc/account.me' });
    const options = await app.inject({ method: 'OPTIONS', url: '/trpc/account.me' });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toBe('GET, POST');
    expect(put.json()).toMatchObject({ error: { message: 'PUT is not supported: use GET or POST', data: { reason: 'METHOD_NOT_SUPPORTED' } } });
    expect(options.json().error.message).toMatch(/no CORS/);
    expect(answered.map((answer) => answer.calls)).toEqual([
      [{ procedure: 'account.me', status: 405, reason: 'METHOD_NOT_SUPPORTED' }],
      [{ procedure: 'account.me', status: 405, reason: 'METHOD_NOT_SUPPORTED' }],
    ]);
    expect((await app.inject({ method: 'HEAD', url: '/trpc/account.me' })).statusCode).toBe(200);
  });

  it('answers an unknown route 404 ROUTE_NOT_FOUND, and a bad body or an unexpected error in tRPC’s shape', async () => {
    const { app, answered } = await server();
    const missing = await app.inject({ url: '/nowhere?secret=1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { message: 'No route GET /nowhere', data: { code: 'NOT_FOUND', reason: 'ROUTE_NOT_FOUND' } } });
    const badJson = await app.inject({ method: 'POST', url: '/trpc/account.me', headers: { 'content-type': 'application/json' }, payload: '{' });
    expect([badJson.statusCode, reasonOf(badJson.body)]).toEqual([400, 'BODY_INVALID']);
    const failed = await app.inject({ url: '/fails' });
    expect(failed.statusCode).toBe(500);
    expect(failed.json()).toMatchObject({ error: { message: 'Internal server error', data: { reason: 'INTERNAL' } } });
    expect(answered.map((answer) => answer.reasons)).toEqual([['ROUTE_NOT_FOUND'], ['BODY_INVALID'], ['INTERNAL']]);
  });

  it('answers what Fastify cannot route before any hook: a batch naming too many calls, a URL too long, bad encoding', async () => {
    const { app, answered } = await server();
    const batch = await app.inject({ url: `/trpc/${Array.from({ length: 20 }, () => 'account.me').join(',')}` });
    expect(batch.statusCode).toBe(400);
    expect(batch.json()).toMatchObject({ error: { code: -32600, data: { code: 'BAD_REQUEST', reason: 'BATCH_TOO_LARGE' } } });
    expect(batch.headers['x-request-id']).toEqual(expect.any(String));
    const long = await app.inject({ url: `/trpc/${'a'.repeat(200)}` });
    expect([long.statusCode, long.json().error.message]).toEqual([414, 'The URL is too long']);
    const encoding = await app.inject({ url: '/trpc/%E0%A4%A' });
    expect([encoding.statusCode, reasonOf(encoding.body)]).toEqual([400, 'REQUEST_INVALID']);
    expect(answered.map(({ status, calls, reasons }) => ({ status, calls, reasons }))).toEqual([
      { status: 400, calls: null, reasons: ['BATCH_TOO_LARGE'] },
      { status: 414, calls: null, reasons: ['REQUEST_INVALID'] },
      { status: 400, calls: null, reasons: ['REQUEST_INVALID'] },
    ]);
  });
});
