import { randomInt } from 'node:crypto';
import { stableId } from '../answers.js';
import type { SimulatorContext } from '../endpoint.js';
import { sortedSha1, wxEncrypt } from './pay-crypto.js';
import type { SimulatedPaySettings, SimulatedPendingPush, SimulatedPushRecord, SimulatedPushUrlCheck, SimulatedPushes } from './pay-types.js';

// Confirmed in WeChat's docs (道具直购, 注意事项): the same delivery (outTradeNo) may come several times and is resent
// until the answer says delivered, every period of 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h; the message
// push's query (signature, timestamp, nonce; encrypt_type and msg_signature in the safe mode) and its GET handshake
// (echostr answered unchanged). Not confirmed: WeChat's timeout for an answer (3 s here, the figure) and
// whether it resends on an answer in time whose ErrCode is not 0 (it does here, as the issue says).

/** WeChat's resend schedule of a delivery push not answered ErrCode 0 (道具直购: 通知周期). */
export const PUSH_RESEND_DELAYS_MS = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10_800, 10_800, 10_800, 21_600, 21_600].map(
  (seconds) => seconds * 1000,
);

/** FromUserName of a delivery push: WeChat documents a fixed official openid without giving it; this stands in. */
export const WECHAT_PUSH_FROM = 'oWeChatOfficialPushSender00';

export interface PushSenderOptions {
  scale: number;
  autoRetry: boolean;
  timeoutMs: number;
}

interface Pending extends SimulatedPendingPush {
  message: (sentAt: number) => string;
  sending: boolean;
  onAccepted: () => void;
}

/** The push's app settings, or an Error saying why there are none. */
function pushTarget(context: SimulatorContext, appid: string): SimulatedPaySettings & { pushUrl: string } {
  const settings = context.apps.get(appid)?.pay;
  if (!settings?.pushUrl) throw new Error(`app ${appid} has no pay.pushUrl to push to`);
  return settings as SimulatedPaySettings & { pushUrl: string };
}

/** The game's original id (ToUserName), stable per appid. */
export const originalIdOf = (appid: string) => `gh_${stableId('', appid).slice(0, 12)}`;

/** The push message of `event` (JSON, before any encryption): MiniGame carries Payload, PayEventSig and IsMock. */
export function pushMessage(context: SimulatorContext, appid: string, event: string, miniGame: Record<string, unknown>): string {
  return JSON.stringify({
    ToUserName: originalIdOf(appid),
    FromUserName: WECHAT_PUSH_FROM,
    CreateTime: Math.floor(context.now() / 1000),
    MsgType: 'event',
    Event: event,
    MiniGame: miniGame,
  });
}

/**
 * Sends pushes to each app's pushUrl as WeChat's message push does: JSON with signature, timestamp
 * and nonce in the query, or the safe mode (pushAesKey set) with { ToUserName, Encrypt } and
 * encrypt_type=aes and msg_signature too. A delivery push is resent until answered HTTP 200 with
 * JSON ErrCode 0, on WeChat's schedule compressed by `scale`, driven by a clock the tests move.
 */
