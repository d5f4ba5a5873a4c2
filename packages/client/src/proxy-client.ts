import { TRPCClientError, type Operation, type OperationLink, type TRPCClient, type TRPCLink, type TRPCProcedureOptions } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';

/**
 * The typed proxy of tRPC's createTRPCClient (`api.account.me.query()`),
 * without the rest of @trpc/client's entry point (its untyped client,
 * subscriptions, WebSocket and streaming links): the game file carries only
 * what a mini-game uses. Queries and mutations go through the links as
 * createTRPCClient sends them; a call's promise rejects with a
 * TRPCClientError.
 */
export function createProxyClient<TRouter extends AnyRouter>(links: TRPCLink<TRouter>[]): TRPCClient<TRouter> {
  const runtime = {};
  const chain: OperationLink<TRouter>[] = links.map((link) => link(runtime));
  const run = (op: Operation, index: number): ReturnType<OperationLink<TRouter>> => chain[index]!({ op, next: (nextOp) => run(nextOp, index + 1) });
  let lastId = 0;

  const call = (type: 'query' | 'mutation', path: string, input: unknown, options: TRPCProcedureOptions = {}) =>
    new Promise((resolve, reject) => {
      let answered = false;
      run({ id: ++lastId, type, path, input, context: options.context ?? {}, signal: options.signal ?? null }, 0).subscribe({
        next(envelope) {
          answered = true;
          resolve((envelope.result as { data?: unknown }).data);
        },
        error: (error) => reject(TRPCClientError.from(error)),
        complete() {
          if (!answered) reject(TRPCClientError.from(new Error(`${path} ended without an answer`)));
        },
      });
    });

  const proxy = (path: string[]): unknown =>
    new Proxy(() => undefined, {
      get: (_, key) => (typeof key === 'string' && key !== 'then' ? proxy([...path, key]) : undefined),
      apply(_, __, args: [unknown, TRPCProcedureOptions?]) {
        const kind = path[path.length - 1];
        const procedure = path.slice(0, -1).join('.');
        if (kind === 'query') return call('query', procedure, args[0], args[1]);
        if (kind === 'mutate') return call('mutation', procedure, args[0], args[1]);
        return Promise.reject(TRPCClientError.from(new Error(`${path.join('.')}() is not supported: call .query() or .mutate()`)));
      },
    });
  return proxy([]) as TRPCClient<TRouter>;
}
