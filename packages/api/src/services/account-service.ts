import {
  deleteAccountWithData,
  exportAccount,
  findAccountWithProfile,
  recordHeartbeat,
  sweepOffline,
  updateProfile,
  type Database,
  type Kysely,
  type ProfileChanges,
  type RemovedLeaderboardEntry,
  type SessionSummary,
} from '@minigate/db';
import type { AccountViewCache } from '../account-view-cache.js';
import { identityOf, type IdentityView } from '../apps/platform-identities.js';
import type { AuthenticatedUser } from '../context.js';
import { MinigateError } from '../errors.js';
import type { RevocationCache } from '../revocation-cache.js';
import type { ContentGuard } from './content-guard.js';
import type { ServiceLogger } from './service-logger.js';
import type { AccountExportView, AccountView, HeartbeatAnswer, SessionView } from './views.js';
import type { JsonValue } from '../storage/views.js';

export interface AccountService {
  /** The signed-in player's own account and profile. */
  me(accountId: number): Promise<AccountView>;
  /** Another service of this instance changed the account: the next `me` reads it afresh. */
  changed(accountId: number): void;
  /** Changes the fields given (already validated by the router); answers the account as `me` does. */
  updateProfile(accountId: number, changes: ProfileChanges, log: ServiceLogger): Promise<AccountView>;
  /** The player is online; the time since the last heartbeat counts when it is short enough. */
  heartbeat(accountId: number): Promise<HeartbeatAnswer>;
  /** Deletes the account (PIPL): blanked, identities released, every session ended. */
  delete(user: AuthenticatedUser): Promise<{ deleted: true }>;
  /** The deletion itself, by the player or (`by`) an operator: false when the account was already gone. */
  deleteAccount(accountId: number, by?: { reason: string; actor: string }): Promise<boolean>;
  /** Every piece of personal data held on the player. */
  export(accountId: number): Promise<AccountExportView>;
  /** Marks offline the players whose heartbeats stopped; returns how many. */
  sweepOffline(): Promise<number>;
}

export interface AccountServiceDeps {
  db: Kysely<Database>;
  revocations: RevocationCache;
  /** HEARTBEAT_TIMEOUT: a longer gap between heartbeats is not online time, and a player silent this long is offline. */
  heartbeatTimeoutSeconds: number;
  /** Checks a new nickname with WeChat's msg_sec_check before it is stored; none: stored unchecked. */
  contentGuard?: ContentGuard;
  /** Views `me` answered, kept in memory; none: every `me` reads the database. */
  views?: AccountViewCache;
  /** After a deletion took the player's leaderboard entries off: their boards' sorted sets drop them too. */
  onLeaderboardEntriesRemoved?: (entries: readonly RemovedLeaderboardEntry[]) => Promise<void>;
  now?: () => number;
}

const accountGone = () =>
  new MinigateError({ code: 'UNAUTHORIZED', reason: 'ACCOUNT_NOT_FOUND', message: 'This account no longer exists: sign in again' });

/** The account's identities as the player may see them (kind, platform, game), from their auth types. */
function identitiesOf(authTypes: string | null): IdentityView[] {
  const views: IdentityView[] = [];
  for (const authType of authTypes ? authTypes.split(' ') : []) {
    const identity = identityOf(authType);
    if (identity) views.push(identity);
  }
  return views;
}

const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : null);
const millis = (date: Date | null) => (date ? date.getTime() : null);

function sessionView(session: SessionSummary): SessionView {
  return {
    id: session.sessionId,
    createdAt: session.createTime.getTime(),
    lastUsedAt: session.lastUsedAt.getTime(),
    expiresAt: session.expiresAt.getTime(),
    ip: session.ip,
    userAgent: session.userAgent,
    revokedAt: millis(session.revokedAt),
    revokedReason: session.revokedReason,
  };
}

