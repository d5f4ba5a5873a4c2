import { fail, ok } from '../answers.js';
import type { Authorize, SimulatedEndpointDefinition, SimulatorContext } from '../endpoint.js';
import { FaultQueue } from '../faults.js';

/**
 * GET /wxa/checksession (auth.checkSessionKey): ok while the signature
 * hmac_sha256(session_key, "") is made with the player's current key, 87009
 * otherwise.
 */
export function createCheckSession(context: SimulatorContext, authorize: Authorize): SimulatedEndpointDefinition {
  return {
    name: 'checksession',
    path: '/wxa/checksession',
    faults: new FaultQueue(),
    answer({ method, query }) {
      if (method !== 'GET') return fail(47001);
      const appid = authorize(query);
      if (typeof appid !== 'string') return appid;
      const player = context.players.signedPlayer(appid, query, '');
      return typeof player === 'string' ? ok() : player;
    },
  };
}
