import { httpRequest } from './http-request.js';
import { settle, type CallbackOptions } from './wx-callbacks.js';

/**
 * How wx.requestMidasPaymentGameItem behaves: `answer` pays as the player's
 * phone would (the simulator's /sim/pay checks the signatures, takes the
 * payment and pushes the delivery to the game's server); `cancel` is the
 * player closing the payment sheet (errCode 1 用户取消支付 unless told
 * -2 or 7); `fail` is a payment WeChat fails (errCode -1 系统失败 unless
 * told). Neither `cancel` nor `fail` reaches the simulator: nothing is paid.
 */
export type PaymentBehaviour = { kind: 'answer' } | { kind: 'cancel'; errCode?: -2 | 1 | 7 } | { kind: 'fail'; errCode?: number; errMsg?: string };

/** One wx.requestMidasPaymentGameItem call and how it ended (errCode 0: paid). */
export interface SandboxPayment {
  signData: unknown;
  errCode: number;
  errMsg: string;
}

export interface MidasPaymentOptions {
  simulatorUrl: string;
  appid: string;
  player: string;
  behaviour: () => PaymentBehaviour;
  /** Every call is recorded here. */
  payments: SandboxPayment[];
}

/** A refusal as WeChat's fail callback gets it: `{ errMsg: 'requestMidasPaymentGameItem:fail …', errCode }`. */
class PaymentRefused extends Error {
  constructor(
    readonly errCode: number,
    message: string,
  ) {
    super(message);
  }
}

const NAME = 'requestMidasPaymentGameItem';

async function payOnSimulator(options: MidasPaymentOptions, params: { signData: string; paySig: string; signature: string }): Promise<void> {
  const body = JSON.stringify({ appid: options.appid, player: options.player, ...params });
  const res = await httpRequest(`${options.simulatorUrl}/sim/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    timeoutMs: 60_000,
  });
  let answer: { errCode?: unknown; errMsg?: unknown } = {};
  try {
    answer = JSON.parse(res.body) as typeof answer;
  } catch {
    // Not JSON: judged by the status alone.
  }
  const errCode = typeof answer.errCode === 'number' ? answer.errCode : res.status === 200 ? 0 : -1;
  // The simulator's errMsg is wx's whole one ('requestMidasPaymentGameItem:fail SIGNATURE INVALID').
  const reason = typeof answer.errMsg === 'string' ? answer.errMsg.replace(`${NAME}:fail `, '') : `the simulator answered ${res.status}`;
  if (errCode !== 0) throw new PaymentRefused(errCode, reason);
}

/**
 * wx.requestMidasPaymentGameItem as WeChat shapes it: callbacks only (WeChat
 * has no promise form: without callbacks the outcome is lost, and nothing is
 * returned), success `{ errMsg: 'requestMidasPaymentGameItem:ok' }`, fail
 * `{ errMsg: 'requestMidasPaymentGameItem:fail …', errCode }`. A signData that
 * is not a string fails with -15011 (DATA TYPE ERROR), a missing paySig or
 * signature with -15001, as WeChat does, before the simulator is asked.
 */
export function createMidasPayment(options: MidasPaymentOptions) {
  return (params: CallbackOptions & { signData?: unknown; paySig?: unknown; signature?: unknown } = {}): void => {
    const behaviour = options.behaviour();
    const pay = async (): Promise<void> => {
      const { signData, paySig, signature } = params;
      if (typeof signData !== 'string') throw new PaymentRefused(-15011, 'DATA TYPE ERROR');
      if (typeof paySig !== 'string' || typeof signature !== 'string' || !paySig || !signature) throw new PaymentRefused(-15001, 'MISSING PARAMS');
      if (behaviour.kind === 'cancel') throw new PaymentRefused(behaviour.errCode ?? 1, 'cancel');
      if (behaviour.kind === 'fail') throw new PaymentRefused(behaviour.errCode ?? -1, behaviour.errMsg ?? 'system error');
      await payOnSimulator(options, { signData, paySig, signature });
    };
    const work = pay().then(
      () => {
        options.payments.push({ signData: params.signData, errCode: 0, errMsg: `${NAME}:ok` });
        return { errMsg: `${NAME}:ok` };
      },
      (error: Error) => {
        const errCode = error instanceof PaymentRefused ? error.errCode : -1;
        options.payments.push({ signData: params.signData, errCode, errMsg: `${NAME}:fail ${error.message}` });
        throw error;
      },
    );
    const outcome = settle(params, work, (error) => ({
      errMsg: `${NAME}:fail ${error.message}`,
      errCode: error instanceof PaymentRefused ? error.errCode : -1,
    }));
    // No promise form: an outcome nobody listens to is dropped, not left to reject unhandled.
    void outcome?.catch(() => undefined);
  };
}
