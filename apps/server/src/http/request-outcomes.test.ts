import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { RequestOutcomes, type AnsweredRequest } from './request-outcomes.js';

const request = (url: string) => ({ url }) as FastifyRequest;
const reply = (statusCode: number) => ({ statusCode }) as FastifyReply;

function answers(outcomes: RequestOutcomes): AnsweredRequest[] {
  const seen: AnsweredRequest[] = [];
  outcomes.onAnswered((answered) => seen.push(answered));
  return seen;
}

describe('RequestOutcomes', () => {
  it('follows each call of a batch: its own error, else the status of the answer', () => {
    const outcomes = new RequestOutcomes();
    const seen = answers(outcomes);
    const batch = request('/trpc/auth.wechatLogin,account.me,auth.wechatLogin?batch=1');
    outcomes.begin(batch);
    outcomes.failed(batch, 'auth.wechatLogin', 429, 'RATE_LIMITED', 'login');
    outcomes.failed(batch, 'account.me', 401, 'TOKEN_MISSING', 42);
    outcomes.answered(batch, reply(207));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      status: 207,
      calls: [
        { procedure: 'auth.wechatLogin', status: 429, reason: 'RATE_LIMITED', limit: 'login' },
        { procedure: 'account.me', status: 401, reason: 'TOKEN_MISSING' },
        { procedure: 'auth.wechatLogin', status: 200 },
      ],
      reasons: ['RATE_LIMITED', 'TOKEN_MISSING'],
    });
    expect(seen[0]?.calls?.[1]).not.toHaveProperty('limit');
    expect(seen[0]).not.toHaveProperty('failure');
  });

  it('gives a failure of the whole request to every call still open, and keeps the first failure', () => {
    const outcomes = new RequestOutcomes();
    const seen = answers(outcomes);
    const closing = request('/trpc/account.me');
    outcomes.begin(closing);
    outcomes.failed(closing, undefined, 503, 'SERVER_CLOSING');
    outcomes.failed(closing, undefined, 500, 'INTERNAL');
    outcomes.answered(closing, reply(503));
    expect(seen[0]).toMatchObject({
      calls: [{ procedure: 'account.me', status: 503, reason: 'SERVER_CLOSING' }],
      failure: { status: 503, reason: 'SERVER_CLOSING' },
      reasons: ['SERVER_CLOSING'],
    });
  });

  it('has no calls outside /trpc, and a request refused before routing has its failure alone', () => {
    const outcomes = new RequestOutcomes();
    const seen = answers(outcomes);
    const health = request('/healthz');
    outcomes.begin(health);
    outcomes.answered(health, reply(200));
    const refused = request('/trpc/%E0%A4%A');
    outcomes.refused(refused, { status: 400, reason: 'REQUEST_INVALID' });
    outcomes.answered(refused, reply(400));
    // A request nothing began (no hook ran) is still answered.
    outcomes.answered(request('/x'), reply(400));
    expect(seen.map(({ status, calls, reasons }) => ({ status, calls, reasons }))).toEqual([
      { status: 200, calls: null, reasons: [] },
      { status: 400, calls: null, reasons: ['REQUEST_INVALID'] },
      { status: 400, calls: null, reasons: [] },
    ]);
  });

  it('a failed call is an error of the whole request when the path names no open call', () => {
    const outcomes = new RequestOutcomes();
    const seen = answers(outcomes);
    const call = request('/trpc/account.me');
    outcomes.begin(call);
    outcomes.failed(call, 'auth.refresh', 404, 'PROCEDURE_NOT_FOUND');
    outcomes.answered(call, reply(404));
    expect(seen[0]).toMatchObject({ calls: [{ procedure: 'account.me', status: 404, reason: 'PROCEDURE_NOT_FOUND' }] });
  });
});
