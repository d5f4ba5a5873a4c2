import { randomBytes } from 'node:crypto';
import { findPayOrder, insertPayOrder, listPayOrders, type Database, type Kysely } from '@minigate/db';
import { itemOrderSignatures } from '@minigate/wechat';
import { platformUnsupported, sessionApp } from '../apps/session-app.js';
import type { ServedApp, ServedApps } from '../apps/served-apps.js';
import type { AuthenticatedUser } from '../context.js';
import { MinigateError } from '../errors.js';
import type { SessionKeys } from '../services/session-keys.js';
import { orderGrantsJson } from './order-grants.js';
import { appKeyOf, type PaySettings } from './pay-settings.js';
import { orderView, type ItemOrderAnswer, type OrderView } from './views.js';

export interface ItemOrderService {
  /** Records an order of `quantity` × the product and signs what wx.requestMidasPaymentGameItem needs. */
  create(user: AuthenticatedUser, productId: string, quantity: number): Promise<ItemOrderAnswer>;
  /** One of the player's orders. */
  order(user: AuthenticatedUser, outTradeNo: string): Promise<OrderView>;
  /** The player's orders, newest first, a page at a time. */
  orders(user: AuthenticatedUser, cursor: string | null): Promise<{ orders: OrderView[]; nextCursor: string | null }>;
}

export interface ItemOrderServiceDeps {
  db: Kysely<Database>;
  apps: ServedApps;
  sessionKeys: SessionKeys;
  now?: () => number;
}

/** The most of one product an order may buy. */
export const MAX_ORDER_QUANTITY = 1000;
const PAGE = 20;

/** The session's game and its pay settings, or why it cannot take payments. */
export function payingApp(apps: ServedApps, user: AuthenticatedUser): ServedApp & { pay: PaySettings } {
  const app = sessionApp(apps, user);
  if (!app.wechat) throw platformUnsupported(app, "WeChat's virtual payment");
  if (!app.pay) {
    throw new MinigateError({
      code: 'BAD_REQUEST',
      reason: 'PAYMENTS_NOT_CONFIGURED',
      message: `The game ${app.appid} takes no payments on this server`,
    });
  }
  return app as ServedApp & { pay: PaySettings };
}

/** A new order number: 32 characters at most (WeChat's limit), time-ordered, unguessable. */
function newOutTradeNo(now: number): string {
  return `mg${now.toString(36)}${randomBytes(9).toString('hex')}`;
}

const orderNotFound = () => new MinigateError({ code: 'NOT_FOUND', reason: 'ORDER_NOT_FOUND', message: 'No order of yours has this number' });

export function createItemOrderService(deps: ItemOrderServiceDeps): ItemOrderService {
  const now = deps.now ?? Date.now;
  return {
    async create(user, productId, quantity) {
      const app = payingApp(deps.apps, user);
      const product = app.pay.products.find((candidate) => candidate.productId === productId);
      if (!product) {
        throw new MinigateError({
          code: 'BAD_REQUEST',
          reason: 'PRODUCT_UNKNOWN',
          message: `The game sells no product ${productId}`,
          fields: [{ path: 'productId', message: 'not a product of this game' }],
        });
      }
      const appKey = appKeyOf(app.pay, app.pay.env);
      if (!appKey) throw new Error(`no AppKey for env ${app.pay.env}`);
      // The player's openid and current session key in this game: `signature` is signed with it.
      const key = await deps.sessionKeys.current(user.accountId, app);
      const at = now();
      const outTradeNo = newOutTradeNo(at);
      const signData = JSON.stringify({
        mode: 'goods',
        offerId: app.pay.offerId,
        buyQuantity: quantity,
        env: app.pay.env,
        currencyType: 'CNY',
        platform: 'android',
        zoneId: app.pay.zoneId,
        productId: product.productId,
        goodsPrice: product.price,
        outTradeNo,
        attach: String(user.accountId),
      });
      await insertPayOrder(deps.db, {
        outTradeNo,
        appid: app.appid,
        accountId: user.accountId,
        openid: key.openid,
        productId: product.productId,
        quantity,
        unitPrice: product.price,
        totalPrice: product.price * quantity,
        grants: orderGrantsJson(product, quantity),
        env: app.pay.env,
        createTime: new Date(at),
      });
      return { outTradeNo, signData, ...itemOrderSignatures({ signData, appKey, sessionKey: key.sessionKey }) };
    },

    async order(user, outTradeNo) {
      const order = await findPayOrder(deps.db, outTradeNo, user.accountId);
      if (!order) throw orderNotFound();
      return orderView(order);
    },

    async orders(user, cursor) {
      const page = await listPayOrders(deps.db, { accountId: user.accountId, before: cursor, limit: PAGE });
      const last = page.orders.at(-1);
      return { orders: page.orders.map(orderView), nextCursor: page.more && last ? last.outTradeNo : null };
    },
  };
}
