import { z } from 'zod';
import type { JsonValue } from '../storage/views.js';
import { protectedProcedure, router } from '../trpc.js';

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

const collection = z.string({ error: 'collection must be a string' }).regex(NAME, 'collection must be 1-64 letters, digits, _ . or -');
const key = z.string({ error: 'key must be a string' }).regex(NAME, 'key must be 1-64 letters, digits, _ . or -');
const value = z.custom<JsonValue>(
  (given) => given !== undefined,
  'value is required: any JSON (an object, an array, a string, a number, true, false or null)',
);
const version = z
  .string({ error: 'version must be a string' })
  .regex(/^(\*|[A-Za-z0-9_.-]{1,32})$/, 'version must be one this server answered, or * (write only when absent)');
const deleteVersion = z
  .string({ error: 'version must be a string' })
  .regex(/^[A-Za-z0-9_.-]{1,32}$/, 'version must be one this server answered (* is for writes)');

export const MAX_PUT_MANY = 100;
export const MAX_LIST_LIMIT = 100;

export const storageGetInput = z.strictObject({ collection, key });

export const storageListInput = z.strictObject({
  collection,
  cursor: z
    .string({ error: 'cursor must be the string a previous page answered' })
    .regex(NAME, 'cursor must be the nextCursor a page answered')
    .optional(),
  limit: z
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(MAX_LIST_LIMIT, `limit must be at most ${MAX_LIST_LIMIT}`)
    .optional(),
});

const putObject = z.strictObject({ collection, key, value, version: version.optional() });

export const storagePutInput = putObject;

export const storagePutManyInput = z.strictObject({
  objects: z
    .array(putObject, { error: 'objects must be a list of { collection, key, value, version? }' })
    .min(1, 'objects must list at least one object')
    .max(MAX_PUT_MANY, `objects must list at most ${MAX_PUT_MANY} objects`)
    .superRefine((objects, ctx) => {
      const seen = new Map<string, number>();
      objects.forEach((object, index) => {
        const name = `${object.collection}\u0000${object.key}`;
        const first = seen.get(name);
        if (first !== undefined)
          ctx.addIssue({ code: 'custom', path: [index, 'key'], message: `${object.collection}/${object.key} is listed already, at ${first}` });
        else seen.set(name, index);
      });
    }),
});

export const storageDeleteInput = z.strictObject({ collection, key, version: deleteVersion.optional() });

export const storageGetPublicInput = z.strictObject({
  accountId: z
    .number({ error: 'accountId must be a number' })
    .int('accountId must be a whole number')
    .min(1, 'accountId must be at least 1')
    .max(Number.MAX_SAFE_INTEGER, 'accountId is too large'),
  collection,
  key,
});

const DEFAULT_LIST_LIMIT = 20;

export const storageRouter = router({
  get: protectedProcedure.input(storageGetInput).query(({ ctx, input }) => ctx.services.storage.get(ctx.user, input.collection, input.key)),
  list: protectedProcedure
    .input(storageListInput)
    .query(({ ctx, input }) =>
      ctx.services.storage.list(ctx.user, input.collection, { cursor: input.cursor ?? null, limit: input.limit ?? DEFAULT_LIST_LIMIT }),
    ),
  put: protectedProcedure.input(storagePutInput).mutation(({ ctx, input }) => ctx.services.storage.put(ctx.user, input)),
  putMany: protectedProcedure.input(storagePutManyInput).mutation(({ ctx, input }) => ctx.services.storage.putMany(ctx.user, input.objects)),
  delete: protectedProcedure.input(storageDeleteInput).mutation(({ ctx, input }) => ctx.services.storage.delete(ctx.user, input)),
  getPublic: protectedProcedure.input(storageGetPublicInput).query(({ ctx, input }) => ctx.services.storage.getPublic(ctx.user, input)),
});
