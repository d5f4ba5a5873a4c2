import {
  exportAccount,
  findAccountForOperator,
  findPlayers,
  listOrderPushes,
  listPayOrders,
  readWallet,
  readWalletHistory,
  countLeaderboardBefore,
  type Database,
  type Kysely,
} from '@minigate/db';
import { MinigateError } from '../errors.js';

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);
const stateOf = (account: { isDel: number; dataFlag: number }) => (account.isDel ? 'deleted' : account.dataFlag === 1 ? 'active' : 'banned');

/** What the console reads of players: found by id, openid, unionid or nickname, and the whole page of one. */
export function createConsolePlayers(deps: { db: Kysely<Database> }) {
  const { db } = deps;
  return {
    async find(query: string) {
      const players = await findPlayers(db, query);
      return {
        players: players.map((player) => ({
          accountId: player.accountId,
          nickname: player.nickName,
          avatarUrl: player.avatar,
          state: stateOf(player),
          createdAt: player.createTime.toISOString(),
          identities: player.identities.map((identity) => ({ type: identity.authType, identifier: identity.identifier })),
        })),
      };
    },

    async get(accountId: number) {
      const lookup = await findAccountForOperator(db, String(accountId));
      if (!lookup || lookup.accountId !== accountId) {
        throw new MinigateError({ code: 'NOT_FOUND', reason: 'ACCOUNT_NOT_FOUND', message: `No account ${accountId}` });
      }
      const [data, wallet, history, orders] = await Promise.all([
        exportAccount(db, accountId),
        readWallet(db, accountId),
        readWalletHistory(db, accountId, { beforeChangeId: null, limit: 50 }),
        listPayOrders(db, { accountId, before: null, limit: 20 }),
      ]);
      const pushes = await Promise.all(orders.orders.map((order) => listOrderPushes(db, order.outTradeNo)));
      const entries = (data?.leaderboardEntries ?? []).slice(0, 50);
      const ranks = await Promise.all(entries.map(async (entry) => (await countLeaderboardBefore(db, entry, entry.rankKey)).before + 1));
      return {
        account: {
          accountId,
          nickname: lookup.nickName,
          avatarUrl: data?.account.avatar ?? '',
          state: stateOf(lookup),
          createdAt: lookup.createTime.toISOString(),
          lastLoginAt: iso(lookup.loginTime),
          lastLoginIp: lookup.loginIp,
          online: lookup.onlineStatus === 1,
        },
        identities: lookup.identities.map((identity) => ({ type: identity.authType, identifier: identity.identifier })),
        profile: data?.profile
          ? {
              level: data.profile.level,
              experience: data.profile.experience,
              gender: data.profile.gender,
              unreadMessages: data.profile.unreadMsgNums,
              onlineSeconds: data.profile.onlineSeconds,
            }
          : null,
        sessions: (data?.sessions ?? []).map((session) => ({
          sessionId: session.sessionId,
          createdAt: session.createTime.toISOString(),
          lastUsedAt: session.lastUsedAt.toISOString(),
          expiresAt: session.expiresAt.toISOString(),
          ip: session.ip,
          userAgent: session.userAgent,
          revokedAt: iso(session.revokedAt),
          revokedReason: session.revokedReason,
          live: session.revokedAt === null && session.expiresAt.getTime() > Date.now(),
        })),
        wallet,
        ledger: history.entries.map((change) => ({
          id: change.changeId,
          at: change.at.toISOString(),
          source: change.source,
          sourceRef: change.sourceRef,
          reason: change.reason,
          lines: change.lines.map((line) => ({ kind: line.kind, asset: line.asset, delta: line.delta, balance: line.balanceAfter })),
        })),
        orders: orders.orders.map((order, index) => ({
          outTradeNo: order.outTradeNo,
          appid: order.appid,
          productId: order.productId,
          quantity: order.quantity,
          totalPrice: order.totalPrice,
          status: order.status,
          createdAt: order.createTime.toISOString(),
          deliveredAt: iso(order.deliveredAt),
          refundedAt: iso(order.refundedAt),
          pushes: (pushes[index] ?? []).map((push) => ({
            pushId: Number(push.pushId),
            event: push.event,
            receivedAt: push.receivedAt.toISOString(),
            outcome: push.outcome,
          })),
        })),
        saves: (data?.saves ?? []).map((save) => ({
          collection: save.collection,
          key: save.key,
          value: JSON.parse(save.value) as unknown,
          version: save.version,
          updatedAt: save.updateTime.toISOString(),
        })),
        mail: (data?.mail ?? []).map((mail) => ({
          id: mail.mailId,
          title: mail.title,
          body: mail.body,
          attachments: mail.attachments === null ? null : (JSON.parse(mail.attachments) as unknown),
          broadcast: mail.broadcast,
          sentAt: mail.createTime.toISOString(),
          expiresAt: mail.expireTime.toISOString(),
          readAt: iso(mail.readAt),
          claimedAt: iso(mail.claimedAt),
          deletedAt: iso(mail.deletedAt),
        })),
        leaderboards: entries.map((entry, index) => ({
          appid: entry.appid,
          board: entry.board,
          period: entry.period,
          score: entry.score,
          rank: ranks[index] ?? null,
          reachedAt: entry.reachedAt.toISOString(),
        })),
        audit: (data?.audit ?? []).map((entry) => ({
          action: entry.action,
          reason: entry.reason,
          by: entry.actor,
          at: entry.createTime.toISOString(),
        })),
      };
    },
  };
}

export type ConsolePlayers = ReturnType<typeof createConsolePlayers>;
