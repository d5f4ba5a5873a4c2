// The bench's figures: one round's, a variant's medians, the ratios between
// variants measured in the same run, and the JSON they are written as.
import type { Measured } from './load-client.js';

export interface RoundFigures {
  /** Requests answered per second (any status). */
  requestsPerSecond: number;
  /** What the scenario counts (a call, a login, a game start-up) per second: requests / requestsPerUnit. */
  unitsPerSecond: number;
  requests: number;
  seconds: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Answers that were not 2xx. */
  non2xx: number;
  /** Connection errors and timeouts. */
  socketErrors: number;
  /** Server CPU time (user + system, every process of the server) per request and per unit, microseconds. */
  cpuUsPerRequest: number;
  cpuUsPerUnit: number;
  /** Server CPU time / wall time: 1 is one core busy. */
  serverCores: number;
  peakRssMb: number;
  codesExhausted: boolean;
  errorSamples: string[];
}

export type MedianFigures = Omit<RoundFigures, 'codesExhausted' | 'errorSamples'>;

export interface VariantFigures {
  key: string;
  label: string;
  connections: number;
  requestsPerUnit: number;
  rounds: RoundFigures[];
  /** Each figure's median over the rounds (errors: their sum). */
  median: MedianFigures;
}

export interface Comparison {
  variant: string;
  against: string;
  /** Median over rounds of unitsPerSecond(variant) / unitsPerSecond(against), pairing each round of one with the same round of the other. */
  throughput: number;
  /** The same for p99 latency (lower is better). */
  p99: number;
  /** The same for CPU time per unit (lower is better). */
  cpu: number;
}

export interface ScenarioFigures {
  key: string;
  title: string;
  available: boolean;
  /** Why not, or what to know to read it. */
  note?: string;
  unit: string;
  variants: VariantFigures[];
  comparisons: Comparison[];
  /** For a WeChat answering in `delayMs`: the throughput of logins that are not serialised, connections / delay. */
  ideal?: { delayMs: number; connections: number; unitsPerSecond: number };
}

export interface TargetLine {
  /** `<scenario>:<variant>/<against>:<throughput|p99>`, or `client`, `ready`. */
  key: string;
  name: string;
  value: number | null;
  op: '>=' | '<=';
  target: number;
  unit: string;
  pass: boolean | null;
}

/** A unit's plural, as the figures name it: calls, logins, pushes. */
export function plural(unit: string): string {
  return /(s|sh|ch|x)$/.test(unit) ? `${unit}es` : `${unit}s`;
}

/** A target's verdict: PASS or MISS where there is a figure, N/A where there is none. */
export function verdictOf(target: Pick<TargetLine, 'pass'>): 'PASS' | 'MISS' | 'N/A' {
  return target.pass === null ? 'N/A' : target.pass ? 'PASS' : 'MISS';
}

/** A target as the bench prints it: `PASS  <name, padded to 60> 0.83× (target ≥ 0.6×)`. */
export function targetLineText(target: Omit<TargetLine, 'key'>): string {
  const value = target.value === null ? 'not available' : `${target.value}${target.unit}`;
  return `${verdictOf(target).padEnd(4)}  ${target.name.padEnd(60)} ${value} (target ${target.op === '>=' ? '≥' : '≤'} ${target.target}${target.unit})`;
}

const TARGET_LINE = /^(PASS|MISS|N\/A) +(.+?) +(?:not available|(-?\d+(?:\.\d+)?)( ?[^\d\s()]*)) \(target ([≥≤]) (-?\d+(?:\.\d+)?)( ?[^\d\s()]*)\)$/;

/** A printed target line taken apart (targetLineText's inverse); null for a line that is not one. */
export function parseTargetLine(line: string): Omit<TargetLine, 'key'> | null {
  const match = TARGET_LINE.exec(line);
  if (!match) return null;
  const [, verdict, name, value, valueUnit, op, target, targetUnit] = match;
  return {
    name: String(name),
    value: value === undefined ? null : Number(value),
    op: op === '≥' ? '>=' : '<=',
    target: Number(target),
    unit: valueUnit ?? targetUnit ?? '',
    pass: verdict === 'N/A' ? null : verdict === 'PASS',
  };
}

/**
 * What keeps a target line from counting: no figure, no PASS/MISS verdict, or a verdict the figure
 * does not give. Empty for a whole line.
 */
export function targetLineProblems(target: Omit<TargetLine, 'key'>): string[] {
  const problems: string[] = [];
  const hasFigure = typeof target.value === 'number' && Number.isFinite(target.value);
  if (!hasFigure) problems.push(`no figure (${String(target.value)})`);
  if (typeof target.pass !== 'boolean') problems.push(`no PASS/MISS verdict (${verdictOf(target)})`);
  else if (hasFigure) {
    const value = target.value as number;
    const meets = target.op === '>=' ? value >= target.target : value <= target.target;
    if (meets !== target.pass) problems.push(`verdict ${verdictOf(target)} where ${value} ${target.op} ${target.target} is ${meets}`);
  }
  return problems;
}