export function createAccountService(deps: AccountServiceDeps): AccountService {
  const now = deps.now ?? Date.now;

  const changed = (accountId: number) => deps.views?.changed(accountId);

  async function deleteAccount(accountId: number, by?: { reason: string; actor: string }): Promise<boolean> {
    const { deleted, leaderboardEntries } = await deleteAccountWithData(deps.db, accountId, by);
    changed(accountId);
    if (!deleted) return false;
    await deps.onLeaderboardEntriesRemoved?.(leaderboardEntries);
    deps.revocations.accountBlocked(accountId, 'deleted');
    return true;
  }

  async function me(accountId: number): Promise<AccountView> {
    const held = deps.views?.get(accountId);
    if (held) return held;
    const ticket = deps.views?.reading(accountId);
    const found = await findAccountWithProfile(deps.db, accountId, new Date(now()));
    if (!found) throw accountGone();
    if (found.dataFlag !== 1) {
      throw new MinigateError({ code: 'FORBIDDEN', reason: 'ACCOUNT_DISABLED', message: 'This account is disabled' });
    }
    const view: AccountView = {
      id: found.accountId,
      nickName: found.nickName,
      avatarUrl: found.avatar,
      createdAt: found.createTime.getTime(),
      phoneBound: found.phoneBind === 1,
      identities: identitiesOf(found.authTypes),
      profile: {
        gender: found.gender,
        level: found.level,
        experience: Number(found.experience),
        lastLoginAt: millis(found.loginTime),
        birthday: day(found.birthday),
        onlineSeconds: Number(found.onlineSeconds),
        unreadMessages: found.unreadMsgNums,
        country: found.country ?? '',
        province: found.province ?? '',
        city: found.city ?? '',
        language: found.language ?? '',
      },
    };
    // The unread count holds until its earliest message expires.
    if (ticket !== undefined) deps.views?.keep(accountId, ticket, view, found.unreadUntil?.getTime() ?? null);
    return view;
  }

  return {
    me,
    changed,

    async updateProfile(accountId, changes, log) {
      // A risky nickname is refused before anything is stored; one WeChat could not judge is stored and rechecked.
      const verdict =
        changes.nickName !== undefined && deps.contentGuard
          ? await deps.contentGuard.checkNickname(accountId, changes.nickName, 'nickName', log)
          : null;
      const updated = await updateProfile(deps.db, accountId, changes);
      changed(accountId);
      if (!updated) throw accountGone();
      if (verdict === 'deferred' && changes.nickName !== undefined) await deps.contentGuard?.deferred(accountId, changes.nickName);
      return me(accountId);
    },

    async heartbeat(accountId) {
      const onlineSeconds = await recordHeartbeat(deps.db, accountId, new Date(now()), deps.heartbeatTimeoutSeconds);
      changed(accountId);
      if (onlineSeconds === undefined) throw accountGone();
      return { onlineSeconds, timeoutSeconds: deps.heartbeatTimeoutSeconds };
    },

    async delete(user) {
      if (!(await deleteAccount(user.accountId))) throw accountGone();
      return { deleted: true };
    },

    deleteAccount,

    async export(accountId) {
      const data = await exportAccount(deps.db, accountId);
      if (!data) throw accountGone();
      const { account, profile } = data;
      return {
        exportedAt: now(),
        account: {
          id: account.accountId,
          accountType: account.accountTypeId,
          nickName: account.nickName,
          avatarUrl: account.avatar,
          disabled: account.dataFlag !== 1,
          createdAt: account.createTime.getTime(),
          mailBound: account.mailBind === 1,
          phoneBound: account.phoneBind === 1,
        },
        profile: profile && {
          realName: profile.realName,
          nickName: profile.nickName,
          phone: profile.phone,
          email: profile.email,
          gender: profile.gender,
          birthday: day(profile.birthday),
          experience: profile.experience,
          level: profile.level,
          registerIp: profile.registerIp,
          lastLoginAt: millis(profile.loginTime),
          lastLoginIp: profile.loginIp,
          online: profile.onlineStatus === 1,
          onlineSeconds: profile.onlineSeconds,
          unreadMessages: profile.unreadMsgNums,
          lastHeartbeatAt: millis(profile.heartbeatTime),
          createdAt: profile.createTime.getTime(),
          country: profile.country,
          province: profile.province,
          city: profile.city,
          language: profile.language,
          wechatSyncedAt: millis(profile.wechatSyncedAt),
        },
        identities: data.identities.map((identity) => ({
          type: identity.authType,
          identifier: identity.identifier,
          createdAt: identity.createTime.getTime(),
          credentialUpdatedAt: millis(identity.timeStamp),
        })),
        sessions: data.sessions.map(sessionView),
        history: data.audit.map((entry) => ({ action: entry.action, reason: entry.reason, by: entry.actor, at: entry.createTime.getTime() })),
        saves: data.saves.map((save) => ({
          collection: save.collection,
          key: save.key,
          value: JSON.parse(save.value) as JsonValue,
          version: save.version,
          sizeBytes: save.sizeBytes,
          createdAt: save.createTime.getTime(),
          updatedAt: save.updateTime.getTime(),
        })),
        mail: data.mail.map((mail) => ({
          id: mail.mailId,
          broadcast: mail.broadcast,
          title: mail.title,
          body: mail.body,
          attachments: mail.attachments === null ? null : (JSON.parse(mail.attachments) as unknown),
          sentAt: mail.createTime.getTime(),
          expiresAt: mail.expireTime.getTime(),
          readAt: millis(mail.readAt),
          claimedAt: millis(mail.claimedAt),
          deletedAt: millis(mail.deletedAt),
        })),
        subscribeCredits: data.subscribeCredits,
        leaderboardEntries: data.leaderboardEntries.map((entry) => ({
          appid: entry.appid,
          board: entry.board,
          period: entry.period,
          score: entry.score,
          reachedAt: entry.reachedAt.getTime(),
          nickname: entry.nickname,
          avatarUrl: entry.avatarUrl,
          metadata: entry.metadata === null ? null : (JSON.parse(entry.metadata) as JsonValue),
        })),
      };
    },

    async sweepOffline() {
      return sweepOffline(deps.db, new Date(now() - deps.heartbeatTimeoutSeconds * 1000));
    },
  };
}
