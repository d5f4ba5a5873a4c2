import type { ColumnType, Generated } from 'kysely';

// The tables of payments, the wallet and game data (migrations 0010-0012), as Kysely sees them (schema.ts lists
// them in Database).

export type PayOrderStatus = 'created' | 'delivered' | 'refunded';

/** An item order the server signed (道具直购): delivered once, by the first push that carries it. */
export interface PayOrderTable {
  outTradeNo: string;
  appid: string;
  accountId: number;
  openid: string;
  productId: string;
  quantity: number;
  /** Fen. */
  unitPrice: number;
  totalPrice: number;
  /** JSON { currencies, items }: what the whole order grants, fixed when it was made. */
  grants: string;
  /** 0 live, 1 sandbox. */
  env: number;
  status: ColumnType<PayOrderStatus, PayOrderStatus | undefined, PayOrderStatus>;
  createTime: Date;
  deliveredAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  deliveredByPush: ColumnType<number | null, number | null | undefined, number | null>;
  refundedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** A message push as received, kept before it is acted on. */
export interface PayPushTable {
  pushId: Generated<number>;
  appid: string;
  event: string;
  outTradeNo: string | null;
  body: string;
  receivedAt: Date;
  outcome: ColumnType<string | null, string | null | undefined, string | null>;
  processedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export type WalletSource = 'order' | 'mail' | 'operator' | 'spend';
export type WalletAssetKind = 'currency' | 'item';

/** One grant or spend, once per idempotency key. */
export interface WalletChangeTable {
  changeId: Generated<number>;
  idempotencyKey: string;
  accountId: number;
  source: WalletSource;
  sourceRef: string | null;
  reason: string;
  createTime: Date;
}

/** A change's line: one currency or item, and the balance after it. */
export interface WalletEntryTable {
  changeId: number;
  assetKind: WalletAssetKind;
  asset: string;
  /** BIGINT: mysql2 may hand it over as a string; read through Number(). */
  delta: ColumnType<number | string, number, number>;
  balanceAfter: ColumnType<number | string, number, number>;
}

/** What a player holds of one currency or item. */
export interface WalletBalanceTable {
  accountId: number;
  assetKind: WalletAssetKind;
  asset: string;
  amount: ColumnType<number | string, number, number>;
}

export type CoinSpendStatus = 'pending' | 'paid' | 'refused' | 'cancelled';

/** A spend of WeChat's game coins under its bill number. */
export interface CoinSpendTable {
  billNo: string;
  appid: string;
  accountId: number;
  amount: number;
  reason: string;
  env: number;
  status: ColumnType<CoinSpendStatus, CoinSpendStatus | undefined, CoinSpendStatus>;
  balanceAfter: ColumnType<number | null, number | null | undefined, number | null>;
  createTime: Date;
  settledAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

// Cloud saves (0011).

/** One saved object of a player: collection and key, a JSON value, a version every write changes. */
export interface StorageObjectTable {
  accountId: number;
  collection: string;
  /** The object's key (`key` is a reserved word in SQL). */
  objectKey: string;
  /** JSON text. */
  value: string;
  version: string;
  /** The value's UTF-8 length: what the byte quota counts. */
  sizeBytes: number;
  createTime: Date;
  updateTime: Date;
}

/** What a player's objects count and weigh; every write of the player locks this row first. */
export interface StorageUsageTable {
  accountId: number;
  objects: number;
  bytes: number;
}

// Mail and subscribe messages (0012).

/** One message: to one player (accountId), or a broadcast to every player of a game (accountId null, appid set). */
export interface MailTable {
  mailId: Generated<number>;
  accountId: number | null;
  appid: string | null;
  /** A broadcast also reaches players who first sign in to the game after it (1), or only those already there (0). */
  reachNewPlayers: number;
  title: string;
  body: string;
  /** JSON `{ currencies, items }`, or null. */
  attachments: string | null;
  subscribeTemplate: string | null;
  subscribeOutcome: string | null;
  sentBy: string;
  createTime: Date;
  expireTime: Date;
}

/** A player's state of one message, written when they first act on it. */
export interface MailStateTable {
  mailId: number;
  accountId: number;
  readAt: Date | null;
  claimedAt: Date | null;
  deletedAt: Date | null;
}

/** Sends of a subscribe message template a player allowed in a game (one per accept). */
export interface SubscribeCreditTable {
  accountId: number;
  appid: string;
  templateId: string;
  credits: number;
  updateTime: Date;
}

/** A player's entry on a board of a game in one period (`all` when the board never resets). */
export interface LeaderboardEntryTable {
  appid: string;
  board: string;
  period: string;
  accountId: number;
  score: number;
  /** 20 bytes whose ascending order is the board's: the score (better first), when it was reached, the account. */
  rankKey: Buffer;
  reachedAt: Date;
  /** As they were at the submission that made the entry what it is. */
  nickname: string | null;
  avatarUrl: string | null;
  /** JSON, or null. */
  metadata: string | null;
  updateTime: Date;
}

/** How many entries of a board's period lie under one prefix (1..12 bytes) of the rank key. */
export interface LeaderboardCountTable {
  appid: string;
  board: string;
  period: string;
  level: number;
  prefix: Buffer;
  entries: number;
}

export type OperatorRole = 'viewer' | 'support' | 'finance' | 'admin';

/** An operator of the console (not a player). */
export interface OperatorTable {
  operatorId: Generated<number>;
  name: string;
  role: OperatorRole;
  /** argon2id, PHC string. */
  passwordHash: string;
  disabled: ColumnType<number, number | undefined, number>;
  createTime: Date;
  updateTime: Date;
}

/** One console login: the SHA-256 of its cookie token. */
export interface OperatorSessionTable {
  sessionId: Generated<number>;
  operatorId: number;
  tokenHash: Buffer;
  createTime: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  revokedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  ip: string;
  userAgent: string;
}
