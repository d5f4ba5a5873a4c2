import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResults } from './figures.js';
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

const SCENARIOS = [
  'protected',
  'login-returning',
  'login-returning-50ms',
  'login-new',
  'login-new-50ms',
  'workers-protected',
  'workers-login',
  'batch',
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
      if (!scenario.available) {
        // WORKERS=2 may be missing from a build: then it says why.
        expect(scenario.key, scenario.note).toMatch(/^workers-/);
        expect(scenario.note).toBeTruthy();
        continue;
      }
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
    expect(results.client.gzipBytes).toBeGreaterThan(0);
    expect(results.client.minifiedBytes).toBeGreaterThan(results.client.gzipBytes);
    expect(results.ready.startsMs).toHaveLength(1);
    expect(results.ready.medianMs).toBeGreaterThan(0);
    // One line for each target of the issue; a verdict wherever there is a figure.
    expect(results.targets.map((target) => target.key)).toEqual([
      'protected:minigate/bare:throughput',
      ...['login-returning', 'login-returning-50ms', 'login-new', 'login-new-50ms'].flatMap((key) => [
        `${key}:minigate/bare:throughput`,
        `${key}:minigate/bare:p99`,
      ]),
      'workers-protected:workers2/workers1:throughput',
      'workers-login:workers2/workers1:throughput',
      'client',
      'ready',
    ]);
    for (const target of results.targets)
      expect(target.pass === null ? target.value : typeof target.pass).toBe(target.pass === null ? null : 'boolean');
    expect(output).toMatch(/^(PASS|MISS|N\/A) {2}protected call ≥ 0\.6× the bare tRPC query/m);
  });
});
