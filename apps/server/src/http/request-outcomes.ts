import type { FastifyReply, FastifyRequest } from 'fastify';
import { proceduresOf } from '../access-log.js';
import type { CallOutcome } from '../metrics.js';

/** An error that answered the whole request (a body too large, a batch too large, a 404), not one call of it. */
export interface RequestFailure {
  status: number;
  reason: string;
}

/** A request whose answer has left: what the access line and the metrics are made of. */
export interface AnsweredRequest {
  request: FastifyRequest;
  reply: FastifyReply;
  status: number;
  /** Under /trpc: each call with its final status (and reason); null elsewhere. */
  calls: CallOutcome[] | null;
  failure?: RequestFailure;
  /** Every distinct reason of the answer, the calls' first. */
  reasons: string[];
}

interface RequestOutcome {
  /** Under /trpc: each call, its status 0 until its error (if any) is known. */
  calls: CallOutcome[] | null;
  failure?: RequestFailure;
}

/**
 * What each request's answer was, gathered while it is served (each part of
 * the server reports the errors it answers) and handed, once the answer has
 * left, to whoever listens: the access line and the metrics.
 */
export class RequestOutcomes {
  readonly #outcomes = new WeakMap<FastifyRequest, RequestOutcome>();
  readonly #listeners: ((answered: AnsweredRequest) => void)[] = [];

  /** A request arrives: under /trpc, the calls its path names. */
  begin(request: FastifyRequest): void {
    const procedures = proceduresOf(request.url);
    this.#outcomes.set(request, { calls: procedures && procedures.map((procedure) => ({ procedure, status: 0 })) });
  }

  /** A request answered before any route or hook saw it (Fastify's frameworkErrors): no calls, one failure. */
  refused(request: FastifyRequest, failure: RequestFailure): void {
    this.#outcomes.set(request, { calls: null, failure });
  }

  /** The error of one call (path set) or of the whole request (path undefined), as the caller gets it. */
  failed(request: FastifyRequest, path: string | undefined, status: number, reason: string, limit?: unknown): void {
    const outcome = this.#outcomes.get(request);
    if (!outcome) return;
    const call = path === undefined ? undefined : outcome.calls?.find((candidate) => candidate.procedure === path && candidate.status === 0);
    if (call) Object.assign(call, { status, reason, ...(typeof limit === 'string' ? { limit } : {}) });
    else outcome.failure ??= { status, reason };
  }

  /** Called with every answered request, in the order listeners were added. */
  onAnswered(listener: (answered: AnsweredRequest) => void): void {
    this.#listeners.push(listener);
  }

  /** The answer has left: calls still without an error take the request's failure or its status. */
  answered(request: FastifyRequest, reply: FastifyReply): void {
    const outcome = this.#outcomes.get(request) ?? { calls: null };
    const status = reply.statusCode;
    for (const call of outcome.calls ?? []) {
      if (call.status !== 0) continue;
      if (outcome.failure) Object.assign(call, outcome.failure);
      else call.status = status >= 400 ? status : 200;
    }
    const reasons = [...new Set([...(outcome.calls ?? []).map((call) => call.reason), outcome.failure?.reason].filter(Boolean))] as string[];
    const answered: AnsweredRequest = { request, reply, status, calls: outcome.calls, reasons };
    if (outcome.failure) answered.failure = outcome.failure;
    for (const listener of this.#listeners) listener(answered);
  }
}
