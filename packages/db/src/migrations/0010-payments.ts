import { sql, type Kysely } from 'kysely';

// Payments and the wallet (additive to 0009).
//
// - pay_order: an item order (道具直购) the server signed for a player, with what it grants (fixed when it is made);
//   delivered once, by the first push that carries it.
// - pay_push: every message push as received, before anything is done with it, and what became of it.
// - wallet_change: one grant or spend, under its idempotency key (unique: the same key never changes a wallet twice).
// - wallet_entry: the change's lines, one per currency or item, with the balance after it.
// - wallet_balance: what a player holds, one row per currency or item; never below zero (UNSIGNED, and every
//   spend is a conditional UPDATE).
// - coin_spend: a spend of WeChat's game coins (/wxa/game/pay) under its bill number, so a retry never charges twice.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE pay_order (
      out_trade_no VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
      appid VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      account_id BIGINT UNSIGNED NOT NULL,
      openid VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      product_id VARCHAR(64) NOT NULL,
      quantity INT UNSIGNED NOT NULL,
      unit_price INT UNSIGNED NOT NULL,
      total_price INT UNSIGNED NOT NULL,
      grants TEXT NOT NULL,
      env TINYINT UNSIGNED NOT NULL,
      status ENUM('created', 'delivered', 'refunded') NOT NULL DEFAULT 'created',
      create_time DATETIME(3) NOT NULL,
      delivered_at DATETIME(3) NULL,
      delivered_by_push BIGINT UNSIGNED NULL,
      refunded_at DATETIME(3) NULL,
      KEY pay_order_account (account_id, create_time)
    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci`.execute(db);
  await sql`
    CREATE TABLE pay_push (
      push_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      appid VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      event VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      out_trade_no VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
      body MEDIUMTEXT NOT NULL,
      received_at DATETIME(3) NOT NULL,
      outcome VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
      processed_at DATETIME(3) NULL,
      KEY pay_push_order (out_trade_no)
    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci`.execute(db);
  await sql`
    CREATE TABLE wallet_change (
      change_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      idempotency_key VARCHAR(160) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      account_id BIGINT UNSIGNED NOT NULL,
      source ENUM('order', 'mail', 'operator', 'spend') NOT NULL,
      source_ref VARCHAR(64) NULL,
      reason VARCHAR(128) NOT NULL,
      create_time DATETIME(3) NOT NULL,
      UNIQUE KEY wallet_change_key (idempotency_key),
      KEY wallet_change_account (account_id, change_id)
    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci`.execute(db);
  await sql`
    CREATE TABLE wallet_entry (
      change_id BIGINT UNSIGNED NOT NULL,
      asset_kind ENUM('currency', 'item') NOT NULL,
      asset VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      delta BIGINT NOT NULL,
      balance_after BIGINT UNSIGNED NOT NULL,
      PRIMARY KEY (change_id, asset_kind, asset)
    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci`.execute(db);
  await sql`
    CREATE TABLE wallet_balance (
      account_id BIGINT UNSIGNED NOT NULL,
      asset_kind ENUM('currency', 'item') NOT NULL,
      asset VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      amount BIGINT UNSIGNED NOT NULL,
      PRIMARY KEY (account_id, asset_kind, asset)
    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci`.execute(db);
  await sql`
    CREATE TABLE coin_spend (
      bill_no VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
      appid VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      account_id BIGINT UNSIGNED NOT NULL,
      amount INT UNSIGNED NOT NULL,
      reason VARCHAR(128) NOT NULL,
      env TINYINT UNSIGNED NOT NULL,
      status ENUM('pending', 'paid', 'refused', 'cancelled') NOT NULL DEFAULT 'pending',
      balance_after BIGINT UNSIGNED NULL,
      create_time DATETIME(3) NOT NULL,
      settled_at DATETIME(3) NULL,
      KEY coin_spend_account (account_id, create_time)
    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['coin_spend', 'wallet_balance', 'wallet_entry', 'wallet_change', 'pay_push', 'pay_order']) {
    await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  }
}
