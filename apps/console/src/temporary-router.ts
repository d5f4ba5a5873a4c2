// TEMPORARY: the console's router as /work/notes/console-contract.md describes it, until @minigate/api exports
// ConsoleRouter. Only its type is used (api.ts imports it with `import type`): nothing here reaches the bundle.
// (Exported only so that the linter sees it used.) Delete this file when `import type { ConsoleRouter } from '@minigate/api'` works.
import { initTRPC } from '@trpc/server';

const t = initTRPC.create();
const input =
  <T>() =>
  (value: unknown): T =>
    value as T;
const answer = <T>() => t.procedure.query((): T => undefined as T);
type Role = 'viewer' | 'support' | 'finance' | 'admin';
type Login = { operator: { name: string; role: Role }; csrfToken: string };
type Amounts = Record<string, number>;
type Changes = Record<string, { delta: number; balance: number }>;
type State = 'active' | 'banned' | 'deleted';
type Ok = { ok: true };
const action = <I>() => t.procedure.input(input<I & { reason: string }>()).mutation((): Ok => ({ ok: true }));

export const router = t.router({
  auth: t.router({
    login: t.procedure.input(input<{ name: string; password: string }>()).mutation((): Login => undefined as unknown as Login),
    me: answer<Login>(),
    logout: t.procedure.mutation(() => ({ loggedOut: true as const })),
  }),
  players: t.router({
    find: t.procedure.input(input<{ query: string }>()).query(
      (): {
        players: {
          accountId: number;
          nickname: string | null;
          avatarUrl: string | null;
          state: State;
          createdAt: string;
          identities: { type: string; identifier: string }[];
        }[];
      } => ({ players: [] }),
    ),
    get: t.procedure.input(input<{ accountId: number }>()).query(
      (): {
        account: {
          accountId: number;
          nickname: string | null;
          avatarUrl: string | null;
          state: State;
          createdAt: string;
          lastLoginAt: string | null;
          lastLoginIp: string | null;
          online: boolean;
        };
        identities: { type: string; identifier: string; platform: string; appid: string }[];
        profile: { level: number; experience: number; gender: number; unreadMessages: number; onlineSeconds: number };
        sessions: {
          sessionId: string;
          appid: string;
          createdAt: string;
          lastUsedAt: string | null;
          expiresAt: string;
          ip: string | null;
          userAgent: string | null;
          revokedAt: string | null;
          revokedReason: string | null;
          live: boolean;
        }[];
        wallet: { currencies: Amounts; items: Amounts };
        ledger: { id: number; at: string; source: string; sourceRef: string | null; reason: string | null; currencies: Changes; items: Changes }[];
        orders: {
          outTradeNo: string;
          appid: string;
          productId: string;
          quantity: number;
          totalPrice: number;
          status: 'created' | 'delivered' | 'refunded';
          createdAt: string;
          deliveredAt: string | null;
          refundedAt: string | null;
          pushes: { pushId: number; event: string; receivedAt: string; outcome: string | null }[];
        }[];
        saves: { collection: string; key: string; value: unknown; version: string; updatedAt: string }[];
        mail: {
          id: number;
          title: string;
          body: string;
          attachments: { currencies?: Amounts; items?: Amounts } | null;
          broadcast: boolean;
          sentAt: string;
          expiresAt: string | null;
          readAt: string | null;
          claimedAt: string | null;
          deletedAt: string | null;
        }[];
        leaderboards: { appid: string; board: string; period: string; score: number; rank: number | null; reachedAt: string }[];
        audit: { action: string; reason: string | null; by: string | null; at: string }[];
      } => undefined as never,
    ),
  }),
  actions: t.router({
    ban: action<{ accountId: number }>(),
    unban: action<{ accountId: number }>(),
    revokeSessions: action<{ accountId: number; sessionId?: string }>(),
    deleteAccount: action<{ accountId: number }>(),
    refundOrder: action<{ outTradeNo: string }>(),
    retryOrder: action<{ outTradeNo: string }>(),
    grant: action<{ accountId: number; currencies?: Amounts; items?: Amounts }>(),
    removeScore: action<{ accountId: number; appid: string; board: string; period?: string }>(),
    sendMail: action<{
      to?: number;
      game?: string;
      newPlayers?: boolean;
      title: string;
      body: string;
      currencies?: Amounts;
      items?: Amounts;
      expiresInDays?: number;
    }>(),
  }),
  dashboards: t.router({
    online: answer<{ online: { platform: string; players: number }[]; total: number }>(),
    logins: t.procedure
      .input(input<{ hours?: number } | undefined>())
      .query((): { minutes: string[]; series: { platform: string; counts: number[] }[] } => undefined as never),
    revenue: t.procedure
      .input(input<{ days?: number } | undefined>())
      .query((): { days: string[]; totals: number[]; ordersWaiting: number } => undefined as never),
    errors: answer<{ reasons: { reason: string; count: number }[]; total: number; since: string }>(),
  }),
});

export type ConsoleRouter = typeof router;