export interface BenchResults {
  version: 1;
  date: string;
  mode: 'full' | 'quick';
  machine: { cpuModel: string; cores: number; node: string; platform: string; loadAverageAtStart: number[]; memoryGb: number };
  settings: {
    seconds: number;
    warmupSeconds: number;
    rounds: number;
    connections: number;
    slowConnections: number;
    players: number;
    logLevel: string;
    sessionKeyRotation: string;
  };
  scenarios: ScenarioFigures[];
  client: { file: string; minifiedBytes: number; gzipBytes: number };
  ready: { startsMs: number[]; medianMs: number };
  targets: TargetLine[];
  durationSeconds: number;
}

const round = (value: number, digits: number) => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function roundFigures(measured: Measured, requestsPerUnit: number): RoundFigures {
  const seconds = measured.seconds || 1e-9;
  const requests = measured.responses;
  const units = requests / requestsPerUnit;
  return {
    requestsPerSecond: round(requests / seconds, 1),
    unitsPerSecond: round(units / seconds, 1),
    requests,
    seconds: measured.seconds,
    p50Ms: measured.latencyMs.p50,
    p90Ms: measured.latencyMs.p90,
    p99Ms: measured.latencyMs.p99,
    meanMs: measured.latencyMs.mean,
    non2xx: measured.non2xx,
    socketErrors: measured.socketErrors,
    cpuUsPerRequest: requests ? round((measured.serverCpuMs * 1000) / requests, 1) : 0,
    cpuUsPerUnit: units ? round((measured.serverCpuMs * 1000) / units, 1) : 0,
    serverCores: round(measured.serverCpuMs / 1000 / seconds, 2),
    peakRssMb: measured.peakRssMb,
    codesExhausted: measured.codesExhausted,
    errorSamples: measured.errorSamples,
  };
}

export function medianFigures(rounds: RoundFigures[]): MedianFigures {
  const of = (pick: (figures: RoundFigures) => number) => median(rounds.map(pick));
  const sum = (pick: (figures: RoundFigures) => number) => rounds.reduce((total, figures) => total + pick(figures), 0);
  return {
    requestsPerSecond: round(
      of((f) => f.requestsPerSecond),
      1,
    ),
    unitsPerSecond: round(
      of((f) => f.unitsPerSecond),
      1,
    ),
    requests: sum((f) => f.requests),
    seconds: round(
      sum((f) => f.seconds),
      2,
    ),
    p50Ms: round(
      of((f) => f.p50Ms),
      3,
    ),
    p90Ms: round(
      of((f) => f.p90Ms),
      3,
    ),
    p99Ms: round(
      of((f) => f.p99Ms),
      3,
    ),
    meanMs: round(
      of((f) => f.meanMs),
      3,
    ),
    non2xx: sum((f) => f.non2xx),
    socketErrors: sum((f) => f.socketErrors),
    cpuUsPerRequest: round(
      of((f) => f.cpuUsPerRequest),
      1,
    ),
    cpuUsPerUnit: round(
      of((f) => f.cpuUsPerUnit),
      1,
    ),
    serverCores: round(
      of((f) => f.serverCores),
      2,
    ),
    peakRssMb: round(Math.max(...rounds.map((f) => f.peakRssMb)), 1),
  };
}

/** The paired ratios of `variant` against `against`, round by round, and their medians. */
export function compare(variant: VariantFigures, against: VariantFigures): Comparison {
  const pairs = Math.min(variant.rounds.length, against.rounds.length);
  const ratios = (pick: (figures: RoundFigures) => number) => {
    const values: number[] = [];
    for (let i = 0; i < pairs; i++) {
      const denominator = pick(against.rounds[i] as RoundFigures);
      if (denominator > 0) values.push(pick(variant.rounds[i] as RoundFigures) / denominator);
    }
    return round(median(values), 3);
  };
  return {
    variant: variant.key,
    against: against.key,
    throughput: ratios((f) => f.unitsPerSecond),
    p99: ratios((f) => f.p99Ms),
    cpu: ratios((f) => f.cpuUsPerUnit),
  };
}

/**
 * JSON as Prettier prints it (the results are committed and format:check
 * covers them): objects one key a line, arrays of plain values on one line
 * when they fit in 150 columns.
 */
export function toJson(value: unknown, indent = '', prefix = 0): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((item) => item === null || typeof item !== 'object')) {
      const flat = `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
      // The line is the indent, the key, the array and maybe a comma.
      if (indent.length + prefix + flat.length + 1 <= 150) return flat;
    }
    return `[\n${value.map((item) => inner + toJson(item, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return '{}';
    const lines = entries.map(([key, item]) => {
      const head = `${JSON.stringify(key)}: `;
      return `${inner}${head}${toJson(item, inner, head.length)}`;
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
