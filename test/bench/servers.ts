// The processes under load: the built minigate server and the reference
// servers, each a process of its own writing its log to a file (a
// production server's log goes to a file or a journal, not into the
// orchestrator's memory).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { processTree } from './procfs.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BUILT_SERVER = resolve(ROOT, 'apps/server/dist/main.js');
export const REFERENCES = resolve(import.meta.dirname, 'references');

export interface ServerProcess {
  name: string;
  /** http://127.0.0.1:<port> */
  url: string;
  pid: number;
  /** Spawn to the first 200 from /healthz, milliseconds. */
  readyMs: number;
  logFile: string;
  /** The process and its children (a WORKERS primary's workers). */
  pids(): number[];
  /** The log's last lines (what to show when something failed). */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL after 15 s; resolves once it has exited. */
  stop(): Promise<void>;
  readonly exited: Promise<number | null>;
}

export interface StartOptions {
  name: string;
  /** node's arguments: flags, then the script. */
  args: string[];
  env: Record<string, string>;
  port: number;
  logFile: string;
  timeoutMs?: number;
}

function tail(file: string, lines: number): string {
  try {
    const size = statSync(file).size;
    const text = readFileSync(file, 'utf8').slice(Math.max(0, size - 64 * 1024));
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Polls GET url until it answers 200; rejects when `exited` settles first or after timeoutMs. */
export async function waitForOk(url: string, exited: Promise<unknown>, timeoutMs: number): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = performance.now() + timeoutMs;
  while (!gone && performance.now() < deadline) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status === 200;
      },
      () => false,
    );
    if (ok) return;
    await new Promise((done) => setTimeout(done, 10));
  }
  throw new Error(gone ? `exited before ${url} answered` : `${url} did not answer within ${timeoutMs / 1000} s`);
}

/** Starts `node <args>` with only PATH, HOME and `env`, its stdout and stderr appended to logFile; resolves once /healthz answers 200. */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const log = openSync(options.logFile, 'a');
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(process.execPath, options.args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const url = `http://127.0.0.1:${options.port}`;
  const pid = child.pid ?? 0;
  const server: ServerProcess = {
    name: options.name,
    url,
    pid,
    readyMs: 0,
    logFile: options.logFile,
    pids: () => processTree(pid),
    logTail: (lines = 30) => tail(options.logFile, lines),
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
  try {
    await waitForOk(`${url}/healthz`, exited, options.timeoutMs ?? 30_000);
  } catch (error) {
    await server.stop();
    throw new Error(`${options.name} did not start: ${(error as Error).message}\n${server.logTail()}`);
  }
  server.readyMs = Math.round((performance.now() - spawnedAt) * 10) / 10;
  return server;
}
