import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTargetLine, targetLineProblems, targetLineText, type BenchResults, type TargetLine } from './figures.js';
import { ROOT } from './servers.js';

// `pnpm bench --quick` on tiny rounds: the harness runs every scenario end to
// end and writes a figure for each. Never a timed assertion: the figures
// themselves are for people to read (this machine's cores are shared).

const work = mkdtempSync(join(tmpdir(), 'minigate-bench-smoke-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runBench(out: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/bench.ts', '--quick', '--out', out], {
    cwd: ROOT,
    env: {
      ...process.env,
      BENCH_SECONDS: '0.3',
      BENCH_WARMUP_SECONDS: '0',
      BENCH_ROUNDS: '1',
      BENCH_PLAYERS: '20',
      BENCH_CONNECTIONS: '4',
      BENCH_SLOW_CONNECTIONS: '4',
      BENCH_READY_STARTS: '1',
    },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

/** The target lines the bench printed: those under `targets:`, up to the next empty line. */
function printedTargetLines(output: string): string[] {
  const lines = output.split('\n');
  const start = lines.indexOf('targets:');
  if (start < 0) return [];
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Each target line, in the JSON and as printed, carries a figure and a PASS/MISS verdict that follows from it. */
function expectWholeTargetLines(targets: TargetLine[], printed: string[]): void {
  for (const target of targets) {
    const problems = targetLineProblems(target);
    expect(problems, `target ${target.key}: ${problems.join('; ')} in ${JSON.stringify(target)}`).toEqual([]);
  }
  expect(printed, 'the printed target lines, one for each target').toHaveLength(targets.length);
  printed.forEach((line, i) => {
    const parsed = parseTargetLine(line);
    expect(parsed, `not a target line: ${JSON.stringify(line)}`).not.toBeNull();
    const problems = targetLineProblems(parsed as Omit<TargetLine, 'key'>);
    expect(problems, `printed target line: ${problems.join('; ')} in ${JSON.stringify(line)}`).toEqual([]);
    const { key, ...json } = targets[i] as TargetLine;
    expect(parsed, `printed target ${key}`).toEqual(json);
  });
}

const SCENARIOS = [
  'protected',
  'login-returning',
  'login-returning-50ms',
  'login-new',
  'login-new-50ms',
  'workers-protected',
  'workers-login',
  'batch',
  'push-deliver',
];

describe('pnpm bench --quick', () => {
  it('runs every scenario against its baseline and writes the figures, the ratios, the targets and a chart', { timeout: 180_000 }, async () => {
    const out = join(work, 'smoke.json');
    const { code, output } = await runBench(out);
    expect(code, output).toBe(0);
    expect(output).toMatch(/^\[ *1\/\d+\] +protected call account\.me/m);
    const results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults;
    expect(existsSync(join(work, 'smoke.svg'))).toBe(true);
    expect(readFileSync(join(work, 'smoke.svg'), 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*<\/svg>\n$/);

    expect(results.mode).toBe('quick');
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.versions.node);
    expect(results.scenarios.map((scenario) => scenario.key)).toEqual(SCENARIOS);
    for (const scenario of results.scenarios) {
      // Every scenario runs: one that did not would leave its target without a figure.
      expect(scenario.available, `${scenario.key}: ${scenario.note}`).toBe(true);
      expect(scenario.variants.length, scenario.key).toBeGreaterThanOrEqual(2);
      for (const variant of scenario.variants) {
        const where = `${scenario.key} ${variant.key}`;
        expect(variant.rounds, where).toHaveLength(1);
        // A quick round is a second or two: on a loaded machine a two-worker
        // cluster may not serve within it. The full bench runs long enough.
        if (scenario.key.startsWith('workers-') && variant.median.requests === 0) {
          console.log(`${where}: no request served within the quick round (a slow cluster start on a loaded machine)`);
          continue;
        }
        expect(variant.median.requests, where).toBeGreaterThan(0);
        expect(variant.median.non2xx, `${where}: ${variant.rounds[0]?.errorSamples.join(' | ')}`).toBe(0);
        for (const value of [
          variant.median.unitsPerSecond,
          variant.median.p50Ms,
          variant.median.p99Ms,
          variant.median.cpuUsPerUnit,
          variant.median.peakRssMb,
        ]) {
          expect(Number.isFinite(value) && value > 0, `${where}: ${JSON.stringify(variant.median)}`).toBe(true);
        }
      }
      expect(scenario.comparisons.length, scenario.key).toBeGreaterThan(0);
      for (const comparison of scenario.comparisons) {
        for (const ratio of [comparison.throughput, comparison.p99, comparison.cpu])
          expect(ratio, `${scenario.key}: ${JSON.stringify(comparison)}`).toBeGreaterThan(0);
      }
    }
    // Every delivery push was the first of its order (a repeat would measure the idempotent path), and each granted.
    const pushes = results.scenarios.find((scenario) => scenario.key === 'push-deliver');
    expect(pushes?.note).toMatch(/minigate kept ([\d,]+) pushes \(\1 delivered, none repeated or refused\); \1 orders delivered into \1 wallets/);
    expect(results.client.gzipBytes).toBeGreaterThan(0);
    expect(results.client.minifiedBytes).toBeGreaterThan(results.client.gzipBytes);
    expect(results.ready.startsMs).toHaveLength(1);
    expect(results.ready.medianMs).toBeGreaterThan(0);
    // One line for each target of the issue, each with a figure and a PASS/MISS verdict, in the JSON and printed.
    expect(results.targets.map((target) => target.key)).toEqual([
      'protected:minigate/bare:throughput',
      ...['login-returning', 'login-returning-50ms', 'login-new', 'login-new-50ms'].flatMap((key) => [
        `${key}:minigate/bare:throughput`,
        `${key}:minigate/bare:p99`,
      ]),
      'workers-protected:workers2/workers1:throughput',
      'workers-login:workers2/workers1:throughput',
      'push-deliver:minigate/bare:throughput',
      'client',
      'ready',
    ]);
    expectWholeTargetLines(results.targets, printedTargetLines(output));
    expect(printedTargetLines(output)[0]).toMatch(/^(PASS|MISS) {2}protected call ≥ 0\.6× the bare tRPC query +\d/);
  });
});

// The check above, on lines made here: it must refuse a target line without a figure or a verdict.
describe('the target lines check', () => {
  const whole: TargetLine = {
    key: 'protected:minigate/bare:throughput',
    name: 'protected call ≥ 0.6× the bare tRPC query',
    value: 0.83,
    op: '>=',
    target: 0.6,
    unit: '×',
    pass: true,
  };
  const client: TargetLine = { key: 'client', name: 'client game file ≤ 10 KB gzip', value: 3.21, op: '<=', target: 10, unit: ' KB', pass: true };
  const bare: TargetLine = { ...whole, value: null, pass: null };

  it('takes whole lines: each printed line parses back to its target', () => {
    expect(targetLineText(whole)).toBe('PASS  protected call ≥ 0.6× the bare tRPC query                    0.83× (target ≥ 0.6×)');
    const { key: _wholeKey, ...wholeLine } = whole;
    const { key: _clientKey, ...clientLine } = client;
    expect(parseTargetLine(targetLineText(whole))).toEqual(wholeLine);
    expect(parseTargetLine(targetLineText(client))).toEqual(clientLine);
    expect(() => expectWholeTargetLines([whole, client], [whole, client].map(targetLineText))).not.toThrow();
  });

  it('refuses a target with neither figure nor verdict, in the JSON and printed', () => {
    expect(targetLineProblems(bare)).toEqual(['no figure (null)', 'no PASS/MISS verdict (N/A)']);
    expect(targetLineText(bare)).toMatch(/^N\/A {3}protected call .* not available \(target ≥ 0\.6×\)$/);
    expect(() => expectWholeTargetLines([bare], [targetLineText(bare)])).toThrow(/no figure/);
    // Whole in the JSON, printed without them.
    expect(() => expectWholeTargetLines([whole], [targetLineText(bare)])).toThrow(/no figure/);
  });

  it('refuses a figure without a verdict, a verdict the figure does not give, and a line that is not a target line', () => {
    expect(targetLineProblems({ ...whole, pass: null })).toEqual(['no PASS/MISS verdict (N/A)']);
    expect(targetLineProblems({ ...whole, value: 0.5 })).toEqual(['verdict PASS where 0.5 >= 0.6 is false']);
    expect(targetLineProblems({ ...client, value: Number.NaN, pass: false })).toEqual(['no figure (NaN)']);
    expect(() => expectWholeTargetLines([{ ...whole, value: 0.5 }], [targetLineText({ ...whole, value: 0.5 })])).toThrow(/verdict PASS/);
    const noVerdict = targetLineText(whole).replace(/^PASS/, '    ');
    expect(parseTargetLine(noVerdict)).toBeNull();
    expect(() => expectWholeTargetLines([whole], [noVerdict])).toThrow(/not a target line/);
    expect(() => expectWholeTargetLines([whole], [])).toThrow(/one for each target/);
  });
});
