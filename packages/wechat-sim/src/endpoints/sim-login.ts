import type { SimRoute } from '../endpoint.js';

/** /sim/login: the code wx.login would give the named player, as JSON ({ code }) or, with ?format=text, plain text. */
export function createSimLogin(issueCode: (appid: string, player: string) => string): SimRoute {
  return {
    path: '/sim/login',
    answer({ appid, player }, _params, query) {
      const code = issueCode(appid, player);
      return query.get('format') === 'text' ? { status: 200, body: code, contentType: 'text/plain' } : { status: 200, body: { code } };
    },
  };
}
