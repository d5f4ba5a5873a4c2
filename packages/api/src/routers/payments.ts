import { z } from 'zod';
import { MAX_ORDER_QUANTITY } from '../payments/item-order-service.js';
import { protectedProcedure, router } from '../trpc.js';

const name = (field: string) =>
  z.string({ error: `${field} must be a string` }).regex(/^[A-Za-z0-9_.-]{1,64}$/, `${field} must be 1-64 letters, digits, _ . or -`);

const cursor = z.string({ error: 'cursor must be the string a previous page answered' }).max(64, 'cursor is too long').optional();

export const createItemOrderInput = z.strictObject({
  productId: name('productId'),
  quantity: z
    .number({ error: 'quantity must be a number' })
    .int('quantity must be a whole number')
    .min(1, 'quantity must be at least 1')
    .max(MAX_ORDER_QUANTITY, `quantity must be at most ${MAX_ORDER_QUANTITY}`),
});

export const orderInput = z.strictObject({
  outTradeNo: z.string({ error: 'outTradeNo must be a string' }).regex(/^[0-9A-Za-z_-]{1,32}$/, 'outTradeNo must be an order number of ours'),
});

export const spendCoinsInput = z.strictObject({
  amount: z
    .number({ error: 'amount must be a number' })
    .int('amount must be whole coins')
    .min(1, 'amount must be at least 1')
    .max(1_000_000_000, 'amount is too large'),
  billNo: z
    .string({ error: 'billNo must be a string' })
    .regex(/^[0-9A-Za-z-][0-9A-Za-z_-]{0,62}$/, 'billNo must be 1-63 digits, letters, _ or -, not starting with _')
    .optional(),
  reason: z.string({ error: 'reason must be a string' }).trim().min(1, 'reason must not be empty').max(128, 'reason must be at most 128 characters'),
});

export const paymentsRouter = router({
  createItemOrder: protectedProcedure
    .input(createItemOrderInput)
    .mutation(({ ctx, input }) => ctx.services.payments.orders.create(ctx.user, input.productId, input.quantity)),
  order: protectedProcedure.input(orderInput).query(({ ctx, input }) => ctx.services.payments.orders.order(ctx.user, input.outTradeNo)),
  orders: protectedProcedure
    .input(z.strictObject({ cursor }).optional())
    .query(({ ctx, input }) => ctx.services.payments.orders.orders(ctx.user, input?.cursor ?? null)),
  balance: protectedProcedure.query(({ ctx }) => ctx.services.payments.coins.balance(ctx.user, ctx.caller)),
  spendCoins: protectedProcedure
    .input(spendCoinsInput)
    .mutation(({ ctx, input }) =>
      ctx.services.payments.coins.spend(
        ctx.user,
        { amount: input.amount, reason: input.reason, ...(input.billNo !== undefined ? { billNo: input.billNo } : {}) },
        ctx.caller,
      ),
    ),
});

const counts = z
  .record(
    name('a name'),
    z.number({ error: 'counts must be numbers' }).int('counts must be whole').min(1, 'counts must be at least 1').max(1_000_000_000),
    {
      error: 'must be an object of names to counts',
    },
  )
  .default({});

export const walletSpendInput = z
  .strictObject({
    key: z.string({ error: 'key must be a string' }).regex(/^[0-9A-Za-z_.:-]{1,100}$/, 'key must be 1-100 letters, digits, _ . : or -'),
    currencies: counts,
    items: counts,
    reason: z
      .string({ error: 'reason must be a string' })
      .trim()
      .min(1, 'reason must not be empty')
      .max(128, 'reason must be at most 128 characters'),
  })
  .refine((spend) => Object.keys(spend.currencies).length + Object.keys(spend.items).length > 0, {
    message: 'spend at least one currency or item',
    path: ['currencies'],
  });

export const walletRouter = router({
  get: protectedProcedure.query(({ ctx }) => ctx.services.payments.wallet.get(ctx.user)),
  history: protectedProcedure
    .input(z.strictObject({ cursor }).optional())
    .query(({ ctx, input }) => ctx.services.payments.wallet.history(ctx.user, input?.cursor ?? null)),
  spend: protectedProcedure.input(walletSpendInput).mutation(({ ctx, input }) => ctx.services.payments.wallet.spend(ctx.user, input)),
});
