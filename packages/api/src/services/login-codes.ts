import type { LoginCodeSession } from '@minigate/db';
import { PlatformErrcodeError, PlatformTimeoutError, PlatformUnavailableError } from '@minigate/platforms';
import { CodeUsedError, WeChatBusyError, WeChatCircuitOpenError, WeChatTimeoutError, WeChatUnavailableError } from '@minigate/wechat';
import { MinigateError } from '../errors.js';
import { loginErrorFromWeChat } from './wechat-login-errors.js';

// What the login service knows of a wx.login code beside WeChat's answer: whether a failure may have spent it,
// the session it opened (a repeat is judged by it), and a first submission a concurrent one waits for.

/** A code whose jscode2session failed this way may have been consumed: it is never sent again. */
export function failureOf(error: unknown): 'busy' | 'timeout' | 'unavailable' | null {
  if (error instanceof WeChatBusyError) return 'busy';
  if (error instanceof WeChatTimeoutError) return 'timeout';
  // The breaker refused before anything was sent: the code is unspent, but the client gets a new one anyway.
  if (error instanceof WeChatCircuitOpenError) return null;
  if (error instanceof WeChatUnavailableError) return 'unavailable';
  // Douyin's and QQ's: busy (-1), no answer in time, or no usable answer.
  if (error instanceof PlatformErrcodeError) return error.errcode === -1 ? 'busy' : null;
  if (error instanceof PlatformTimeoutError) return 'timeout';
  if (error instanceof PlatformUnavailableError) return 'unavailable';
  return null;
}

export const retryWithNewCode = () =>
  new MinigateError({
    code: 'SERVICE_UNAVAILABLE',
    reason: 'CODE_RETRY_WITH_NEW_CODE',
    message: 'This login code met a failure at its platform and is not sent again: log in again (wx.login, tt.login or qq.login) with a new code',
    retryAfterSeconds: 1,
  });

/** A code exchanged before, not retried: the same answer as WeChat's own 40163. */
export const codeUsed = () => loginErrorFromWeChat(new CodeUsedError('the login code was exchanged already'));

/** While another instance may still be opening its session for a code WeChat calls used: how long to look for it. */
export const USED_CODE_WAIT_MS = [100, 250, 500, 1000];

/** The session a code opened: a repeat of the code is judged by it. */
export interface OpenedByCode {
  sessionId: number;
  accountId: number;
  /** The IP the session was opened from (or refreshed from since). */
  ip: string;
  /** Epoch ms of the first answer. */
  openedAt: number;
  /** Not revoked, not expired, its account live and enabled. */
  live: boolean;
  nickName: string;
  avatar: string;
  /** What the first answer said: the account was made by that login. */
  isNew: boolean;
  /** The guest's account an upgrade left apart, when this process knows it (a repeat answered from the database does not say). */
  guestAccountId?: number;
}

export function openedFrom(row: LoginCodeSession, at: number): OpenedByCode {
  return {
    sessionId: row.sessionId,
    accountId: row.accountId,
    ip: row.ip,
    openedAt: row.createTime.getTime(),
    live: row.revokedAt === null && row.expiresAt.getTime() > at && row.dataFlag === 1 && row.accountIsDel === 0,
    nickName: row.nickName,
    avatar: row.avatar,
    // A first login writes the account and its session with one time.
    isNew: row.accountCreateTime.getTime() === row.createTime.getTime(),
  };
}

/** A first submission of a code being served in this process: a concurrent one waits for the session it opens. */
export interface FirstSubmission {
  opened: Promise<OpenedByCode>;
  settle(opened: OpenedByCode): void;
  fail(error: unknown): void;
}

export function firstSubmission(): FirstSubmission {
  let settle!: (opened: OpenedByCode) => void;
  let fail!: (error: unknown) => void;
  const opened = new Promise<OpenedByCode>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // Nobody may be waiting: the submission itself answers its failure.
  opened.catch(() => undefined);
  return { opened, settle, fail };
}
