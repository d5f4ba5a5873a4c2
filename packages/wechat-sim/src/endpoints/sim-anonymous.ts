import type { SimRoute, SimulatorContext } from '../endpoint.js';

/** /sim/anonymous: the anonymous code tt.login would give a device in a Douyin app, as JSON ({ code }) or, with ?format=text, plain text. */
export function createSimAnonymous(context: SimulatorContext, issueAnonymousCode: (appid: string, device: string) => string): SimRoute {
  return {
    path: '/sim/anonymous',
    subject: 'device',
    answer({ appid, player: device }, _params, query) {
      if (context.apps.get(appid)?.platform !== 'douyin')
        return { status: 400, body: { error: 'anonymous codes are for Douyin apps only', field: 'appid' } };
      const code = issueAnonymousCode(appid, device);
      return query.get('format') === 'text' ? { status: 200, body: code, contentType: 'text/plain' } : { status: 200, body: { code } };
    },
  };
}