export function createPushSender(context: SimulatorContext, options: PushSenderOptions) {
  const log: SimulatedPushRecord[] = [];
  const pending = new Map<number, Pending>();
  const inFlight = new Set<Promise<unknown>>();
  let clock = 0;
  let nextId = 1;

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  };

  async function post(url: string, query: Record<string, string>, body: string) {
    try {
      const response = await fetch(`${url}${url.includes('?') ? '&' : '?'}${new URLSearchParams(query).toString()}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      return { status: response.status, answer: await response.text() };
    } catch (error) {
      return { status: null, answer: '', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  }

  /** One send of `message` to the app's pushUrl, logged. */
  async function send(appid: string, id: number, attempt: number, event: string, message: string, outTradeNo?: string): Promise<SimulatedPushRecord> {
    const target = pushTarget(context, appid);
    const token = target.pushToken ?? '';
    const timestamp = String(Math.floor(context.now() / 1000));
    const nonce = String(randomInt(1, 2 ** 31));
    const query: Record<string, string> = { signature: sortedSha1(token, timestamp, nonce), timestamp, nonce };
    let body = message;
    if (target.pushAesKey) {
      const encrypt = wxEncrypt(target.pushAesKey, message, appid);
      body = JSON.stringify({ ToUserName: originalIdOf(appid), Encrypt: encrypt });
      Object.assign(query, { encrypt_type: 'aes', msg_signature: sortedSha1(token, timestamp, nonce, encrypt) });
    }
    const at = clock;
    const { status, answer, error } = await post(target.pushUrl, query, body);
    let accepted = false;
    try {
      accepted = status === 200 && (JSON.parse(answer) as { ErrCode?: unknown }).ErrCode === 0;
    } catch {
      accepted = false;
    }
    const record: SimulatedPushRecord = {
      id,
      appid,
      event,
      ...(outTradeNo === undefined ? {} : { outTradeNo }),
      attempt,
      at,
      mode: target.pushAesKey ? 'aes' : 'json',
      query,
      body,
      message,
      status,
      answer,
      accepted,
      ...(error === undefined ? {} : { error }),
    };
    log.push(record);
    return record;
  }

  /** Sends a pending push once; schedules the next send, or forgets it (answered, or the schedule is over). */
  async function attempt(push: Pending): Promise<SimulatedPushRecord> {
    push.sending = true;
    push.attempts += 1;
    const record = await send(push.appid, push.id, push.attempts, push.event, push.message(push.attempts), push.outTradeNo);
    push.sending = false;
    const delay = PUSH_RESEND_DELAYS_MS[push.attempts - 1];
    if (record.accepted || delay === undefined) {
      pending.delete(push.id);
      if (record.accepted) push.onAccepted();
      return record;
    }
    push.dueAt += delay * options.scale;
    if (options.autoRetry) {
      const attempts = push.attempts;
      setTimeout(() => {
        if (pending.get(push.id) !== push || push.sending || push.attempts !== attempts) return;
        clock = Math.max(clock, push.dueAt);
        void track(attempt(push));
      }, delay * options.scale).unref();
    }
    return record;
  }

  const pushes: SimulatedPushes = {
    log,
    pending: () =>
      [...pending.values()].map(({ id, appid, event, outTradeNo, attempts, dueAt }) => ({ id, appid, event, outTradeNo, attempts, dueAt })),
    now: () => clock,
    async advance(ms) {
      if (!(ms >= 0)) throw new RangeError('advance takes 0 ms or more');
      await pushes.settle();
      const until = clock + ms;
      const sent: SimulatedPushRecord[] = [];
      for (;;) {
        const due = [...pending.values()].filter((push) => !push.sending && push.dueAt <= until).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)[0];
        if (!due) break;
        clock = Math.max(clock, due.dueAt);
        sent.push(await track(attempt(due)));
      }
      clock = until;
      return sent;
    },
    async settle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };

  return {
    pushes,
    /** Starts a delivery push (resent until accepted); resolves with its first send's record. */
    deliver(appid: string, event: string, outTradeNo: string, message: (attempt: number) => string, onAccepted: () => void) {
      const push: Pending = { id: nextId++, appid, event, outTradeNo, attempts: 0, dueAt: clock, message, sending: false, onAccepted };
      pending.set(push.id, push);
      return track(attempt(push));
    },
    /** Sends one push now, never resent. */
    sendOnce: (appid: string, event: string, message: string) => track(send(appid, nextId++, 1, event, message)),
    /** The GET handshake: echostr must come back as the whole body. */
    async verifyPushUrl(appid: string): Promise<SimulatedPushUrlCheck> {
      const target = pushTarget(context, appid);
      const timestamp = String(Math.floor(context.now() / 1000));
      const nonce = String(randomInt(1, 2 ** 31));
      const echostr = String(randomInt(1, 2 ** 47));
      const query = new URLSearchParams({ signature: sortedSha1(target.pushToken ?? '', timestamp, nonce), echostr, timestamp, nonce });
      try {
        const separator = target.pushUrl.includes('?') ? '&' : '?';
        const response = await fetch(`${target.pushUrl}${separator}${query.toString()}`, { signal: AbortSignal.timeout(options.timeoutMs) });
        const body = await response.text();
        return { ok: response.status === 200 && body === echostr, status: response.status, body, echostr };
      } catch {
        return { ok: false, status: null, body: '', echostr };
      }
    },
  };
}

export type PushSender = ReturnType<typeof createPushSender>;
