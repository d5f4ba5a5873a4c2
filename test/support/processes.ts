import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

// The processes users start: `pnpm start` (the built bundle), `pnpm dev`, `pnpm admin`.
export const ROOT = resolve(import.meta.dirname, '../..');
export const BUILT_SERVER = resolve(ROOT, 'apps/server/dist/main.js');
export const DEV_ENTRY = resolve(ROOT, 'apps/server/src/dev.ts');
export const ADMIN_ENTRY = resolve(ROOT, 'apps/server/src/admin.ts');
export const TSX = createRequire(resolve(ROOT, 'package.json')).resolve('tsx/cli');

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as { port: number };
  await new Promise((done) => probe.close(done));
  return port;
}

export interface Run {
  output: () => string;
  /** The exit code, or null when a signal ended the process. */
  exited: Promise<number | null>;
  /** SIGTERM: a graceful stop. */
  stop: () => void;
  kill: (signal: NodeJS.Signals) => void;
  pid: number;
}

/** Starts `node <args>` with only PATH, HOME and `env` in its environment. */
export function run(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return {
    output: () => output,
    exited: new Promise((done) => child.on('exit', (code) => done(code))),
    stop: () => child.kill('SIGTERM'),
    kill: (signal) => child.kill(signal),
    pid: child.pid ?? 0,
  };
}

export async function waitFor(url: string, process: Run): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${url} never answered:\n${process.output()}`);
}
