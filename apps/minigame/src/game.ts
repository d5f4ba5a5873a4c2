import { createClient, networkErrorOf, paymentErrorOf, type MinigateClient } from '@minigate/client';
import { COLORS, createScreen, type Rect } from './screen.js';

/** The part of a mini-game canvas the game draws on (wx.createCanvas(), or a stub in tests). */
export interface GameCanvas {
  width: number;
  height: number;
  getContext(contextType: '2d'): unknown;
}

export interface GameState {
  /** logging-in → ready; offline when a login or a call could not reach the server (the next tap tries again). */
  phase: 'logging-in' | 'ready' | 'offline';
  /** The status line at the bottom of the screen. */
  status: string;
  accountId: number | null;
  nickName: string;
  level: number | null;
  onlineSeconds: number | null;
  /** Taps on the big circle since the start. */
  score: number;
  /** The score the friend ranking last accepted. */
  submittedScore: number | null;
  /** The player's gems (wallet.get) after a purchase; null before one. */
  gems: number | null;
  /** Whether a purchase is under way (its button is off meanwhile). */
  buying: boolean;
}

/** The product the buy button sells: the server's products for this game list it (60 gems; see docs/client.md). */
export const SAMPLE_PRODUCT = 'gem60';

export interface StartGameOptions {
  /**
   * The runtime: WeChat's wx, Douyin's tt or QQ's qq (they offer what the game
   * calls with wx's shapes: the canvas, touches, login, request, storage).
   */
  wx: WechatMinigame.Wx;
  canvas: GameCanvas;
  /** The tRPC endpoint, e.g. http://127.0.0.1:3000/trpc (set at build time). */
  serverUrl: string;
}

export interface MinigameGame {
  readonly state: Readonly<GameState>;
  readonly client: MinigateClient;
  /** Calls `listener` after every change of state (the preview mirrors the status line into the page). */
  onChange(listener: (state: Readonly<GameState>) => void): void;
  /** A touch at (x, y) in screen points, as wx.onTouchStart reports it. Resolves when what it started is done. */
  tap(x: number, y: number): Promise<void>;
  /** Resolves once the start (login and account.me) and every call a tap started are done, whichever way they went. */
  idle(): Promise<void>;
}

/** A server error's stable reason (error.data.reason), if it is one. */
const reasonOf = (error: unknown) => (error as { data?: { reason?: string } } | null)?.data?.reason;

