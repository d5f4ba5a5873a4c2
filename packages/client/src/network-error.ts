/**
 * Why a request got no usable answer from minigate:
 * - `TIMEOUT`: no answer within `timeoutMs`;
 * - `ABORTED`: the game aborted the call (its `signal`);
 * - `INTERRUPTED`: the game went to the background while the request was out (wx.request's "interrupted");
 * - `UNREACHABLE`: no connection (offline, DNS, refused, TLS, a domain not on the request whitelist);
 * - `BAD_RESPONSE`: an answer that is not minigate's, such as a proxy's HTML 502 page (`status` says which).
 */
export type NetworkErrorKind = 'TIMEOUT' | 'ABORTED' | 'INTERRUPTED' | 'UNREACHABLE' | 'BAD_RESPONSE';

/**
 * A request that got no answer from minigate. A call rejects with a
 * TRPCClientError whose `cause` is this error: branch on `error.cause.kind`
 * (or use `networkErrorOf(error)`). Server errors have `error.data.reason` instead.
 */
export class MinigateNetworkError extends Error {
  /** Stable: branch on it. */
  readonly kind: NetworkErrorKind;
  /** The HTTP status of a BAD_RESPONSE; 0 otherwise. */
  readonly status: number;

  constructor(kind: NetworkErrorKind, message: string, status = 0) {
    super(message);
    this.name = 'MinigateNetworkError';
    this.kind = kind;
    this.status = status;
  }
}

/** The MinigateNetworkError behind a failed call (the error itself or its `cause`), or null when the server answered. */
export function networkErrorOf(error: unknown): MinigateNetworkError | null {
  for (let candidate = error, depth = 0; candidate && depth < 3; candidate = (candidate as { cause?: unknown }).cause, depth++) {
    if ((candidate as { name?: unknown }).name === 'MinigateNetworkError') return candidate as MinigateNetworkError;
  }
  return null;
}

/** wx.request's fail errMsg (e.g. "request:fail timeout", "request:fail interrupted") as a kind. */
export function kindOfFailure(errMsg: string): NetworkErrorKind {
  if (/interrupted/i.test(errMsg)) return 'INTERRUPTED';
  if (/time(d)?[ -]?out|超时/i.test(errMsg)) return 'TIMEOUT';
  if (/abort/i.test(errMsg)) return 'ABORTED';
  return 'UNREACHABLE';
}
