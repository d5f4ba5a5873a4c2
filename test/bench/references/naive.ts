// Reference (b) of the protected call: the naive stack. jsonwebtoken with the
// secret as a string (it derives the key again on every call), then one row
// read per call by primary key (the account and its profile, as account.me
// reads them), through Kysely on the same database. No revocation check, no
// limits, no logging, no metrics. It verifies minigate's own access tokens.
import jwt from 'jsonwebtoken';
import { createDatabase } from '@minigate/db';
import { TRPCError, initTRPC } from './trpc.js';
import { serveReference } from './serve.js';

const secret = process.env.JWT_SECRET ?? '';
const db = createDatabase(process.env.DATABASE_URL ?? '');

interface Context {
  accountId: number | null;
}

const t = initTRPC.context<Context>().create();
const authed = t.procedure.use(({ ctx, next }) => {
  if (ctx.accountId === null) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next({ ctx: { accountId: ctx.accountId } });
});

const router = t.router({
  account: t.router({
    me: authed.query(async ({ ctx }) => {
      const found = await db
        .selectFrom('account')
        .innerJoin('accountProfile', 'accountProfile.accountId', 'account.accountId')
        .select([
          'account.accountId',
          'account.nickName',
          'account.avatar',
          'account.createTime',
          'account.phoneBind',
          'accountProfile.gender',
          'accountProfile.level',
          'accountProfile.experience',
          'accountProfile.loginTime',
          'accountProfile.birthday',
          'accountProfile.onlineSeconds',
          'accountProfile.unreadMsgNums',
        ])
        .where('account.accountId', '=', ctx.accountId)
        .executeTakeFirst();
      if (!found) throw new TRPCError({ code: 'NOT_FOUND' });
      return {
        id: found.accountId,
        nickName: found.nickName,
        avatarUrl: found.avatar,
        createdAt: found.createTime.getTime(),
        phoneBound: found.phoneBind === 1,
        profile: {
          gender: found.gender,
          level: found.level,
          experience: Number(found.experience),
          lastLoginAt: found.loginTime ? found.loginTime.getTime() : null,
          birthday: found.birthday ? found.birthday.toISOString().slice(0, 10) : null,
          onlineSeconds: Number(found.onlineSeconds),
          unreadMessages: found.unreadMsgNums,
        },
      };
    }),
  }),
});

await serveReference(router, ({ req }) => {
  const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!token) return { accountId: null };
  try {
    const claims = jwt.verify(token, secret, { algorithms: ['HS256'] }) as { sub?: string };
    return { accountId: Number(claims.sub) };
  } catch {
    return { accountId: null };
  }
});
