// How values read on the page: times in the operator's local time, money in yuan (the API counts fen).

const two = (value: number): string => String(value).padStart(2, '0');

/** An ISO time from the API as "2024-06-01 13:05" (local time), or "—" for none. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const at = new Date(iso);
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}`;
}

export const yuan = (fen: number): string => `¥${(fen / 100).toFixed(2)}`;

export const text = (value: string | number | null | undefined): string =>
  value === null || value === undefined || value === '' ? '—' : String(value);

/** "currency gold +20 → 120" for one line of a ledger entry. */
export const change = (line: { kind: string; asset: string; delta: number; balance: number }): string =>
  `${line.kind} ${line.asset} ${line.delta > 0 ? '+' : ''}${line.delta} → ${line.balance}`;

/** A cloud save's value, as JSON, cut to `limit` characters. */
export function json(value: unknown, limit = 120): string {
  const whole = JSON.stringify(value) ?? 'undefined';
  return whole.length > limit ? `${whole.slice(0, limit - 1)}…` : whole;
}

export const duration = (seconds: number): string => {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return hours ? `${hours} h ${minutes} min` : `${minutes} min`;
};

/** Several named times in one cell, one a line ("created 2024-06-01 13:05"), leaving out those that are none. */
export const times = (named: Record<string, string | null | undefined>): string[] =>
  Object.entries(named)
    .filter(([, iso]) => iso)
    .map(([name, iso]) => `${name} ${time(iso)}`);
