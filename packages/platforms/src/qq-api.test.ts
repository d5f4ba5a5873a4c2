import { createHttpTransport, MemoryAccessTokenStore } from '@minigate/wechat';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeChatSimulator, type WeChatSimulator } from '../../wechat-sim/src/index.js';
import { PlatformMisconfiguredError, PlatformUnavailableError, QQBusyError } from './errors.js';
import { createQQApi } from './platform-api.js';
import { createGetQQToken } from './qq-token.js';

const GAME = { appid: '1110000101', secret: 'qq-api-secret-1', platform: 'qq' as const };
let simulator: WeChatSimulator;
const http = createHttpTransport({ timeoutMs: 300 });

beforeAll(async () => {
  simulator = await startWeChatSimulator({ apps: [GAME] });
});
afterAll(async () => {
  http.close();
  await simulator.close();
});
beforeEach(() => simulator.clearFaults());

const app = () => ({ ...GAME, apiBase: simulator.url });
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: Error) => error,
  );

describe("QQ's access token", () => {
  it('is fetched once from {apiBase}/api/getToken when two instances sharing one store refresh at the same time', async () => {
    const store = new MemoryAccessTokenStore();
    const before = simulator.callCount('qq_token');
    simulator.injectFault({ endpoint: 'qq_token', kind: 'delay', ms: 50 });
    const instances = [
      createQQApi({ app: app(), transport: http.send, tokenStore: store }),
      createQQApi({ app: app(), transport: http.send, tokenStore: store }),
    ];
    const [first, second] = await Promise.all(instances.map((instance) => instance.tokens.getAccessToken()));
    expect(first).toBe(second);
    expect(first).toBe(simulator.currentAccessToken(GAME.appid));
    expect(simulator.callCount('qq_token') - before).toBe(1);
    expect(await instances[1]?.withAccessToken((token) => Promise.resolve(token))).toBe(first);
  });

  it('turns its errcodes into their errors and a page into PlatformUnavailableError, the secret kept out of messages', async () => {
    const wrong = await failureOf(createGetQQToken({ ...app(), secret: 'not-the-secret' }, http.send)());
    expect(wrong).toBeInstanceOf(PlatformMisconfiguredError);
    expect(wrong).toMatchObject({ name: 'QQSecretInvalidError', errcode: 40001, platform: 'qq' });
    expect(wrong.message).not.toContain('not-the-secret');
    simulator.injectFault({ endpoint: 'qq_token', kind: 'errcode', errcode: -1, errmsg: `busy: ${GAME.secret}` });
    const busy = await failureOf(createGetQQToken(app(), http.send)());
    expect(busy).toBeInstanceOf(QQBusyError);
    expect(busy.message).not.toContain(GAME.secret);
    simulator.injectFault({ endpoint: 'qq_token', kind: 'http', status: 503, body: '<html>unavailable</html>' });
    expect(await failureOf(createGetQQToken(app(), http.send)())).toBeInstanceOf(PlatformUnavailableError);
  });
});
