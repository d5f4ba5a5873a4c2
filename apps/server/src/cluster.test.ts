import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPrimaryLog, restartDelayMs, restartLimit, startPrimary, type Primary, type PrimaryLog } from './cluster.js';

// The primary's supervision against a stand-in worker (a plain node:http
// server), so crash loops and stuck drains take milliseconds, not minutes.
// test/workers.test.ts runs the real server with WORKERS=2.
const FAKE_WORKER = join(mkdtempSync(join(tmpdir(), 'minigate-cluster-')), 'worker.mjs');
writeFileSync(
  FAKE_WORKER,
  `import { createServer } from 'node:http';
if (process.env.FAKE_EXIT_AT_START) process.exit(3);
const server = createServer((request, response) => response.end(String(process.pid)));
server.listen(Number(process.env.FAKE_PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  if (!process.env.FAKE_IGNORE_SIGTERM) server.close(() => process.exit(0));
});
`,
);

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as { port: number };
  await new Promise((done) => probe.close(done));
  return port;
}

interface Line {
  level: string;
  msg: string;
  workerPid?: number;
  [key: string]: unknown;
}

function collectingLog(): { log: PrimaryLog; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, ...fields, msg });
  return { log: { info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal') }, lines };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}

const listening = (lines: Line[]) => lines.filter((line) => line.msg === 'worker listening').map((line) => line.workerPid!);

async function startFake(env: Record<string, string>, options: { restartsPerMinute?: number; shutdownTimeoutMs?: number } = {}) {
  const { log, lines } = collectingLog();
  const port = await freePort();
  const primary: Primary = startPrimary({
    workers: 2,
    log,
    exec: { file: FAKE_WORKER, execArgv: [] },
    env: { FAKE_PORT: String(port), ...env },
    backoff: { baseMs: 5, maxMs: 20 },
    ...options,
  });
  return { primary, lines, port };
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the cluster primary', () => {
  it('drains every worker on shutdown and exits 0', async () => {
    const { primary, lines, port } = await startFake({});
    const pids = await until('two workers listening', () => (listening(lines).length === 2 ? listening(lines) : undefined));
    const answers = await Promise.all([1, 2, 3, 4].map(() => fetch(`http://127.0.0.1:${port}/`).then((response) => response.text())));
    for (const answer of answers) expect(pids).toContain(Number(answer));
    primary.shutdown('SIGTERM');
    expect(await primary.exited).toBe(0);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(lines.at(-1)).toMatchObject({ msg: 'every worker has exited', exitCode: 0 });
  });

  it('replaces a worker that dies, and gives up with exit 1 when they keep dying', async () => {
    const { primary, lines } = await startFake({}, { restartsPerMinute: 3 });
    const seen = new Set<number>();
    let exitCode: number | undefined;
    void primary.exited.then((code) => (exitCode = code));
    for (let death = 1; death <= 4; death++) {
      // Kill a worker once two are up; the first three are replaced.
      const victim = await until(`two workers before death ${death}`, () => {
        const live = primary.pids();
        return live.length === 2 && live.every((pid) => listening(lines).includes(pid)) ? live[0] : undefined;
      });
      seen.add(victim);
      process.kill(victim, 'SIGKILL');
      if (death <= 3) await until(`death ${death} noticed`, () => lines.find((line) => line.workerPid === victim && /replacing it/.test(line.msg)));
    }
    await until('the primary giving up', () => (exitCode === undefined ? undefined : exitCode));
    expect(exitCode).toBe(1);
    const fatal = lines.filter((line) => line.level === 'fatal');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.msg).toMatch(/^4 workers died within a minute \(limit 3\): giving up/);
    // Two first workers and three replacements.
    expect(lines.filter((line) => line.msg === 'worker started')).toHaveLength(5);
  });

  it('kills a worker still draining after the bound, and exits 1', async () => {
    const { primary, lines } = await startFake({ FAKE_IGNORE_SIGTERM: '1' }, { shutdownTimeoutMs: 300 });
    const pids = await until('two workers listening', () => (listening(lines).length === 2 ? listening(lines) : undefined));
    primary.shutdown('SIGTERM');
    expect(await primary.exited).toBe(1);
    expect(lines.filter((line) => /still running 0.3 s after SIGTERM: killed/.test(line.msg))).toHaveLength(2);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });

  it('stops at once when a worker fails to start: no replacement would fare better', async () => {
    const { primary, lines } = await startFake({ FAKE_EXIT_AT_START: '1' });
    expect(await primary.exited).toBe(1);
    const fatal = lines.filter((line) => line.level === 'fatal');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.msg).toMatch(/exited with code 3 before every worker was listening: stopping/);
    expect(lines.filter((line) => line.msg === 'worker started')).toHaveLength(2);
  });
});

describe('restart backoff', () => {
  it('replaces the first death at once, then waits 250 ms doubling up to 5 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((deaths) => restartDelayMs(deaths))).toEqual([0, 250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('gives up beyond 10 deaths a minute, or twice the workers', () => {
    expect(restartLimit(2)).toBe(10);
    expect(restartLimit(16)).toBe(32);
  });
});

describe("the primary's log", () => {
  it('writes JSON lines like the workers', () => {
    const written: string[] = [];
    createPrimaryLog('info', (line) => written.push(line)).warn({ workerPid: 42 }, 'hello');
    expect(written).toHaveLength(1);
    expect(written[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(written[0]!)).toMatchObject({ level: 40, pid: process.pid, role: 'primary', workerPid: 42, msg: 'hello' });
  });

  it('keeps to LOG_LEVEL', () => {
    const written: string[] = [];
    const warnOnly = createPrimaryLog('warn', (line) => written.push(line));
    warnOnly.info({}, 'dropped');
    warnOnly.error({}, 'kept');
    createPrimaryLog('silent', (line) => written.push(line)).fatal({}, 'dropped too');
    expect(written.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['kept']);
  });
});
