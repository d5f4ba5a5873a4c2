// What each dashboard chart draws, from what dashboards.* answer: uPlot's options and data, and a summary.
import uPlot from 'uplot';
import type { Outputs } from './api.js';
import type { ChartSpec } from './chart.js';
import { yuan } from './format.js';

const COLORS = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2'];
const color = (index: number): string => COLORS[index % COLORS.length] ?? '#2563eb';
const seconds = (iso: string): number => Date.parse(iso) / 1000;
const bars = uPlot.paths.bars?.({ size: [0.6, 64] });
const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
/** Steps of a count's axis: whole numbers only (no "0.5 players"). */
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 1_000_000];
const countAxis = { incrs: COUNT_STEPS, values: (_plot: uPlot, splits: number[]) => splits.map(String) };

/** A category's name cut to the room its bar has (about 7 px a character); the summary has it whole. */
function fit(name: string, room: number): string {
  const characters = Math.max(3, Math.floor(room / 7));
  return name.length > characters ? `${name.slice(0, characters - 1)}…` : name;
}

/** Bars over named categories (platforms, reasons): x is the category's index, its axis shows the names. */
function categories(names: string[], label: string, values: number[], summary: string): ChartSpec {
  const indices = names.map((_, index) => index);
  return {
    options: {
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, range: [-0.5, names.length - 0.5] }, y: { range: (_plot, _min, max) => [0, Math.max(1, max)] } },
      axes: [
        { splits: () => indices, values: (plot, splits) => splits.map((split) => fit(names[split] ?? '', plot.over.clientWidth / names.length)) },
        countAxis,
      ],
      series: [{}, { label, stroke: color(0), fill: `${color(0)}99`, paths: bars, points: { show: false } }],
    },
    data: [indices, values],
    summary,
  };
}

export function onlineChart(answer: Outputs['dashboards']['online']): ChartSpec {
  const names = answer.online.map((row) => row.platform);
  const parts = answer.online.map((row) => `${row.platform} ${row.players}`).join(', ');
  return categories(
    names,
    'Players',
    answer.online.map((row) => row.players),
    `${answer.total} ${answer.total === 1 ? 'player' : 'players'} online${parts ? `: ${parts}` : ''}.`,
  );
}

export function loginsChart(answer: Outputs['dashboards']['logins']): ChartSpec {
  const totals = answer.series.map((series) => `${series.platform} ${sum(series.counts)}`).join(', ');
  return {
    options: {
      scales: { x: { time: true }, y: { range: (_plot, _min, max) => [0, Math.max(1, max)] } },
      axes: [{}, countAxis],
      series: [{}, ...answer.series.map((series, index) => ({ label: series.platform, stroke: color(index), width: 1.5, points: { show: false } }))],
    },
    data: [answer.minutes.map(seconds), ...answer.series.map((series) => series.counts)],
    summary: `Logins over the last ${Math.round(answer.minutes.length / 60)} hours${totals ? `: ${totals}` : ': none'}.`,
  };
}

export function revenueChart(answer: Outputs['dashboards']['revenue']): ChartSpec {
  const total = sum(answer.totals);
  return {
    options: {
      legend: { show: false },
      scales: { x: { time: true }, y: { range: (_plot, _min, max) => [0, Math.max(1, max)] } },
      axes: [{}, { values: (_plot, splits) => splits.map((split) => `¥${split}`), size: 60 }],
      series: [{}, { label: 'Revenue (¥)', stroke: color(1), fill: `${color(1)}99`, paths: bars, points: { show: false } }],
    },
    // Days as local midnights; amounts in yuan.
    data: [answer.days.map((day) => seconds(`${day}T00:00:00`)), answer.totals.map((fen) => fen / 100)],
    summary: `${yuan(total)} over the last ${answer.days.length} days.`,
  };
}

export function errorsChart(answer: Outputs['dashboards']['errors']): ChartSpec {
  const rows = [...answer.reasons].sort((a, b) => b.count - a.count);
  const parts = rows.map((row) => `${row.reason} ${row.count}`).join(', ');
  return categories(
    rows.map((row) => row.reason),
    'Errors',
    rows.map((row) => row.count),
    `${answer.total} ${answer.total === 1 ? 'error' : 'errors'} on this instance since ${new Date(answer.since).toLocaleString()}${parts ? `: ${parts}` : ''}.`,
  );
}
