import type { IdentityView, Platform } from '../apps/platform-identities.js';
import type { StorageExportView } from '../storage/views.js';

/** The game a session signed in to. */
export interface SessionApp {
  appid: string;
  platform: Platform;
}

/** What `account.me` and `account.updateProfile` answer: the account, and the game this session is in. */
export type MeView = AccountView & { app: SessionApp };

/** What a login and a refresh answer. */
export interface LoginAnswer {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Seconds: prefer it to expiresAt, since devices' clocks drift. */
  expiresIn: number;
  /** Opaque; trade it at auth.refresh for a new pair. Single use: each refresh answers a new one. */
  refreshToken: string;
  account: AccountSummary;
  /**
   * Douyin, a code and an anonymous code together (an upgrade) whose openid
   * had an account already: the guest's account, which stays apart. Absent otherwise.
   */
  guestAccountId?: number;
}

export interface AccountSummary {
  id: number;
  nickName: string;
  avatarUrl: string;
  /** True when this login created the account. */
  isNew: boolean;
}

/** What `account.me` (and `account.updateProfile`) answers: the player's account and profile, never a credential. */
export interface AccountView {
  id: number;
  nickName: string;
  avatarUrl: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Whether a phone number is bound to the account. */
  phoneBound: boolean;
  /** The ways in this account has: each game's openid, each platform's unionid, Douyin guests, a phone; never an openid or a key. */
  identities: IdentityView[];
  profile: {
    /** WeChat's convention: 0 unknown, 1 male, 2 female. */
    gender: number;
    level: number;
    experience: number;
    /** Epoch milliseconds of this login, or null. */
    lastLoginAt: number | null;
    /** `YYYY-MM-DD`, or null. */
    birthday: string | null;
    /** Seconds online, counted from heartbeats. */
    onlineSeconds: number;
    unreadMessages: number;
    /** From WeChat's user info (account.syncWeChatUserInfo); '' until synced. */
    country: string;
    province: string;
    city: string;
    /** WeChat's language code, e.g. zh_CN. */
    language: string;
  };
}

export interface HeartbeatAnswer {
  /** Seconds online in all, this heartbeat included. */
  onlineSeconds: number;
  /** Send the next heartbeat within this many seconds, or the gap will not count as online. */
  timeoutSeconds: number;
}

/** A session as the player sees it in account.export. */
export interface SessionView {
  id: number;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
  ip: string;
  userAgent: string;
  revokedAt: number | null;
  revokedReason: string | null;
}

/** `account.export`: every piece of personal data minigate holds on the player. */
export interface AccountExportView {
  exportedAt: number;
  account: {
    id: number;
    accountType: number;
    nickName: string;
    avatarUrl: string;
    disabled: boolean;
    createdAt: number;
    mailBound: boolean;
    phoneBound: boolean;
  };
  profile: {
    realName: string | null;
    nickName: string;
    phone: string | null;
    email: string | null;
    gender: number;
    birthday: string | null;
    experience: number;
    level: number;
    registerIp: string | null;
    lastLoginAt: number | null;
    lastLoginIp: string | null;
    online: boolean;
    onlineSeconds: number;
    unreadMessages: number;
    lastHeartbeatAt: number | null;
    createdAt: number;
    country: string | null;
    province: string | null;
    city: string | null;
    language: string | null;
    /** When WeChat's user info was last stored, or null. */
    wechatSyncedAt: number | null;
  } | null;
  /** The ways this account signs in (a WeChat openid per mini-game, a unionid, ...). */
  identities: Array<{ type: string; identifier: string; createdAt: number; credentialUpdatedAt: number | null }>;
  sessions: SessionView[];
  /** What operators did to the account (bans, revocations), and why. */
  history: Array<{ action: string; reason: string; by: string; at: number }>;
  /** The player's cloud saves (storage.*), by collection and key, values as saved. */
  saves: StorageExportView[];
  /** The player's mail: their own messages and their state of broadcasts (times in epoch milliseconds). */
  mail: Array<{
    id: number;
    broadcast: boolean;
    title: string;
    body: string;
    attachments: unknown;
    sentAt: number;
    expiresAt: number;
    readAt: number | null;
    claimedAt: number | null;
    deletedAt: number | null;
  }>;
  /** WeChat subscribe-message sends the player allowed, per game and template. */
  subscribeCredits: Array<{ appid: string; templateId: string; credits: number }>;
  /** The player's leaderboard entries, every game, board and period (the nickname and avatar as each was submitted). */
  leaderboardEntries: Array<{
    appid: string;
    board: string;
    period: string;
    score: number;
    reachedAt: number;
    nickname: string | null;
    avatarUrl: string | null;
    metadata: unknown;
  }>;
}

/** What `account.bindPhone` answers. */
export interface PhoneBindAnswer {
  /** The number bound, with its country code: +8613800138000. */
  phone: string;
  phoneBound: true;
}

/** What `ranking.submitScore` answers. */
export interface ScoreAnswer {
  key: string;
  score: number;
  /** Epoch seconds written as the value's update_time. */
  updatedAt: number;
}
