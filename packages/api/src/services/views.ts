/** What a login (and later a refresh) answers. */
export interface LoginAnswer {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Seconds: prefer it to expiresAt, since devices' clocks drift. */
  expiresIn: number;
  account: AccountSummary;
}

export interface AccountSummary {
  id: number;
  nickName: string;
  avatarUrl: string;
  /** True when this login created the account. */
  isNew: boolean;
}

/** What `account.me` answers: the player's account and profile, never a credential. */
export interface AccountView {
  id: number;
  nickName: string;
  avatarUrl: string;
  /** Epoch milliseconds. */
  createdAt: number;
  profile: {
    /** WeChat's convention: 0 unknown, 1 male, 2 female. */
    gender: number;
    level: number;
    experience: number;
    /** Epoch milliseconds of this login, or null. */
    lastLoginAt: number | null;
  };
}
