// The simulator's virtual payment types: an app's pay settings, item orders, the pushes and their log.

/** An app's virtual payment 2.0 settings (MP → 虚拟支付 2.0 → 基础配置, and the message push settings). */
export interface SimulatedPaySettings {
  offerId: string;
  /** The live env's AppKey (env 0). */
  appKey: string;
  /** The sandbox env's AppKey (env 1). */
  sandboxAppKey: string;
  zoneId: string;
  /** Where the delivery pushes go (the game's message push URL); no pushes without one. */
  pushUrl?: string;
  /** The push Token: signs the handshake and every push. */
  pushToken?: string;
  /** The EncodingAESKey (43 characters): set, pushes go in the safe mode ({ ToUserName, Encrypt }). */
  pushAesKey?: string;
}

/** What wx.requestMidasPaymentGameItem takes. */
export interface SimulatedItemOrder {
  /** The JSON string signed, exactly as the server handed it out. */
  signData: string;
  paySig: string;
  signature: string;
}

/** How wx.requestMidasPaymentGameItem ended: paid (the push is under way), or WeChat's errCode and errMsg. */
export type SimulatedItemOrderResult = { ok: true; outTradeNo: string; env: 0 | 1; errMsg: string } | { ok: false; errCode: number; errMsg: string };

/** One push sent (or tried): a delivery push's attempt, or a hand-made one (sendPush). */
export interface SimulatedPushRecord {
  /** The push's id: every attempt of one push shares it. */
  id: number;
  appid: string;
  event: string;
  /** Payload.OutTradeNo of a delivery push. */
  outTradeNo?: string;
  /** 1 for the first send, 2 for the first resend, ... */
  attempt: number;
  /** The push clock's time when it was sent (ms; see SimulatedPushes.now). */
  at: number;
  mode: 'json' | 'aes';
  /** The query sent (signature, timestamp, nonce; encrypt_type and msg_signature in the safe mode). */
  query: Record<string, string>;
  /** The body sent, as sent. */
  body: string;
  /** The message before encryption (the same as body in JSON mode). */
  message: string;
  /** The HTTP status of the answer, or null when none came (refused, reset, timeout). */
  status: number | null;
  /** The answer's body, as received ('' without one). */
  answer: string;
  /** Whether the answer was HTTP 200 with JSON ErrCode 0: WeChat stops resending. */
  accepted: boolean;
  /** Why there was no answer. */
  error?: string;
}

/** A delivery push still waiting for ErrCode 0. */
export interface SimulatedPendingPush {
  id: number;
  appid: string;
  event: string;
  outTradeNo: string;
  /** Sends so far. */
  attempts: number;
  /** Push-clock time of the next send. */
  dueAt: number;
}

/** The delivery pushes: their clock, what is pending, and the log of every send and answer. */
export interface SimulatedPushes {
  /** Every send so far, oldest first. */
  readonly log: readonly SimulatedPushRecord[];
  /** Delivery pushes not yet answered ErrCode 0 and not given up on. */
  pending(): SimulatedPendingPush[];
  /** The push clock (ms): starts at 0 and moves only by advance (and with pushAutoRetry, never backwards). */
  now(): number;
  /**
   * Moves the push clock on by `ms` and sends every push that falls due meanwhile, in order,
   * each resend scheduled from its due time (WeChat's 15 s, 15 s, 30 s, 3 min, 10 min, 20 min,
   * 30 min, 30 min, 30 min, 60 min, 3 h, 3 h, 3 h, 6 h, 6 h, times pushScheduleScale). Resolves with
   * the sends it made, once each was answered.
   */
  advance(ms: number): Promise<SimulatedPushRecord[]>;
  /** Waits for the sends under way (the first send of a payment, auto retries) to be answered. */
  settle(): Promise<void>;
}

export interface SimulatedSendPushOptions {
  /** MiniGame.IsMock: WeChat's "模拟推送" (the receiver checks it and answers, never delivers). Default false. */
  mock?: boolean;
  /** 'bad' signs PayEventSig with one hex digit off. Default 'good'. */
  sign?: 'good' | 'bad';
  /** The env whose AppKey signs PayEventSig; default Payload.Env, else 0. */
  env?: 0 | 1;
}

/** The GET handshake WeChat makes when the push URL is saved. */
export interface SimulatedPushUrlCheck {
  /** Whether the answer was 200 with exactly echostr. */
  ok: boolean;
  status: number | null;
  body: string;
  echostr: string;
}

/** The pay side of the simulator (SimulatedApp.pay). */
export interface SimulatedPayments {
  /** Sets the player's game coins in an env (all of it bought, none presented). */
  setCoinBalance(appid: string, player: string, env: 0 | 1, amount: number): void;
  /** The player's game coins in an env (bought and presented). */
  coinBalance(appid: string, player: string, env: 0 | 1): number;
  /**
   * What wx.requestMidasPaymentGameItem does on the player's phone: checks signData, paySig (the
   * AppKey of signData.env) and signature (the player's current session key), takes the money, and
   * sends the delivery push; resolves once that first send was answered (or failed).
   */
  payItemOrder(appid: string, player: string, order: SimulatedItemOrder): Promise<SimulatedItemOrderResult>;
  /** Sends one hand-made push of `event` (no resends): a delivery push with a forged signature, a mock. */
  sendPush(appid: string, event: string, payload: string | Record<string, unknown>, options?: SimulatedSendPushOptions): Promise<SimulatedPushRecord>;
  /** The GET handshake against the app's pushUrl: signature, timestamp, nonce, echostr. */
  verifyPushUrl(appid: string): Promise<SimulatedPushUrlCheck>;
  readonly pushes: SimulatedPushes;
}
