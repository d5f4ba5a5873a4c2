import { transportErrorBody } from '../transport-errors.js';
import type { RequestOutcomes } from './request-outcomes.js';
import { sharedPlugin } from './shared-plugin.js';

/** Whether the server is closing: the one flag, set once, read by whatever answers differently while closing. */
export interface Closing {
  readonly closing: boolean;
  /** The server starts closing (a signal, or close() called: preClose); false when it already was. */
  begin(): boolean;
}

export function createClosing(): Closing {
  let closing = false;
  return {
    get closing() {
      return closing;
    },
    begin() {
      if (closing) return false;
      closing = true;
      return true;
    },
  };
}

/**
 * While closing, a request on a kept-alive connection gets 503
 * SERVER_CLOSING with Retry-After (the load balancer sends it elsewhere;
 * Fastify's own 503 is off, return503OnClosing). With `connectionClose`
 * (startServer's), every answer also says Connection: close: a keep-alive
 * connection whose request finishes after the close began would otherwise
 * stay open (and hold the close) for keepAliveTimeout. A server closed by
 * its owner (the tests') keeps such a connection open, and a request on it
 * gets the 503.
 */
export const closingPlugin = sharedPlugin<{ closing: Closing; outcomes: RequestOutcomes; connectionClose: boolean }>(
  'minigate-closing',
  (server, { closing, outcomes, connectionClose }, done) => {
    server.addHook('preClose', (next) => {
      closing.begin();
      next();
    });
    server.addHook('onRequest', (request, reply, next) => {
      if (!closing.closing) {
        next();
        return;
      }
      outcomes.failed(request, undefined, 503, 'SERVER_CLOSING');
      void reply
        .header('connection', 'close')
        .header('retry-after', '1')
        .status(503)
        .send(transportErrorBody(503, 'This instance is shutting down: try again', 'SERVER_CLOSING'));
    });
    if (connectionClose) {
      server.addHook('onSend', (_request, reply, payload, next) => {
        if (closing.closing) void reply.header('connection', 'close');
        next(null, payload);
      });
    }
    done();
  },
);
