import { CronExpressionParser } from 'cron-parser';
import { NAMED_RESETS, type LeaderboardDefinition } from './definitions.js';

/** One period of a board: `all` for a board that never resets, else its start as local time in the board's zone. */
export interface Period {
  id: string;
  /** Null for `all`. */
  startsAt: Date | null;
  endsAt: Date | null;
}

export interface BoardPeriods {
  /** The period that holds this instant (epoch ms). */
  at(ms: number): Period;
  /** The period before the one that starts at `startsAt`, or null (a board that never resets). */
  before(period: Period): Period | null;
  /** The period whose id this is, or null when it is no period of the board. */
  parse(id: string): Period | null;
}

const PERIOD_ID = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
/** A `YYYY-MM-DDTHH:mm` read as if it were UTC. */
function localAsUtc(minute: string): number {
  const [, year, month, day, hour, min] = PERIOD_ID.exec(minute)!.map(Number) as [number, number, number, number, number, number];
  return Date.UTC(year, month - 1, day, hour, min);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** `YYYY-MM-DDTHH:mm` of an instant in a time zone. */
export function localMinute(ms: number, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  const part = Object.fromEntries(format.formatToParts(new Date(ms)).map((piece) => [piece.type, piece.value]));
  return `${part.year}-${part.month}-${part.day}T${part.hour}:${part.minute}`;
}

/** The periods of a board's reset schedule, the current one remembered until it ends. */
export function createBoardPeriods(board: Pick<LeaderboardDefinition, 'reset' | 'timezone'>): BoardPeriods {
  if (board.reset === 'never') {
    const all: Period = { id: 'all', startsAt: null, endsAt: null };
    return { at: () => all, before: () => null, parse: (id) => (id === 'all' ? all : null) };
  }
  const expression = NAMED_RESETS[board.reset] ?? board.reset;
  const tz = board.timezone;
  const startBefore = (ms: number) =>
    CronExpressionParser.parse(expression, { currentDate: new Date(ms), tz })
      .prev()
      .getTime();
  const endAfter = (ms: number) =>
    CronExpressionParser.parse(expression, { currentDate: new Date(ms), tz })
      .next()
      .getTime();
  const periodStartingAt = (start: number): Period => ({
    id: localMinute(start, tz),
    startsAt: new Date(start),
    endsAt: new Date(endAfter(start)),
  });
  let current: Period | null = null;
  let previous: { of: number; period: Period } | null = null;
  // Ids asked for (past periods), parsed once: cron-parser takes about a millisecond.
  const parsed = new Map<string, Period | null>();
  const at = (ms: number): Period => {
    if (current && current.startsAt!.getTime() <= ms && ms < current.endsAt!.getTime()) return current;
    // The fire at or before this instant (prev() is strictly before its start).
    const period = periodStartingAt(startBefore(ms + 1));
    current = period;
    return period;
  };
  return {
    at,
    before(period) {
      if (!period.startsAt) return null;
      const start = period.startsAt.getTime();
      if (previous?.of !== start) previous = { of: start, period: periodStartingAt(startBefore(start)) };
      return previous.period;
    },
    parse(id) {
      if (parsed.has(id)) return parsed.get(id)!;
      const period = parseId(id);
      if (parsed.size >= 256) parsed.clear();
      parsed.set(id, period);
      return period;
    },
  };

  function parseId(id: string): Period | null {
    const match = PERIOD_ID.exec(id);
    if (!match) return null;
    const asUtc = localAsUtc(id);
    // The instant whose local time this is: the zone's offset there, found twice (an offset may change between).
    const offsetAt = (ms: number) => localAsUtc(localMinute(ms, tz)) - Math.floor(ms / 60_000) * 60_000;
    const instant = asUtc - offsetAt(asUtc - offsetAt(asUtc));
    const period = periodStartingAt(startBefore(instant + 1));
    return period.id === id && period.startsAt!.getTime() === instant ? period : null;
  }
}
