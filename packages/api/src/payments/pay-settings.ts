/** What a product grants once delivered: currencies and items, each a positive count (per one bought). */
export interface ProductGrants {
  currencies: Record<string, number>;
  items: Record<string, number>;
}

/** A product of the game's item shop (道具直购): its price in fen, and what one of it grants. */
export interface Product {
  productId: string;
  price: number;
  grants: ProductGrants;
}

/** A game's WeChat virtual payment 2.0 settings (mp → 虚拟支付 2.0 → 基础配置) and its products. */
export interface PaySettings {
  offerId: string;
  /** The live AppKey: a secret, never logged or answered. */
  appKey: string;
  /** The sandbox AppKey (a secret); required when env is 1. */
  sandboxAppKey: string | null;
  /** 0 live, 1 sandbox: the env new orders and coin calls are made in. */
  env: 0 | 1;
  zoneId: string;
  /** The message push's Token: a secret. */
  pushToken: string;
  /** The message push's EncodingAESKey (safe mode), or null for plain JSON: a secret. */
  pushAesKey: string | null;
  products: Product[];
}

/** The AppKey of an env; null when that env has none configured. */
export function appKeyOf(pay: PaySettings, env: number): string | null {
  if (env === 0) return pay.appKey;
  if (env === 1) return pay.sandboxAppKey;
  return null;
}
