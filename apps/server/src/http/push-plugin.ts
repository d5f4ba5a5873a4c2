import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PushAnswer } from '@minigate/api';
import type { Application } from '../wiring.js';
import type { RequestOutcomes } from './request-outcomes.js';

type Query = Record<string, string | undefined>;

/** Query values as strings only (a repeated parameter is refused by being ignored). */
function queryOf(request: FastifyRequest): Query {
  const query: Query = {};
  for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) if (typeof value === 'string') query[name] = value;
  return query;
}

function send(reply: FastifyReply, request: FastifyRequest, outcomes: RequestOutcomes, answer: PushAnswer) {
  if (answer.status >= 400) outcomes.failed(request, undefined, answer.status, 'PUSH_REFUSED');
  return reply
    .status(answer.status)
    .header('content-type', `${answer.contentType}; charset=utf-8`)
    .header('cache-control', 'no-store')
    .send(answer.body);
}

/**
 * Each game's message-push URL, /push/<appid>: GET answers WeChat's URL
 * check, POST takes a push (plain JSON or the AES safe mode) and answers as
 * WeChat expects. Bodies are taken as text here (and only here): the push
 * is verified and parsed by the api's PushReceiver.
 */
export function pushPlugin(server: FastifyInstance, options: { application: Application; outcomes: RequestOutcomes }, done: () => void): void {
  const { application, outcomes } = options;
  server.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, parsed) => parsed(null, body));
  server.removeContentTypeParser(['application/json', 'text/plain']);
  server.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, (_request, body, parsed) => parsed(null, body));
  server.get<{ Params: { appid: string } }>('/push/:appid', async (request, reply) =>
    send(reply, request, outcomes, application.pushes.verify(request.params.appid, queryOf(request))),
  );
  server.post<{ Params: { appid: string } }>('/push/:appid', async (request, reply) => {
    const body = typeof request.body === 'string' ? request.body : '';
    return send(reply, request, outcomes, await application.pushes.receive(request.params.appid, queryOf(request), body, request.log));
  });
  done();
}
