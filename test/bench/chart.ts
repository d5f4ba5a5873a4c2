// The ratios as a bar chart: hand-written SVG, one bar a comparison, the
// target marked on its row, green where it is met and red where it is not.
import { plural, type BenchResults } from './figures.js';

export interface ChartRow {
  label: string;
  value: number | null;
  target?: { op: '>=' | '<='; value: number };
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function chartRows(results: BenchResults): ChartRow[] {
  const rows: ChartRow[] = [];
  for (const scenario of results.scenarios) {
    for (const comparison of scenario.comparisons) {
      const label = (key: string) => scenario.variants.find((variant) => variant.key === key)?.label ?? key;
      const name = `${scenario.title}: ${label(comparison.variant)} / ${label(comparison.against)}`;
      const target = results.targets.find((line) => line.key === `${scenario.key}:${comparison.variant}/${comparison.against}:throughput`);
      rows.push({
        label: `${name}, ${plural(scenario.unit)}/s`,
        value: scenario.available ? comparison.throughput : null,
        ...(target ? { target: { op: target.op, value: target.target } } : {}),
      });
      const p99Target = results.targets.find((line) => line.key === `${scenario.key}:${comparison.variant}/${comparison.against}:p99`);
      if (p99Target) {
        rows.push({
          label: `${name}, p99 latency`,
          value: scenario.available ? comparison.p99 : null,
          target: { op: p99Target.op, value: p99Target.target },
        });
      }
    }
  }
  return rows;
}

export function ratioChart(results: BenchResults): string {
  const rows = chartRows(results);
  const labelWidth = 520;
  const barWidth = 400;
  const scaleMax = 2;
  const x = (ratio: number) => labelWidth + (Math.min(ratio, scaleMax) / scaleMax) * barWidth;
  const rowHeight = 24;
  const top = 58;
  const width = labelWidth + barWidth + 90;
  const height = top + rows.length * rowHeight + 40;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(
    `<text x="10" y="20" font-size="15" font-weight="bold">minigate bench: ratios measured in one run (${escape(results.mode)} mode)</text>`,
  );
  parts.push(
    `<text x="10" y="38" fill="#555555">${escape(`${results.date.slice(0, 16).replace('T', ' ')} UTC · ${results.machine.cpuModel} · ${results.machine.cores} cores · Node ${results.machine.node} · medians of ${results.settings.rounds} interleaved rounds of ${results.settings.seconds} s`)}</text>`,
  );
  for (const tick of [0, 0.5, 1, 1.5, 2]) {
    const tickX = x(tick).toFixed(1);
    parts.push(
      `<line x1="${tickX}" y1="${top - 6}" x2="${tickX}" y2="${top + rows.length * rowHeight}" stroke="${tick === 1 ? '#888888' : '#dddddd'}" stroke-dasharray="${tick === 1 ? '4 3' : '2 3'}"/>`,
    );
    parts.push(`<text x="${tickX}" y="${top + rows.length * rowHeight + 16}" text-anchor="middle" fill="#555555">${tick}×</text>`);
  }
  rows.forEach((row, index) => {
    const y = top + index * rowHeight;
    parts.push(`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escape(row.label)}</text>`);
    if (row.value === null) {
      parts.push(`<text x="${labelWidth + 4}" y="${y + 15}" fill="#888888">not available</text>`);
      return;
    }
    const pass = row.target ? (row.target.op === '>=' ? row.value >= row.target.value : row.value <= row.target.value) : null;
    const colour = pass === null ? '#607d8b' : pass ? '#2e7d32' : '#c62828';
    parts.push(`<rect x="${labelWidth}" y="${y + 4}" width="${(x(row.value) - labelWidth).toFixed(1)}" height="${rowHeight - 8}" fill="${colour}"/>`);
    parts.push(`<text x="${(x(row.value) + 4).toFixed(1)}" y="${y + 15}">${row.value.toFixed(2)}×${row.value > scaleMax ? ' →' : ''}</text>`);
    if (row.target) {
      const targetX = x(row.target.value).toFixed(1);
      parts.push(`<line x1="${targetX}" y1="${y + 1}" x2="${targetX}" y2="${y + rowHeight - 1}" stroke="#000000" stroke-width="2"/>`);
      parts.push(`<title>target ${row.target.op === '>=' ? '≥' : '≤'} ${row.target.value}×</title>`);
    }
  });
  const legendY = height - 8;
  parts.push(
    `<text x="10" y="${legendY}" fill="#555555">black mark: the target · green: met · red: missed · grey: no target · throughput higher is better, p99 lower is better</text>`,
  );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