/** What a failed call means for the player, in one line. */
export function describeFailure(error: unknown): string {
  const payment = paymentErrorOf(error);
  if (payment) {
    if (payment.kind === 'ORDER_FAILED') return describeFailure(payment.cause);
    const text: Record<Exclude<typeof payment.kind, 'ORDER_FAILED'>, string> = {
      UNSUPPORTED: 'Buying needs WeChat (wx.requestMidasPaymentGameItem)',
      CANCELLED: 'Purchase cancelled: nothing was charged',
      PAYMENT_FAILED: `The payment failed: ${payment.errMsg ?? ''} (errCode ${payment.errCode ?? '?'})`,
      DELIVERY_TIMEOUT: `Paid; the delivery is late: order ${payment.outTradeNo ?? ''} will arrive`,
      REFUNDED: `Order ${payment.outTradeNo ?? ''} was refunded`,
    };
    return text[payment.kind];
  }
  const network = networkErrorOf(error);
  if (network) {
    const text: Record<typeof network.kind, string> = {
      TIMEOUT: 'The server did not answer in time',
      ABORTED: 'The call was cancelled',
      INTERRUPTED: 'Interrupted: the game went to the background',
      UNREACHABLE: 'Cannot reach the server',
      BAD_RESPONSE: `The server sent an error page (HTTP ${network.status})`,
    };
    return `${text[network.kind]} (${network.kind}): tap to retry`;
  }
  const reason = reasonOf(error);
  if (reason) return `Refused: ${reason}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The sample game: a start screen drawn on `canvas`, a silent login
 * (wx.login, tt.login or qq.login → auth.login), the player's nickname and
 * level, a heartbeat button, a big circle to tap for a score, a
 * friend-ranking submit and, on WeChat, a wx.createUserInfoButton that
 * syncs the WeChat profile and a button that buys 60 gems (WeChat's virtual payment). Everything goes through the runtime `wx`, so the
 * same logic runs in WeChat, Douyin and QQ, in the browser preview and in
 * the mini-game sandbox.
 */
export function startGame({ wx, canvas, serverUrl }: StartGameOptions): MinigameGame {
  const client = createClient({ url: serverUrl, runtime: wx });
  // The profile button syncs a WeChat profile (account.syncWeChatUserInfo): WeChat's only.
  const onWeChat = client.runtime === 'wx';
  const state: GameState = {
    phase: 'logging-in',
    status: 'Logging in…',
    accountId: null,
    nickName: '',
    level: null,
    onlineSeconds: null,
    score: 0,
    submittedScore: null,
    gems: null,
    buying: false,
  };
  const listeners: Array<(state: Readonly<GameState>) => void> = [];

  const {
    unit,
    circle,
    buyButton,
    heartbeatButton,
    scoreButton,
    profileButton,
    draw: drawState,
  } = createScreen(wx, canvas, onWeChat ? null : 'Profile sync: WeChat only', onWeChat);
  const draw = () => drawState(state);

  function update(changes: Partial<GameState>): void {
    Object.assign(state, changes);
    draw();
    for (const listener of listeners) listener(state);
  }

  const failed = (error: unknown) => update({ phase: networkErrorOf(error) ? 'offline' : state.phase, status: describeFailure(error) });

  async function refreshAccount(status: string): Promise<void> {
    const me = await client.api.account.me.query();
    update({
      phase: 'ready',
      status,
      accountId: me.id,
      nickName: me.nickName,
      level: me.profile.level,
      onlineSeconds: me.profile.onlineSeconds,
    });
  }

  async function start(): Promise<void> {
    try {
      const { account } = await client.login();
      await refreshAccount(account.isNew ? `Welcome! New account #${account.id}` : `Welcome back, account #${account.id}`);
    } catch (error) {
      failed(error);
    }
  }

  async function heartbeat(): Promise<void> {
    try {
      // With no session (the start failed), the client logs in first by itself.
      const { onlineSeconds } = await client.api.account.heartbeat.mutate();
      if (state.phase !== 'ready') await refreshAccount('Signed in');
      update({ onlineSeconds, status: `Heartbeat: ${onlineSeconds} s online` });
    } catch (error) {
      failed(error);
    }
  }

  async function submitScore(): Promise<void> {
    const score = state.score;
    try {
      await client.api.ranking.submitScore.mutate({ key: 'score', score });
      update({ submittedScore: score, status: `Score ${score} is on your friends' ranking` });
    } catch (error) {
      // An older server, without the WeChat procedures.
      if (reasonOf(error) === 'PROCEDURE_NOT_FOUND') update({ status: 'This server has no friend ranking yet (ranking.submitScore)' });
      else failed(error);
    }
  }

  /** Buys the sample product: the order, WeChat's payment sheet, then the server's delivery (never granted here). */
  async function buy(): Promise<void> {
    update({ buying: true, status: 'Buying 60 gems…' });
    try {
      const order = await client.payments.buyItem({ productId: SAMPLE_PRODUCT, quantity: 1 });
      const { currencies } = await client.api.wallet.get.query();
      update({ buying: false, gems: currencies.gem ?? 0, status: `Order ${order.outTradeNo} delivered: +60 gems` });
    } catch (error) {
      update({ buying: false });
      failed(error);
    }
  }

  /**
   * The WeChat profile the player agreed to share: account.syncWeChatUserInfo
   * (the server decrypts and checks it with the player's session_key), or,
   * on an older server without that procedure (PROCEDURE_NOT_FOUND),
   * account.updateProfile with the nickname and avatar the button gave.
   */
  async function syncProfile(result: WechatMinigame.OnTapListenerResult): Promise<void> {
    if (!result || !result.userInfo) {
      update({ status: 'The WeChat profile was not shared' });
      return;
    }
    try {
      const { encryptedData, iv, rawData, signature } = result;
      try {
        await client.api.account.syncWeChatUserInfo.mutate({ encryptedData, iv, rawData, signature });
      } catch (error) {
        if (reasonOf(error) !== 'PROCEDURE_NOT_FOUND') throw error;
        const { nickName, avatarUrl } = result.userInfo;
        await client.api.account.updateProfile.mutate({ nickName, ...(/^https:\/\//.test(avatarUrl) ? { avatarUrl } : {}) });
      }
      await refreshAccount(`Profile synced: ${result.userInfo.nickName}`);
    } catch (error) {
      // The data was encrypted with a session_key the server no longer holds; the client
      // has logged in again by itself, so the next tap brings data the server can read.
      if (reasonOf(error) === 'SESSION_KEY_STALE') update({ status: 'WeChat renewed the session: tap "Sync WeChat profile" again' });
      else failed(error);
    }
  }

  const pending: Array<Promise<void>> = [];
  const track = (work: Promise<void>) => {
    pending.push(work);
    void work.then(() => pending.splice(pending.indexOf(work), 1));
    return work;
  };
  const userInfoButton =
    onWeChat &&
    wx.createUserInfoButton({
      type: 'text',
      text: 'Sync WeChat profile',
      withCredentials: true,
      style: {
        left: profileButton.x,
        top: profileButton.y,
        width: profileButton.width,
        height: profileButton.height,
        lineHeight: profileButton.height,
        backgroundColor: COLORS.card,
        color: COLORS.accent,
        borderColor: COLORS.accent,
        borderWidth: 2,
        textAlign: 'center',
        fontSize: Math.round(17 * unit),
        borderRadius: 0,
      },
    });
  if (userInfoButton) userInfoButton.onTap((result) => void track(syncProfile(result)));

  const inside = (rect: Rect, x: number, y: number) => x >= rect.x && x <= rect.x + rect.width && y >= rect.y && y <= rect.y + rect.height;
  function tap(x: number, y: number): Promise<void> {
    if (Math.hypot(x - circle.x, y - circle.y) <= circle.radius) {
      update({ score: state.score + 1 });
      return Promise.resolve();
    }
    if (inside(heartbeatButton, x, y)) return track(heartbeat());
    if (inside(buyButton, x, y) && onWeChat && state.phase === 'ready' && !state.buying) return track(buy());
    if (inside(scoreButton, x, y) && state.phase === 'ready') return track(submitScore());
    if (state.phase === 'offline') return track(heartbeat());
    return Promise.resolve();
  }
  wx.onTouchStart((event) => {
    const touch = event.changedTouches[0] ?? event.touches[0];
    if (touch) void tap(touch.clientX, touch.clientY);
  });

  draw();
  void track(start());
  return {
    state,
    client,
    async idle() {
      while (pending.length > 0) await Promise.all(pending);
    },
    onChange: (listener) => void listeners.push(listener),
    tap,
  };
}
