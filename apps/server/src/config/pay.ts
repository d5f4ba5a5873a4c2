import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { PaySettings, Product, ProductGrants } from '@minigate/api';
import { section, setting } from './settings.js';

export type { PaySettings, Product, ProductGrants };

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const counts = z
  .record(z.string().regex(NAME, 'names are 1-64 letters, digits, _ . or -'), z.number().int().min(1).max(1_000_000_000), {
    error: 'must be an object of positive whole counts',
  })
  .optional();

export const productSchema = z.strictObject({
  productId: z.string({ error: 'is required' }).regex(NAME, 'must be 1-64 letters, digits, _ . or -'),
  price: z.number({ error: 'is required (fen)' }).int('must be whole fen').min(1, 'must be at least 1 fen').max(10_000_000, 'is over 100,000 yuan'),
  grants: z.strictObject({ currencies: counts, items: counts }, { error: 'is required: { currencies?, items? }' }),
});

export const productsSchema = z.array(productSchema).superRefine((products, ctx) => {
  const seen = new Set<string>();
  products.forEach((product, index) => {
    if (seen.has(product.productId)) ctx.addIssue({ code: 'custom', path: [index, 'productId'], message: `${product.productId} is listed twice` });
    seen.add(product.productId);
  });
});

/** A pay field's checks, shared by APPS_FILE entries and the WECHAT_PAY_* variables. */
export const payFields = {
  offerId: z.string().regex(/^[0-9]{4,32}$/, 'must be the offer id (digits)'),
  appKey: z.string().min(16, 'must be the AppKey (at least 16 characters)'),
  sandboxAppKey: z.string().min(16, 'must be the sandbox AppKey (at least 16 characters)'),
  env: z.union([z.literal(0), z.literal(1)], { error: 'must be 0 (live) or 1 (sandbox)' }),
  zoneId: z.string().regex(/^[0-9A-Za-z_-]{1,32}$/, 'must be the zone id'),
  pushToken: z.string().regex(/^[A-Za-z0-9]{3,32}$/, 'must be the push Token (3-32 letters and digits)'),
  pushAesKey: z.string().regex(/^[A-Za-z0-9]{43}$/, 'must be the EncodingAESKey (43 letters and digits)'),
};

/** The pay settings of one game, from its fields; the problems (field: message) when some are missing or wrong. */
export function paySettingsOf(fields: Record<string, unknown>, products: Product[]): { pay: PaySettings | null; problems: string[] } {
  const given = Object.keys(payFields).some((name) => fields[name] !== undefined) || products.length > 0;
  if (!given) return { pay: null, problems: [] };
  const problems: string[] = [];
  const value = <K extends keyof typeof payFields>(name: K, required: boolean): z.output<(typeof payFields)[K]> | null => {
    if (fields[name] === undefined) {
      if (required) problems.push(`${name}: is required with the other pay settings`);
      return null;
    }
    const parsed = payFields[name].safeParse(fields[name]);
    if (!parsed.success) problems.push(`${name}: ${parsed.error.issues[0]?.message ?? 'is not valid'}`);
    return parsed.success ? (parsed.data as z.output<(typeof payFields)[K]>) : null;
  };
  const env = fields.env === undefined ? 0 : value('env', false);
  const settings = {
    offerId: value('offerId', true),
    appKey: value('appKey', true),
    sandboxAppKey: value('sandboxAppKey', env === 1),
    env,
    zoneId: value('zoneId', true),
    pushToken: value('pushToken', true),
    pushAesKey: value('pushAesKey', false),
  };
  if (problems.length > 0) return { pay: null, problems };
  return { pay: { ...(settings as Omit<PaySettings, 'products'>), products }, problems: [] };
}

/** Products as the server keeps them: every grant's two lists present. */
export function normalizedProducts(products: z.output<typeof productsSchema>): Product[] {
  return products.map((product) => ({
    productId: product.productId,
    price: product.price,
    grants: { currencies: product.grants.currencies ?? {}, items: product.grants.items ?? {} },
  }));
}

/** PRODUCTS_FILE read and checked. */
const productsFile = z.string().transform((path, ctx): Product[] => {
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: error instanceof SyntaxError ? 'is not JSON' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    });
    return z.NEVER;
  }
  const parsed = productsSchema.safeParse(content);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `[${issue.path.join('].') || ''}${issue.path.length ? '' : ']'}: ${issue.message}`);
    ctx.addIssue({ code: 'custom', message: `has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}: ${problems.join('; ')}` });
    return z.NEVER;
  }
  return normalizedProducts(parsed.data);
});

export const pay = section(
  'Payments',
  "WeChat's virtual payment 2.0 for the game of `WECHAT_APPID` (with `APPS_FILE`, each game's entry carries the same fields: `offerId`, `appKey`, `sandboxAppKey`, `env`, `zoneId`, `pushToken`, `pushAesKey`, `products`). Unset: no payments.",
  {
    WECHAT_PAY_OFFER_ID: setting(z.string(), { unset: 'no payments', description: 'the offer id (支付应用 ID) of virtual payment 2.0' }),
    WECHAT_PAY_APP_KEY: setting(z.string(), { unset: 'no payments', secret: true, description: 'the live AppKey' }),
    WECHAT_PAY_SANDBOX_APP_KEY: setting(z.string(), {
      unset: 'none (required with `WECHAT_PAY_ENV=1`)',
      secret: true,
      description: 'the sandbox AppKey',
    }),
    WECHAT_PAY_ENV: setting(z.enum(['0', '1'], { error: 'must be 0 (live) or 1 (sandbox)' }).transform(Number), {
      default: '0',
      description: 'the env new orders are made in: 0 live, 1 sandbox',
    }),
    WECHAT_PAY_ZONE_ID: setting(z.string(), { unset: 'no payments', description: 'the zone id (分区 ID)' }),
    WECHAT_PUSH_TOKEN: setting(z.string(), {
      unset: 'no payments',
      secret: true,
      description: "the message push's Token: `/push/<appid>` checks every push's signature with it",
    }),
    WECHAT_PUSH_AES_KEY: setting(z.string(), {
      unset: 'plain JSON pushes',
      secret: true,
      description: "the message push's EncodingAESKey, for the safe mode (43 characters)",
    }),
    PRODUCTS_FILE: setting(productsFile, {
      unset: 'no products',
      description:
        'a JSON file of the item shop: `[{ "productId", "price" (fen), "grants": { "currencies"?: { "gem": 60 }, "items"?: { "sword": 1 } } }]`',
    }),
  },
);
