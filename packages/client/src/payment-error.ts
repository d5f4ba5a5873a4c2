/**
 * Which step of `payments.buyItem` failed:
 * - `UNSUPPORTED`: the runtime has no wx.requestMidasPaymentGameItem (Douyin, QQ, or a WeChat base
 *   library before 2.19.2); the server was not called, nothing was ordered;
 * - `ORDER_FAILED`: payments.createItemOrder failed (`cause` is its TRPCClientError: an unknown
 *   product, a network error...); the payment was never shown, nothing was charged;
 * - `CANCELLED`: the player closed WeChat's payment sheet (wx's errCode -2, 1 or 7); nothing was charged;
 * - `PAYMENT_FAILED`: WeChat refused or failed the payment (`errCode`, `errMsg` are wx's);
 * - `DELIVERY_TIMEOUT`: WeChat took the payment but the server had not received the delivery by
 *   the deadline: the order stays, and `payments.order({ outTradeNo })` tells later whether it was delivered;
 * - `REFUNDED`: the order was refunded before it was delivered.
 */
export type PaymentErrorKind = 'UNSUPPORTED' | 'ORDER_FAILED' | 'CANCELLED' | 'PAYMENT_FAILED' | 'DELIVERY_TIMEOUT' | 'REFUNDED';

/** Why `payments.buyItem` rejected: branch on `kind` (or use `paymentErrorOf(error)`). */
export class MinigatePaymentError extends Error {
  /** Stable: branch on it. */
  readonly kind: PaymentErrorKind;
  /** The order the server made, once there is one (every kind but UNSUPPORTED and ORDER_FAILED). */
  readonly outTradeNo: string | null;
  /** wx.requestMidasPaymentGameItem's errCode (CANCELLED, PAYMENT_FAILED); null otherwise. */
  readonly errCode: number | null;
  /** wx.requestMidasPaymentGameItem's errMsg (CANCELLED, PAYMENT_FAILED); null otherwise. */
  readonly errMsg: string | null;
  /** What failed underneath: createItemOrder's TRPCClientError (ORDER_FAILED), the last failed poll (DELIVERY_TIMEOUT), a failed new login. */
  override readonly cause: unknown;

  constructor(
    kind: PaymentErrorKind,
    message: string,
    details: { outTradeNo?: string | null; errCode?: number | null; errMsg?: string | null; cause?: unknown } = {},
  ) {
    super(message);
    this.name = 'MinigatePaymentError';
    this.kind = kind;
    this.outTradeNo = details.outTradeNo ?? null;
    this.errCode = details.errCode ?? null;
    this.errMsg = details.errMsg ?? null;
    this.cause = details.cause;
  }
}

/** The MinigatePaymentError `error` is, or null (for any other error, such as a bug in the game's own code). */
export function paymentErrorOf(error: unknown): MinigatePaymentError | null {
  return (error as { name?: unknown } | null)?.name === 'MinigatePaymentError' ? (error as MinigatePaymentError) : null;
}
