import type { SimulatedApp } from '@minigate/wechat-sim';
import { startTestStack, TEST_APPID, TEST_WECHAT_SECRET, type TestStack } from './stack.js';

/** A WeChat game that takes payments: its virtual payment 2.0 settings, as the simulator and the server both hold them. */
export const PAY = {
  offerId: '1450012345',
  appKey: 'live-app-key-5f0c2a9e7d1b4c3a',
  sandboxAppKey: 'sandbox-app-key-8e2d4b6a1c3f5e7d',
  zoneId: '1',
  pushToken: 'PushToken2026',
} as const;

/** The AES safe mode's EncodingAESKey (43 letters and digits). */
export const PUSH_AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

/** The shop: gems, a sword and a bundle of both. */
export const PRODUCTS = [
  { productId: 'gem60', price: 600, grants: { currencies: { gem: 60 } } },
  { productId: 'sword', price: 1200, grants: { items: { sword: 1 } } },
  { productId: 'bundle', price: 1800, grants: { currencies: { gem: 60, gold: 500 }, items: { sword: 1, shield: 2 } } },
];

export interface PaymentsStack extends TestStack {
  /** The game as the simulator holds it (its pushUrl points at this server's /push/<appid>). */
  game: SimulatedApp & { pay: NonNullable<SimulatedApp['pay']> };
}

/**
 * The test stack with one WeChat game taking payments (APPS_FILE), the
 * simulator pushing its deliveries to the server's /push/<appid>. The
 * simulator reads the app object when it pushes, so its pushUrl is set once
 * the server listens. `safeMode`: pushes in the AES safe mode.
 */
export async function startPaymentsStack(env: Record<string, string> = {}, options: { safeMode?: boolean } = {}): Promise<PaymentsStack> {
  const game = {
    appid: TEST_APPID,
    secret: TEST_WECHAT_SECRET,
    platform: 'wechat' as const,
    pay: { ...PAY, ...(options.safeMode ? { pushAesKey: PUSH_AES_KEY } : {}) } as NonNullable<SimulatedApp['pay']>,
  };
  const stack = await startTestStack(
    { RATE_LIMIT_LOGIN: '100000/60', RATE_LIMIT_CALLS: '100000/60', ...env },
    {
      apps: [game],
      appsFileExtras: {
        [TEST_APPID]: { ...PAY, env: 0, ...(options.safeMode ? { pushAesKey: PUSH_AES_KEY } : {}), products: PRODUCTS },
      },
    },
  );
  game.pay.pushUrl = `${stack.baseUrl}/push/${TEST_APPID}`;
  return { ...stack, game };
}
