import { countActiveSessionsByGame, countLoginsByMinute, revenueByDay, type Database, type Kysely } from '@minigate/db';

const MINUTE = 60_000;
const DAY = 24 * 3600_000;

export interface ConsoleDashboardDeps {
  db: Kysely<Database>;
  /** Each served game's platform, by appid; sessions without one are the first WeChat game's. */
  platformOf: (appid: string | null) => string;
  platforms: readonly string[];
  /** A player is online when a session of theirs was used within this (HEARTBEAT_TIMEOUT). */
  onlineWindowSeconds: number;
  startedAt: number;
  now?: () => number;
}

/** The console's charts, from the database and from this instance's metrics. */
export function createConsoleDashboards(deps: ConsoleDashboardDeps) {
  const now = deps.now ?? Date.now;
  return {
    async online() {
      const rows = await countActiveSessionsByGame(deps.db, new Date(now() - deps.onlineWindowSeconds * 1000));
      const byPlatform = new Map(deps.platforms.map((platform) => [platform, 0]));
      for (const row of rows) byPlatform.set(deps.platformOf(row.appid), (byPlatform.get(deps.platformOf(row.appid)) ?? 0) + row.players);
      const online = [...byPlatform].map(([platform, players]) => ({ platform, players }));
      return { online, total: online.reduce((sum, row) => sum + row.players, 0) };
    },

    /** Logins a minute, per platform, over the last `hours`: every minute present (zeros included), oldest first. */
    async logins(hours: number) {
      const end = Math.floor(now() / MINUTE) * MINUTE;
      const start = end - (hours * 60 - 1) * MINUTE;
      const rows = await countLoginsByMinute(deps.db, new Date(start));
      const minutes = Array.from({ length: hours * 60 }, (_, index) => start + index * MINUTE);
      const series = new Map(deps.platforms.map((platform) => [platform, new Array<number>(minutes.length).fill(0)]));
      for (const row of rows) {
        const index = Math.round((row.minute.getTime() - start) / MINUTE);
        const counts = series.get(deps.platformOf(row.appid));
        if (counts && index >= 0 && index < minutes.length) counts[index]! += row.logins;
      }
      return {
        minutes: minutes.map((minute) => new Date(minute).toISOString()),
        series: [...series].map(([platform, counts]) => ({ platform, counts })),
      };
    },

    /** Revenue a UTC day (fen, orders delivered and not refunded) over the last `days`, and the orders of the last day waiting for delivery. */
    async revenue(days: number) {
      const today = Math.floor(now() / DAY) * DAY;
      const start = today - (days - 1) * DAY;
      const { days: rows, waiting } = await revenueByDay(deps.db, new Date(start), new Date(now() - DAY));
      const byDay = new Map(rows.map((row) => [row.day, row.fen]));
      const labels = Array.from({ length: days }, (_, index) => new Date(start + index * DAY).toISOString().slice(0, 10));
      return { days: labels, totals: labels.map((day) => byDay.get(day) ?? 0), ordersWaiting: waiting };
    },

    /** This instance's failed calls by reason since it started, as /metrics counts them (minigate_errors_total). */
    async errors(errorCounts: () => Promise<Array<{ reason: string; count: number }>>) {
      const reasons = (await errorCounts()).filter((row) => row.count > 0).sort((a, b) => b.count - a.count);
      return { reasons, total: reasons.reduce((sum, row) => sum + row.count, 0), since: new Date(deps.startedAt).toISOString() };
    },
  };
}

export type ConsoleDashboards = ReturnType<typeof createConsoleDashboards>;
