/** A single-use code WeChat handed a player (wx.login's, the phone number button's). */
export interface IssuedCode {
  appid: string;
  player: string;
  issuedAt: number;
  used: boolean;
}

/** Codes valid for `ttlMs` from their issue; the long expired ones are forgotten as new ones come. */
export class IssuedCodes<T extends IssuedCode> {
  private readonly codes = new Map<string, T>();
  private sweepAbove = 10_000;

  constructor(
    private readonly now: () => number,
    private readonly ttlMs: number,
  ) {}

  add(code: string, issued: T): void {
    this.forgetExpired();
    this.codes.set(code, issued);
  }

  /** The code's entry, used or not, if it was issued for `appid` and has not expired. */
  find(code: string, appid: string): T | undefined {
    const issued = this.codes.get(code);
    return issued && issued.appid === appid && this.now() - issued.issuedAt <= this.ttlMs ? issued : undefined;
  }

  // A sweep once the map has doubled since the last one: amortised O(1) a code, also with
  // tens of thousands of live codes (a load test), where a sweep on every issue is quadratic.
  private forgetExpired(): void {
    if (this.codes.size <= this.sweepAbove) return;
    const at = this.now();
    for (const [code, issued] of this.codes) if (at - issued.issuedAt > this.ttlMs) this.codes.delete(code);
    this.sweepAbove = Math.max(10_000, 2 * this.codes.size);
  }
}
